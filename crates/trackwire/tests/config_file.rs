//! The configuration file, through the real binary: `config check` on a
//! good file, an unknown key, a bad value; secrets redacted; and the
//! precedence flag > environment > file > default, seen by `serve`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Server, BIN};

const SECRET: &str = "config-test-secret-0123456789abcdef";
const PASSWORD: &str = "pg-pass-5ecr3t";

/// Every variable the binary reads, unset, so the caller's environment
/// does not leak into what the file decides.
fn binary() -> Command {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TRACKWIRE_") {
            command.env_remove(name);
        }
    }
    command
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("trackwire.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn check(path: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = binary();
    command.args(["config", "check"]).arg(path);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run trackwire config check")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_good_file_is_printed_with_its_secrets_redacted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        &format!(
            "listen = \"0.0.0.0:7400\"\n\
             jwt-secret = \"{SECRET}\"\n\
             store = \"postgres://postgres:{PASSWORD}@db:5432/trackwire\"\n\
             broker = \"redis://:{PASSWORD}@redis:6379\"\n\
             heartbeat = 20\n\
             allowed-origins = [\"https://shop.example\"]\n"
        ),
    );
    let output = check(&path, &[]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        stdout.contains("listen = \"0.0.0.0:7400\"  # file"),
        "{stdout}"
    );
    assert!(stdout.contains("heartbeat = 20.0  # file"), "{stdout}");
    assert!(stdout.contains("poll-wait = 25.0  # default"), "{stdout}");
    assert!(
        stdout.contains("allowed-origins = [\"https://shop.example\"]"),
        "{stdout}"
    );
    assert!(stdout.contains("jwt-secret = \"<redacted>\""), "{stdout}");
    assert!(
        stdout.contains("store = \"postgres://postgres:<redacted>@db:5432/trackwire\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("broker = \"redis://:<redacted>@redis:6379\""),
        "{stdout}"
    );
    assert!(
        !stdout.contains(SECRET) && !stdout.contains(PASSWORD),
        "{stdout}"
    );
    // What it prints is a configuration file itself.
    let again = write(dir.path(), &stdout.replace("<redacted>", SECRET));
    assert!(check(&again, &[]).status.success());
}

#[test]
fn an_unknown_key_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "listen = \"127.0.0.1:0\"\nheartbaet = 5\n");
    let output = check(&path, &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("line 2: unknown key `heartbaet`"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_bad_value_is_an_error_that_names_its_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (line, key) in [
        ("heartbeat = \"fast\"", "heartbeat"),
        ("heartbeat = -1", "heartbeat"),
        ("listen = \"localhost\"", "listen"),
        ("log-format = \"xml\"", "log-format"),
        ("max-body-bytes = -4", "max-body-bytes"),
        ("insecure-dev = \"yes\"", "insecure-dev"),
    ] {
        let path = write(dir.path(), &format!("jwt-secret = \"{SECRET}\"\n{line}\n"));
        let output = check(&path, &[]);
        assert_eq!(output.status.code(), Some(1), "{line}");
        let stderr = text(&output.stderr);
        assert!(
            stderr.starts_with("error: config file ")
                && stderr.contains(&format!("line 2, key `{key}`: ")),
            "{line}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let output = check(&dir.path().join("missing.toml"), &[]);
    assert!(text(&output.stderr).contains("cannot read the config file"));
}

#[test]
fn the_environment_beats_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        &format!("jwt-secret = \"{SECRET}\"\nheartbeat = 7\npoll-wait = 9\n"),
    );
    let output = check(&path, &[("TRACKWIRE_HEARTBEAT", "8")]);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("heartbeat = 8.0  # environment TRACKWIRE_HEARTBEAT"),
        "{stdout}"
    );
    assert!(stdout.contains("poll-wait = 9.0  # file"), "{stdout}");
    // A bad environment variable: one line, naming its flag.
    let output = check(&path, &[("TRACKWIRE_HEARTBEAT", "abc")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("error: invalid value 'abc' for '--heartbeat")
            && stderr.trim_end().lines().count() == 1,
        "{stderr}"
    );
}

/// `serve` itself: the file's `listen` cannot be bound (a TEST-NET
/// address); given alone it fails on it, under a flag or an environment
/// variable it is not used.
#[test]
fn serve_takes_the_file_under_flags_and_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let path = write(
        dir.path(),
        &format!(
            "listen = \"192.0.2.1:7311\"\ninsecure-dev = true\nlog = \"warn\"\n\
             data-dir = \"{}\"\n",
            data.display()
        ),
    );
    let alone = binary()
        .args(["serve", "--config"])
        .arg(&path)
        .output()
        .expect("run serve");
    assert!(!alone.status.success());
    assert!(
        text(&alone.stderr).contains("cannot listen on 192.0.2.1:7311"),
        "{}",
        text(&alone.stderr)
    );

    let mut flag = binary();
    flag.args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&path);
    let server = Server::spawn(flag);
    assert!(server.base.starts_with("http://127.0.0.1:"));
    assert!(data.join("trackwire.db").exists(), "the file's data-dir");
    assert!(server.terminate().success());

    let mut env = binary();
    env.arg("serve")
        .env("TRACKWIRE_CONFIG", &path)
        .env("TRACKWIRE_LISTEN", "127.0.0.1:0");
    let server = Server::spawn(env);
    assert!(server.base.starts_with("http://127.0.0.1:"));
    assert!(server.terminate().success());
}

