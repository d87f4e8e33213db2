//! A file's values under the flags: each key set in the file becomes its
//! flag's default, so a flag or an environment variable still wins, as
//! clap orders them (command line, environment, default).

use std::ffi::OsString;

use anyhow::{bail, Result};
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use super::FileConfig;
use crate::cli::{Cli, Command};

/// The command line parsed again with the file of `--config` (or
/// `TRACKWIRE_CONFIG`) under it, when `cli` names one; `cli` as it is
/// otherwise.
pub(crate) fn parse_with_file(cli: Cli, argv: Vec<OsString>) -> Result<Cli> {
    let (name, path) = match &cli.command {
        Command::Serve(args) => ("serve", args.common.config.clone()),
        Command::Demo(args) => ("demo", args.common.config.clone()),
        Command::Token(_) | Command::Config(_) => return Ok(cli),
    };
    let Some(path) = path else { return Ok(cli) };
    let file = FileConfig::read(&path)?;
    let (cli, _) = parse(name, &file, argv)?;
    Ok(cli)
}

/// Parses `argv` (for subcommand `name`) with `file` under its flags;
/// also gives the matches, which tell where each value came from.
pub(crate) fn parse(
    name: &str,
    file: &FileConfig,
    argv: Vec<OsString>,
) -> Result<(Cli, ArgMatches)> {
    let mut command = Cli::command();
    for (key, value) in file.table()? {
        let id = key.replace('-', "_");
        let Some(sub) = command.find_subcommand(name) else {
            bail!("no subcommand {name}");
        };
        if !sub.get_arguments().any(|arg| arg.get_id() == id.as_str()) {
            bail!("key `{key}` has no flag `--{key}` in `trackwire {name}`");
        }
        let values = strings(&value);
        command = command.mut_subcommand(name, |sub| {
            sub.mut_arg(id, |arg| arg.default_values(values))
        });
    }
    let matches = command.try_get_matches_from(argv).map_err(one_line)?;
    let cli = Cli::from_arg_matches(&matches).map_err(one_line)?;
    let sub = matches
        .subcommand_matches(name)
        .cloned()
        .unwrap_or_default();
    Ok((cli, sub))
}

/// clap's error (which spans lines, with a hint to `--help`) as one line;
/// with the file's values already checked, what fails here is a flag or an
/// environment variable.
fn one_line(error: clap::Error) -> anyhow::Error {
    let text = error.render().to_string();
    let first = text.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    anyhow::anyhow!("{first} (from a flag or its TRACKWIRE_* environment variable)")
}

/// A value as clap reads it from a command line.
fn strings(value: &toml::Value) -> Vec<String> {
    match value {
        toml::Value::String(text) => vec![text.clone()],
        toml::Value::Array(items) => items.iter().flat_map(strings).collect(),
        other => vec![other.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::file::Seconds;

    fn argv(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn every_key() -> FileConfig {
        FileConfig {
            listen: Some("0.0.0.0:8000".parse().expect("addr")),
            tls_cert: Some("/etc/tw/cert.pem".into()),
            tls_key: Some("/etc/tw/key.pem".into()),
            data_dir: Some("/tmp/tw".into()),
            store: Some("sqlite:///tmp/tw/x.db".into()),
            broker: Some("memory".into()),
            node_id: Some("n1".into()),
            redis_prefix: Some("p".into()),
            heartbeat: Some(Seconds(5.0)),
            drain_window: Some(Seconds(0.5)),
            drain_delay: Some(Seconds(0.25)),
            poll_wait: Some(Seconds(3.0)),
            log: Some("debug".into()),
            log_format: Some(crate::cli::LogFormat::Json),
            metrics_listen: Some("127.0.0.1:9464".parse().expect("addr")),
            jwt_secret: Some("s".repeat(32)),
            jwks_file: None,
            jwt_issuer: Some("iss".into()),
            jwt_audience: Some("aud".into()),
            insecure_dev: Some(true),
            allowed_origins: Some(vec!["https://a.example".into(), "https://b.example".into()]),
            max_connections_per_ip: Some(1),
            max_connections_per_subject: Some(2),
            frames_per_second: Some(3),
            max_subscriptions: Some(4),
            auth_failures_per_minute: Some(5),
            max_body_bytes: Some(6),
            max_frame_bytes: Some(7000),
            disable_websocket: Some(true),
            auth_timeout: Some(Seconds(8.0)),
            header_timeout: Some(Seconds(9.0)),
            max_http_connections_per_ip: Some(10),
        }
    }

    /// Every key of the file reaches its flag, with its value.
    #[test]
    fn every_key_is_a_flag() {
        let file = every_key();
        let (cli, _) = parse("serve", &file, argv(&["trackwire", "serve"])).expect("parse");
        let Command::Serve(args) = cli.command else {
            panic!("not serve")
        };
        let back = FileConfig::from_args(&args.common);
        assert_eq!(
            toml::to_string(&back).expect("toml"),
            toml::to_string(&file).expect("toml")
        );
    }

    /// And every flag of `serve` has a key (but `--config`).
    #[test]
    fn every_flag_is_a_key() {
        let command = Cli::command();
        let serve = command.find_subcommand("serve").expect("serve");
        for arg in serve.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if ["config", "help"].contains(&long) {
                continue;
            }
            let key = if long == "allowed-origin" {
                "allowed-origins"
            } else {
                long
            };
            let error = FileConfig::parse(&format!("{key} = {{}}"))
                .err()
                .map(|e| format!("{e:#}"))
                .unwrap_or_default();
            assert!(!error.contains("unknown field"), "--{long}: {error}");
        }
    }
}
