//! The JWKS verifier against the keys in `tests/fixtures` (see the README
//! there). Reloads are driven by an interval of zero and by explicit
//! modification times, never by sleeping.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::identity::{Identity, Role};
use crate::jwks::KeyError;
use crate::jwt::{TokenError, Verifier};

const RSA_1_PEM: &str = include_str!("../../tests/fixtures/rsa-1.pem");
const RSA_2_PEM: &str = include_str!("../../tests/fixtures/rsa-2.pem");
const EC_1_PEM: &str = include_str!("../../tests/fixtures/ec-1.pem");
const RSA_1_JWK: &str = include_str!("../../tests/fixtures/rsa-1.jwk.json");
const RSA_2_JWK: &str = include_str!("../../tests/fixtures/rsa-2.jwk.json");
const EC_1_JWK: &str = include_str!("../../tests/fixtures/ec-1.jwk.json");
const JWKS: &str = include_str!("../../tests/fixtures/jwks.json");

/// The base64url of `{"alg":"none","typ":"JWT"}`.
const NONE_HEADER: &str = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

fn claims() -> Value {
    json!({"sub": "cust-1", "tenant": "acme", "role": "customer",
           "exp": now() + 60, "iss": "shop", "aud": "trackwire"})
}

fn with(key: &str, value: Value) -> Value {
    let mut claims = claims();
    claims[key] = value;
    claims
}

fn sign(alg: Algorithm, pem: &str, kid: Option<&str>, claims: &Value) -> String {
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()),
    }
    .expect("fixture key");
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, &key).expect("sign")
}

fn rsa_1(claims: &Value) -> String {
    sign(Algorithm::RS256, RSA_1_PEM, Some("rsa-1"), claims)
}

fn rsa_2(claims: &Value) -> String {
    sign(Algorithm::RS256, RSA_2_PEM, Some("rsa-2"), claims)
}

fn ec_1(claims: &Value) -> String {
    sign(Algorithm::ES256, EC_1_PEM, Some("ec-1"), claims)
}

fn set_of(jwks: &[&str]) -> String {
    format!("{{\"keys\":[{}]}}", jwks.join(","))
}

/// A JWKS file in its own temporary folder (kept alive by the guard).
fn key_file(contents: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("jwks.json");
    fs::write(&path, contents).expect("write jwks");
    (dir, path)
}

fn verifier(path: &Path) -> Verifier {
    Verifier::jwks_file(path, Some("shop"), Some("trackwire")).expect("jwks file")
}

/// Rewrites the file in place with a later modification time, so the
/// change is seen even within one tick of the file system's clock.
fn rewrite(path: &Path, contents: &str) {
    let before = fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime");
    fs::write(path, contents).expect("rewrite");
    set_mtime(path, before + Duration::from_secs(1));
}

fn set_mtime(path: &Path, time: SystemTime) {
    File::options()
        .write(true)
        .open(path)
        .and_then(|file| file.set_modified(time))
        .expect("set mtime");
}

fn code(verifier: &Verifier, token: &str) -> &'static str {
    match verifier.verify(token) {
        Ok(_) => "ok",
        Err(error) => error.code().as_str(),
    }
}

#[test]
fn rs256_and_es256_tokens_verify() {
    let (_dir, path) = key_file(JWKS);
    let verifier = verifier(&path);
    let who = Identity {
        tenant: "acme".into(),
        subject: "cust-1".into(),
        role: Role::Customer,
    };
    for token in [rsa_1(&claims()), ec_1(&claims())] {
        let (identity, expires) = verifier.verify(&token).expect("valid");
        assert_eq!(identity, who);
        assert!(expires > SystemTime::now());
    }
}

#[test]
fn without_a_kid_the_keys_of_the_tokens_algorithm_are_tried() {
    let (_dir, path) = key_file(&set_of(&[RSA_2_JWK, RSA_1_JWK, EC_1_JWK]));
    let verifier = verifier(&path);
    let rs = sign(Algorithm::RS256, RSA_1_PEM, None, &claims());
    let es = sign(Algorithm::ES256, EC_1_PEM, None, &claims());
    assert_eq!(code(&verifier, &rs), "ok");
    assert_eq!(code(&verifier, &es), "ok");
    // Tried against both RSA keys, and neither signed it.
    let expired = sign(Algorithm::RS256, RSA_1_PEM, None, &with("exp", 1.into()));
    assert_eq!(code(&verifier, &expired), "token_expired");

    let (_dir, only_ec) = key_file(&set_of(&[EC_1_JWK]));
    assert_eq!(code(&self::verifier(&only_ec), &rs), "token_unknown_key");
}

