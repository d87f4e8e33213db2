//! From flags to the server's security set-up: how callers are identified
//! (keys, or the loudly logged development identity), which origins may
//! connect, and the limits. `serve` refuses to start without keys unless
//! told `--insecure-dev`; the demo makes its own secret.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use rand::distr::{Alphanumeric, SampleString};
use std::num::NonZeroU32;
use tokio_util::sync::CancellationToken;

use trackwire_auth::{FailedAttempts, IdentitySource, Verifier};
use trackwire_server::realtime::{OriginPolicy, RealtimeConfig};

use crate::cli::SecurityArgs;

/// Shortest HS256 secret accepted: RFC 7518 asks for a key at least as
/// long as the hash.
const MIN_SECRET_BYTES: usize = 32;

/// The identity source the flags describe. `demo_secret` is the demo's own
/// generated secret, used when no key is configured.
pub(crate) fn identity_source(
    args: &SecurityArgs,
    demo_secret: Option<&str>,
) -> Result<IdentitySource> {
    let issuer = args.jwt_issuer.as_deref();
    let audience = args.jwt_audience.as_deref();
    let verifier = if let Some(path) = &args.jwks_file {
        let verifier = Verifier::jwks_file(path, issuer, audience)
            .with_context(|| format!("cannot use the JWKS file {}", path.display()))?;
        Some(verifier)
    } else if let Some(secret) = args.jwt_secret.as_deref().or(demo_secret) {
        if secret.len() < MIN_SECRET_BYTES {
            bail!(
                "the JWT secret is {} bytes; use at least {MIN_SECRET_BYTES} (e.g. `openssl rand -base64 32`)",
                secret.len()
            );
        }
        Some(Verifier::hs256(secret.as_bytes(), issuer, audience))
    } else {
        None
    };
    let per_minute = NonZeroU32::new(args.auth_failures_per_minute)
        .context("--auth-failures-per-minute must be at least 1")?;
    let attempts = FailedAttempts::new(
        per_minute,
        per_minute.saturating_mul(NonZeroU32::MIN.saturating_add(1)),
    );
    let fallback = args.insecure_dev || demo_secret.is_some();
    let source = match (verifier, fallback) {
        (Some(verifier), false) => IdentitySource::tokens(verifier),
        (Some(verifier), true) => IdentitySource::tokens(verifier).with_development_fallback(),
        (None, true) => IdentitySource::development(),
        (None, false) => bail!(
            "no keys for bearer tokens: give --jwt-secret (or TRACKWIRE_JWT_SECRET) or \
             --jwks-file (or TRACKWIRE_JWKS_FILE); for local development only, \
             --insecure-dev runs without authentication"
        ),
    }
    .with_failed_attempts(attempts);
    if fallback {
        tracing::warn!(
            "INSECURE: callers that present no token run as the development identity \
             (tenant 'demo', subject 'dev', role 'admin'); never expose this server"
        );
    }
    Ok(source)
}

/// A fresh secret for the demo's tokens.
pub(crate) fn generate_secret() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 48)
}

pub(crate) fn origins(args: &SecurityArgs) -> Result<OriginPolicy> {
    OriginPolicy::new(&args.allowed_origins).map_err(anyhow::Error::msg)
}

/// The limits of the flags, over the transports' defaults.
pub(crate) fn apply_limits(args: &SecurityArgs, config: &mut RealtimeConfig) -> Result<()> {
    if args.max_frame_bytes < 1024 {
        bail!("--max-frame-bytes must be at least 1024");
    }
    config.max_connections_per_ip = args.max_connections_per_ip;
    config.max_connections_per_subject = args.max_connections_per_subject;
    config.frames_per_second = args.frames_per_second.max(1);
    config.frame_burst = config.frames_per_second.saturating_mul(2);
    config.max_frame_bytes = args.max_frame_bytes;
    config.session.max_subscriptions = args.max_subscriptions.max(1);
    config.websocket_enabled = !args.disable_websocket;
    config.hard_frame_bytes = args.max_frame_bytes.saturating_mul(16);
    config.auth_timeout = Duration::try_from_secs_f64(args.auth_timeout)
        .ok()
        .filter(|d| !d.is_zero())
        .context("--auth-timeout takes a positive number of seconds")?;
    Ok(())
}

/// Logs when re-reading the JWKS file fails (the previous keys stay in
/// use) and when it works again. The verifier re-reads lazily, as tokens
/// arrive; this only reports.
pub(crate) async fn report_key_reloads(verifier: Verifier, shutdown: CancellationToken) {
    let mut reported: Option<String> = None;
    let mut every = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = shutdown.cancelled() => return,
        }
        let now = verifier.last_reload_error();
        if now != reported {
            match &now {
                Some(error) => {
                    tracing::error!(%error, "JWKS reload failed; keeping the previous keys")
                }
                None => tracing::info!("JWKS file reloaded"),
            }
            reported = now;
        }
    }
}
