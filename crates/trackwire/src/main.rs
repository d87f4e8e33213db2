//! The `trackwire` binary: `serve` runs the server, `demo` runs it with a
//! simulator of demo orders, `token` prints a development token. Errors
//! end here, as anyhow.
//!
//! - `assets`: the browser SDK (and pages) embedded and served.
//! - `backends`: the store and the backplane, picked from their URLs.
//! - `cli`: flags and environment variables.
//! - `config`: the configuration file under them; `config check`.
//! - `server`: builds the store, broker, hub and router, and runs them
//!   until shutdown.
//! - `security`: keys, origins and limits from the flags.
//! - `demo`: the order simulator and its personas.

mod assets;
mod backends;
mod cli;
mod config;
mod demo;
mod security;
mod server;

use anyhow::Result;
use clap::Parser;
use tokio_util::sync::CancellationToken;

use cli::{Cli, Command, ConfigCommand};

/// mimalloc, not glibc's malloc: the server allocates and frees small
/// buffers per request and per frame on many threads (docs/benchmarks.md,
/// "Allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    // The error and its causes on one line, never a backtrace: what a
    // person who mistyped a flag needs.
    let cli = Cli::parse();
    let run = async { run(config::parse_with_file(cli, std::env::args_os().collect())?).await };
    if let Err(error) = run.await {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    let common = match &cli.command {
        Command::Serve(args) => &args.common,
        Command::Demo(args) => &args.common,
        Command::Token(args) => return print_token(args),
        Command::Config(ConfigCommand::Check { path }) => {
            print!("{}", config::check(path)?);
            return Ok(());
        }
    };
    server::init_logging(&common.log, common.log_format);

    let shutdown = CancellationToken::new();
    tokio::spawn(watch_signals(shutdown.clone()));

    match cli.command {
        Command::Serve(args) => server::serve(&args.common, None, shutdown).await,
        Command::Demo(args) => demo::run(args, shutdown).await,
        Command::Token(_) | Command::Config(_) => Ok(()),
    }
}

/// `trackwire token`: a signed development token on stdout.
fn print_token(args: &cli::TokenArgs) -> Result<()> {
    let who = trackwire_auth::Identity {
        tenant: args.tenant.clone(),
        subject: args.sub.clone(),
        role: args.role,
    };
    let ttl = std::time::Duration::from_secs(args.ttl);
    let claims = trackwire_auth::jwt::Claims::new(&who, ttl)
        .issued_by(args.jwt_issuer.as_deref())
        .for_audience(args.jwt_audience.as_deref());
    let token = trackwire_auth::jwt::sign_hs256_claims(args.jwt_secret.as_bytes(), &claims)?;
    println!("{token}");
    Ok(())
}

/// Cancels `shutdown` on SIGINT or SIGTERM; every task watches it.
async fn watch_signals(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(error) => {
                    tracing::warn!(%error, "cannot watch SIGTERM");
                    let _ = interrupt.await;
                    shutdown.cancel();
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down");
    shutdown.cancel();
}