#[test]
fn a_token_signed_by_another_key_has_a_bad_signature() {
    let (_dir, path) = key_file(JWKS);
    let verifier = verifier(&path);
    let forged = sign(Algorithm::RS256, RSA_2_PEM, Some("rsa-1"), &claims());
    assert_eq!(code(&verifier, &forged), "token_signature");
    let unnamed = sign(Algorithm::RS256, RSA_2_PEM, None, &claims());
    assert_eq!(code(&verifier, &unnamed), "token_signature");
}

#[test]
fn an_unknown_kid_is_token_unknown_key() {
    let (_dir, path) = key_file(JWKS);
    let err = verifier(&path)
        .verify(&rsa_2(&claims()))
        .expect_err("rsa-2");
    assert_eq!(err, TokenError::UnknownKey);
    assert_eq!(err.code(), "token_unknown_key");
}

#[test]
fn only_rs256_and_es256_are_accepted() {
    let (_dir, path) = key_file(JWKS);
    let verifier = verifier(&path);
    // HS256, even keyed with the public key's text (the old key-confusion
    // attack), is not an algorithm a JWKS verifier takes.
    let hs = encode(
        &Header {
            kid: Some("rsa-1".into()),
            ..Header::new(Algorithm::HS256)
        },
        &claims(),
        &EncodingKey::from_secret(RSA_1_JWK.as_bytes()),
    )
    .expect("sign");
    assert_eq!(code(&verifier, &hs), "token_algorithm");
    let rs384 = sign(Algorithm::RS384, RSA_1_PEM, Some("rsa-1"), &claims());
    assert_eq!(code(&verifier, &rs384), "token_algorithm");
    // A known kid, but the key is for the other algorithm.
    let mismatched = sign(Algorithm::RS256, RSA_1_PEM, Some("ec-1"), &claims());
    assert_eq!(code(&verifier, &mismatched), "token_algorithm");
    // alg: none, with a real token's claims and no signature.
    let good = rsa_1(&claims());
    let body = good.split('.').nth(1).expect("claims part");
    assert_eq!(
        code(&verifier, &format!("{NONE_HEADER}.{body}.")),
        "token_algorithm"
    );
}

#[test]
fn expiry_issuer_and_audience_keep_their_codes() {
    let (_dir, path) = key_file(JWKS);
    let verifier = verifier(&path);
    let cases = [
        (with("exp", (now() - 10).into()), "token_expired"),
        (with("nbf", (now() + 600).into()), "token_not_yet_valid"),
        (with("iss", "evil".into()), "token_issuer"),
        (with("aud", "other".into()), "token_audience"),
        (with("tenant", "".into()), "token_claims"),
    ];
    for (claims, expected) in cases {
        assert_eq!(code(&verifier, &rsa_1(&claims)), expected);
        assert_eq!(code(&verifier, &ec_1(&claims)), expected);
    }
    assert_eq!(code(&verifier, "not.a.jwt"), "token_malformed");
}

#[test]
fn a_rewritten_file_is_reloaded() {
    let (_dir, path) = key_file(JWKS);
    let verifier = verifier(&path).with_reload_interval(Duration::ZERO);
    let clone = verifier.clone();
    let old = rsa_1(&claims());
    assert_eq!(code(&verifier, &old), "ok");

    rewrite(&path, &set_of(&[RSA_2_JWK, EC_1_JWK]));
    // The changed file is seen through the clone too: they share the keys.
    assert_eq!(code(&clone, &old), "token_unknown_key");
    assert_eq!(code(&verifier, &old), "token_unknown_key");
    assert_eq!(code(&verifier, &rsa_2(&claims())), "ok");
    assert_eq!(code(&verifier, &ec_1(&claims())), "ok");
    assert_eq!(verifier.last_reload_error(), None);
}

#[test]
fn an_unknown_kid_rereads_a_file_that_looks_unchanged() {
    // rsa-2's JWK is as long as rsa-1's, and the time is put back: only the
    // unknown kid can make the verifier read the file again.
    let (_dir, path) = key_file(&set_of(&[RSA_1_JWK]));
    let verifier = verifier(&path).with_reload_interval(Duration::ZERO);
    let before = fs::metadata(&path).expect("stat");
    fs::write(&path, set_of(&[RSA_2_JWK])).expect("rewrite");
    set_mtime(&path, before.modified().expect("mtime"));
    assert_eq!(fs::metadata(&path).expect("stat").len(), before.len());

    assert_eq!(code(&verifier, &rsa_2(&claims())), "ok");
}

#[test]
fn unknown_kids_reread_the_file_at_most_once_per_interval() {
    let (_dir, path) = key_file(JWKS);
    // The file was read when the verifier was made, within the hour.
    let verifier = verifier(&path).with_reload_interval(Duration::from_secs(3600));
    rewrite(&path, &set_of(&[RSA_2_JWK]));
    assert_eq!(code(&verifier, &rsa_2(&claims())), "token_unknown_key");
    assert_eq!(code(&verifier, &rsa_1(&claims())), "ok");

    // An explicit reload does not wait.
    assert_eq!(verifier.reload().expect("reload"), 1);
    assert_eq!(code(&verifier, &rsa_2(&claims())), "ok");
    assert_eq!(code(&verifier, &rsa_1(&claims())), "token_unknown_key");
}