/// `tls-cert` and `tls-key`: shown with where each came from, both or
/// neither (from any of file, environment, flag), and the files checked.
#[test]
fn tls_cert_and_key_go_together_and_are_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = common::tls::CertFiles::new(dir.path());
    files.write(&common::tls::Authority::new("config test CA").issue(1));
    let (cert, key) = (files.cert.display(), files.key.display());

    let both = write(
        dir.path(),
        &format!("jwt-secret = \"{SECRET}\"\ntls-cert = \"{cert}\"\ntls-key = \"{key}\"\n"),
    );
    let output = check(&both, &[]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        stdout.contains(&format!("tls-cert = \"{cert}\"  # file")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("tls-key = \"{key}\"  # file")),
        "{stdout}"
    );

    // The key from the environment completes the file's certificate.
    let cert_only = write(
        dir.path(),
        &format!("jwt-secret = \"{SECRET}\"\ntls-cert = \"{cert}\"\n"),
    );
    let key_env = key.to_string();
    let output = check(&cert_only, &[("TRACKWIRE_TLS_KEY", &key_env)]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        stdout.contains(&format!(
            "tls-key = \"{key}\"  # environment TRACKWIRE_TLS_KEY"
        )),
        "{stdout}"
    );

    // One without the other: one line that says what is missing.
    let output = check(&cert_only, &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("error: --tls-cert needs --tls-key")
            && stderr.trim_end().lines().count() == 1,
        "{stderr}"
    );
    let key_only = write(
        dir.path(),
        &format!("jwt-secret = \"{SECRET}\"\ntls-key = \"{key}\"\n"),
    );
    let stderr = text(&check(&key_only, &[]).stderr);
    assert!(
        stderr.starts_with("error: --tls-key needs --tls-cert"),
        "{stderr}"
    );

    // A file that is no certificate, and one that is missing.
    std::fs::write(dir.path().join("junk.pem"), "not a certificate\n").expect("write");
    let junk = dir.path().join("junk.pem");
    for (path, says) in [
        (junk.display().to_string(), "holds no PEM certificate"),
        (
            dir.path().join("gone.pem").display().to_string(),
            "cannot read",
        ),
    ] {
        let config = write(
            dir.path(),
            &format!("jwt-secret = \"{SECRET}\"\ntls-cert = \"{path}\"\ntls-key = \"{key}\"\n"),
        );
        let stderr = text(&check(&config, &[]).stderr);
        assert!(
            stderr.starts_with("error: cannot serve TLS: ") && stderr.contains(says),
            "{stderr}"
        );
    }
}
