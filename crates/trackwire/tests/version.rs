//! `trackwire --version`: the version and the git revision built from.

use std::process::Command;

#[test]
fn version_names_the_release_and_the_revision() {
    let output = Command::new(env!("CARGO_BIN_EXE_trackwire"))
        .arg("--version")
        .output()
        .expect("run trackwire --version");
    assert!(output.status.success());
    let line = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let prefix = format!("trackwire {} (", env!("CARGO_PKG_VERSION"));
    let revision = line
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{line:?}"));
    let hex = revision.len() >= 4 && revision.chars().all(|c| c.is_ascii_hexdigit());
    assert!(hex || revision == "unknown", "{line:?}");
    // Built in this checkout: the revision is its HEAD's.
    let head = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned());
    let given = std::env::var_os("TRACKWIRE_GIT_REVISION");
    if let (Some(head), None) = (head, given) {
        assert_eq!(revision, head);
    }
}