#[test]
fn a_broken_rewrite_keeps_the_old_keys() {
    let (_dir, path) = key_file(JWKS);
    let verifier = verifier(&path).with_reload_interval(Duration::ZERO);
    let token = rsa_1(&claims());

    // Half written.
    rewrite(&path, &JWKS[..JWKS.len() / 2]);
    assert_eq!(code(&verifier, &token), "ok");
    let error = verifier.last_reload_error().expect("an error");
    assert!(error.contains("not a valid key set"), "{error}");
    assert!(error.contains(&path.display().to_string()), "{error}");
    assert!(matches!(verifier.reload(), Err(KeyError::Invalid { .. })));

    // Valid JSON, but nothing to verify with.
    rewrite(&path, r#"{"keys":[]}"#);
    assert_eq!(code(&verifier, &token), "ok");
    let error = verifier.last_reload_error().expect("an error");
    assert!(error.contains("no usable RS256 or ES256"), "{error}");

    // Gone (mid-rename, say).
    fs::remove_file(&path).expect("remove");
    assert_eq!(code(&verifier, &token), "ok");
    let error = verifier.last_reload_error().expect("an error");
    assert!(error.contains("cannot read"), "{error}");

    // Fixed: the error is cleared.
    fs::write(&path, set_of(&[RSA_2_JWK])).expect("write");
    assert_eq!(code(&verifier, &rsa_2(&claims())), "ok");
    assert_eq!(verifier.last_reload_error(), None);
    assert_eq!(code(&verifier, &token), "token_unknown_key");
}

#[test]
fn jwks_file_refuses_files_it_cannot_use() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.json");
    let err = Verifier::jwks_file(&missing, None, None)
        .err()
        .expect("missing");
    assert!(matches!(err, KeyError::Read { .. }), "{err}");
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    let refused = |contents: &str| {
        let (_dir, path) = key_file(contents);
        let err = Verifier::jwks_file(&path, None, None)
            .err()
            .expect(contents);
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
        err
    };
    let empty = refused(r#"{"keys":[]}"#);
    assert!(matches!(empty, KeyError::NoUsableKey { .. }), "{empty}");
    let only_unusable = refused(
        r#"{"keys":[{"kty":"oct","alg":"HS256","k":"c2VjcmV0"},
                    {"kty":"OKP","crv":"Ed25519","x":"AAAA"}]}"#,
    );
    assert!(matches!(only_unusable, KeyError::NoUsableKey { .. }));
    assert!(matches!(refused("not json"), KeyError::Invalid { .. }));
    assert!(matches!(
        refused(r#"{"nokeys":1}"#),
        KeyError::Invalid { .. }
    ));
    let contradictory =
        refused(r#"{"keys":[{"kty":"EC","crv":"P-384","alg":"ES256","x":"AA","y":"AA"}]}"#);
    assert!(matches!(contradictory, KeyError::Invalid { .. }));
    let broken = refused(r#"{"keys":[{"kty":"RSA","kid":"r","alg":"RS256","e":"AQAB"}]}"#);
    assert!(broken.to_string().contains(r#"kid "r""#), "{broken}");
}

#[test]
fn keys_for_other_uses_are_skipped_and_alg_may_be_left_out() {
    let mut no_alg: Value = serde_json::from_str(RSA_1_JWK).expect("jwk");
    no_alg.as_object_mut().expect("object").remove("alg");
    let mut encryption: Value = serde_json::from_str(EC_1_JWK).expect("jwk");
    encryption["use"] = "enc".into();
    let contents = json!({"keys": [
        {"kty": "oct", "alg": "HS256", "k": "c2VjcmV0"},
        {"kty": "RSA", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB"},
        encryption,
        no_alg,
    ]});
    let (_dir, path) = key_file(&contents.to_string());
    let verifier = verifier(&path);
    assert_eq!(verifier.reload().expect("reload"), 1);
    assert_eq!(code(&verifier, &rsa_1(&claims())), "ok");
    assert_eq!(code(&verifier, &ec_1(&claims())), "token_unknown_key");
}

#[test]
fn an_hs256_verifier_has_no_key_file() {
    let verifier = Verifier::hs256(b"secret", None, None).with_reload_interval(Duration::ZERO);
    assert!(matches!(verifier.reload(), Err(KeyError::NoKeyFile)));
    assert_eq!(verifier.last_reload_error(), None);
}

#[test]
fn a_verifier_can_be_shared_between_threads() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<Verifier>();
}
