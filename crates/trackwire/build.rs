//! Puts the git revision the binary is built from into
//! `TRACKWIRE_GIT_REVISION`, for `trackwire --version`: the variable of the
//! same name when set (a Docker build without `.git` passes it), else
//! `git rev-parse --short HEAD`, else "unknown" (a source tarball).

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_owned())
}

fn main() {
    println!("cargo:rerun-if-env-changed=TRACKWIRE_GIT_REVISION");
    println!("cargo:rerun-if-changed=build.rs");
    let given = std::env::var("TRACKWIRE_GIT_REVISION")
        .ok()
        .filter(|rev| !rev.trim().is_empty());
    let revision = given
        .or_else(|| git(&["rev-parse", "--short", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=TRACKWIRE_GIT_REVISION={revision}");

    // Build again when HEAD moves: .git/HEAD for a checkout of another
    // branch, the branch's ref for a commit (in a worktree both live
    // elsewhere than ./.git, so ask git where).
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch]));
        watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    }
    for path in watched.into_iter().flatten().map(PathBuf::from) {
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}
