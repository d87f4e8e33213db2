//! `trackwire config check FILE`: reads the file, applies the environment
//! and the defaults as `serve` would, checks what can be checked without
//! the store and broker, and prints every setting as TOML (valid as a
//! configuration file itself), each with where its value came from and
//! secrets redacted.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Result};
use clap::parser::ValueSource;
use clap::CommandFactory;

use super::layer::parse;
use super::redact::{self, REDACTED};
use super::FileConfig;
use crate::cli::{Cli, Command};

/// The effective configuration of `serve --config path`, as text.
pub(crate) fn check(path: &Path) -> Result<String> {
    let file = FileConfig::read(path)?;
    let argv = ["trackwire", "serve"].map(OsString::from).to_vec();
    let (cli, matches) = parse("serve", &file, argv)?;
    let Command::Serve(args) = cli.command else {
        bail!("`trackwire serve` did not parse as serve");
    };
    crate::server::settings(&args.common, None)?;

    let mut effective = FileConfig::from_args(&args.common);
    effective.jwt_secret = effective.jwt_secret.map(|_| REDACTED.to_owned());
    effective.store = effective.store.as_deref().map(redact::url);
    effective.broker = effective.broker.as_deref().map(redact::url);
    let values = effective.table()?;
    let in_file = file.table()?;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}: valid. The configuration `trackwire serve --config {0}`\n\
         # runs with (unless flags override it), secrets redacted.",
        path.display()
    );
    let command = Cli::command();
    let Some(serve) = command.find_subcommand("serve") else {
        bail!("no serve subcommand");
    };
    for arg in serve.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if ["config", "help"].contains(&long) {
            continue;
        }
        let key = arg.get_id().as_str().replace('_', "-");
        let source = match matches.value_source(arg.get_id().as_str()) {
            Some(ValueSource::EnvVariable) => match arg.get_env() {
                Some(name) => format!("environment {}", name.to_string_lossy()),
                None => "environment".to_owned(),
            },
            Some(ValueSource::DefaultValue) if in_file.contains_key(&key) => "file".to_owned(),
            Some(ValueSource::CommandLine) => "flag".to_owned(),
            _ => "default".to_owned(),
        };
        match values.get(&key) {
            Some(value) => {
                let _ = writeln!(out, "{key} = {value}  # {source}");
            }
            None => {
                let _ = writeln!(out, "# {key}: not set");
            }
        }
    }
    Ok(out)
}
