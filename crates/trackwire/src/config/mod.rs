//! The configuration file: TOML, one key per flag of `serve` (the flag's
//! name without its dashes; `allowed-origins` is the list of
//! `--allowed-origin`). deploy/trackwire.toml documents every key.
//!
//! Precedence, for every setting: a flag, then its `TRACKWIRE_*`
//! environment variable, then the file, then the built-in default. The
//! file's values become the flags' defaults (`layer`), so clap applies the
//! first two rules itself.
//!
//! - `file`: the keys and their types; reading a file.
//! - `layer`: a file's values under the flags and environment variables.
//! - `check`: `trackwire config check`, the effective configuration.
//! - `redact`: secrets out of what is printed.

mod check;
mod file;
mod layer;
mod redact;

pub(crate) use check::check;
pub(crate) use file::FileConfig;
pub(crate) use layer::parse_with_file;
