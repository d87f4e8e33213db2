//! Storage faults, each with the refusal docs/storage.md promises and
//! nothing acknowledged lost: a full disk and a read-only one (a small
//! tmpfs, which needs root: without it the case says SKIPPED), a damaged
//! database file (the server refuses to start, saying so), and a stalled
//! disk (an ext4 loop image frozen with `fsfreeze`: every write and fsync
//! waits), the honest form of a slow fsync we can make here, and a disk
//! that fails under the running server (the same image shut down with
//! ext4's `EXT4_IOC_SHUTDOWN` through `xfs_io`: from then on every write
//! and fsync fails, as after a journal abort or an errors=remount-ro).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::{Env, ScenarioError};
use crate::clients::Transport;
use crate::history::Ack;
use crate::report::Report;
use crate::rest::{self, Outcome, Write};
use crate::server::{Server, ServerSpec};
use crate::world::World;

pub async fn run(env: &Env) -> Result<Report, ScenarioError> {
    let mut report = Report::new("storage", env.seed);
    let mut verdicts = Vec::new();
    match Tmpfs::mount("2m") {
        Some(disk) => verdicts.push(disk_full(env, &disk, &mut report).await?),
        None => report.line("SKIPPED disk full: cannot mount a tmpfs here (needs root)"),
    }
    match Tmpfs::mount("16m") {
        Some(disk) => verdicts.push(read_only(env, &disk, &mut report).await?),
        None => report.line("SKIPPED read-only: cannot mount a tmpfs here (needs root)"),
    }
    verdicts.push(damaged(env, &mut report).await?);
    match Ext4::mount() {
        Some(disk) => verdicts.push(stalled(env, &disk, &mut report).await?),
        None => report.line("SKIPPED stalled disk: cannot mount an ext4 loop image here (needs root and loop devices)"),
    }
    match (Ext4::mount(), has_xfs_io()) {
        (Some(disk), true) => verdicts.push(failed_while_running(env, disk, &mut report).await?),
        (None, _) => report.line("SKIPPED disk failing while running: cannot mount an ext4 loop image here (needs root and loop devices)"),
        (_, false) => report.line("SKIPPED disk failing while running: xfs_io is missing (apt-get install -y xfsprogs; scripts/test installs it as root)"),
    }
    for verdict in verdicts {
        report.verdict.merge(verdict);
    }
    Ok(report)
}

/// A tmpfs of `size` on a temporary directory, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, mode: &str) -> bool {
        Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(self.path())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// A server on `dir` (its data in `dir/data`), one order, and clients
/// watching it over WebSocket and SSE.
struct Watched {
    spec: ServerSpec,
    server: Server,
    base: String,
    world: World,
    order: String,
}

impl Watched {
    async fn start(env: &Env, dir: &Path) -> Result<Self, ScenarioError> {
        let spec = ServerSpec::new(&env.bin, &dir.join("data"))?;
        let server = Server::start(spec.clone()).await?;
        let base = server.url();
        let mut world = World::create(&base, 1).await?;
        world.spawn_every_transport(&base, &[Transport::WebSocket, Transport::Sse]);
        let order = world.orders[0].clone();
        Ok(Self {
            spec,
            server,
            base,
            world,
            order,
        })
    }
}

/// Starts the server again on `spec` (the old one is gone) and judges
/// every client and acknowledgement: the end of each fault's case.
async fn restart_and_judge(
    report: &mut Report,
    case: &str,
    done: &str,
    spec: ServerSpec,
    world: World,
    acks: &[Ack],
) -> Result<crate::checker::Verdict, ScenarioError> {
    let server = Server::start(spec).await?;
    let (verdict, reconnects, failed) = world.finish(&server.url(), acks).await?;
    report.line(format!(
        "{case}: {done}; {reconnects} reconnects; {verdict}"
    ));
    for why in failed {
        report.expect(false, format!("{case}: a client ran to its end: {why}"));
    }
    Ok(verdict)
}

/// A note of about 500 bytes, to fill a disk quickly.
fn note(order: &str, n: usize) -> Write {
    Write::Note {
        order: order.to_owned(),
        text: format!("n{n} {}", "x".repeat(480)),
    }
}

/// What a refused write answered: status, `error.code`, `Retry-After`.
async fn refusal(base: &str, write: &Write) -> (u16, String, String) {
    let Write::Note { order, text } = write else {
        return (0, String::new(), String::new());
    };
    let reply = rest::http()
        .post(format!("{base}/v1/orders/{order}/events"))
        .header("idempotency-key", format!("probe-{}", write.key()))
        .json(&serde_json::json!({"type": "instructions_changed", "text": text}))
        .send()
        .await;
    let Ok(reply) = reply else {
        return (0, String::new(), String::new());
    };
    let status = reply.status().as_u16();
    let retry = reply
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body: Value = reply.json().await.unwrap_or_default();
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
        retry,
    )
}

async fn ready(base: &str) -> u16 {
    rest::http()
        .get(format!("{base}/v1/health/ready"))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

/// Writes notes until one is not acknowledged; the acks, and the write
/// that was refused.
async fn write_until_refused(
    base: &str,
    order: &str,
    from: usize,
    limit: usize,
) -> (Vec<Ack>, Option<(Write, String)>) {
    let http = rest::http();
    let mut acks = Vec::new();
    for n in from..from + limit {
        let write = note(order, n);
        match rest::attempt(&http, base, &write).await {
            Outcome::Acked(got) => acks.extend(got),
            Outcome::Retry(why) | Outcome::Refused(why) => return (acks, Some((write, why))),
        }
    }
    (acks, None)
}

/// The refusal's promises: 503 `store_unavailable`, `Retry-After`, and
/// readiness failing.
async fn expect_refusal(report: &mut Report, base: &str, write: &Write, case: &str) {
    let (status, code, retry) = refusal(base, write).await;
    report.expect(
        status == 503 && code == "store_unavailable" && !retry.is_empty(),
        format!("{case}: a write answers 503 store_unavailable with Retry-After (got {status} {code:?}, Retry-After {retry:?})"),
    );
    let readiness = ready(base).await;
    report.expect(
        readiness == 503,
        format!("{case}: readiness answers 503 (got {readiness})"),
    );
}

async fn disk_full(
    env: &Env,
    disk: &Tmpfs,
    report: &mut Report,
) -> Result<crate::checker::Verdict, ScenarioError> {
    let filler = disk.path().join("filler");
    std::fs::write(&filler, vec![0u8; 512 * 1024])?;
    let Watched {
        spec,
        mut server,
        base,
        world,
        order,
    } = Watched::start(env, disk.path()).await?;
    let (mut acks, refused) = write_until_refused(&base, &order, 0, 10_000).await;
    report.line(format!(
        "disk full: {} notes acknowledged before the 2 MiB tmpfs filled",
        acks.len()
    ));
    let Some((refused, _)) = refused else {
        report.expect(false, "disk full: the disk filled");
        return Ok(crate::checker::Verdict::default());
    };
    expect_refusal(report, &base, &refused, "disk full").await;
    std::fs::remove_file(&filler)?;
    // A few: the freed 512 KiB fills again soon (each commit grows the WAL).
    let (after, stuck) = write_until_refused(&base, &order, 20_000, 5).await;
    let why = stuck.map(|(_, why)| why).unwrap_or_default();
    report.expect(
        why.is_empty(),
        format!("disk full: writes resume once space returns {why}"),
    );
    acks.extend(after);
    server.kill_9().await;
    restart_and_judge(
        report,
        "disk full",
        "killed and restarted",
        spec,
        world,
        &acks,
    )
    .await
}

/// A data directory on a read-only disk: a tmpfs cannot turn read-only
/// under a running server (`mount` says busy while files are open for
/// writing), so the server is stopped, the disk remounted read-only, and
/// the start must be refused with a clear line; writable again, every
/// acknowledged event is there.
async fn read_only(
    env: &Env,
    disk: &Tmpfs,
    report: &mut Report,
) -> Result<crate::checker::Verdict, ScenarioError> {
    let spec = ServerSpec::new(&env.bin, &disk.path().join("data"))?;
    let mut server = Server::start(spec.clone()).await?;
    let base = server.url();
    let world = World::create(&base, 1).await?;
    let order = world.orders[0].clone();
    let (acks, _) = write_until_refused(&base, &order, 0, 50).await;
    server.stop().await;
    let remounted = disk.remount("ro");
    report.expect(
        remounted,
        "read-only: the stopped server's tmpfs remounted read-only",
    );
    let (refused, log) = Server::refused(&spec).await?;
    let said = log
        .lines()
        .any(|l| l.starts_with("error: cannot open the store"));
    report.expect(
        refused && said,
        format!(
            "read-only: the server refuses to start on a read-only disk, saying why (got: {:?})",
            log.lines().last().unwrap_or_default()
        ),
    );
    disk.remount("rw");
    let server = Server::start(spec).await?;
    let (verdict, _, _) = world.finish(&server.url(), &acks).await?;
    report.line(format!(
        "read-only: writable again, {} acks checked; {verdict}",
        acks.len()
    ));
    Ok(verdict)
}

/// A stalled disk, as a slow fsync at its worst: an ext4 image on a loop
/// device, frozen (`fsfreeze`) while writers write, so every write and
/// fsync waits. No write sent during the freeze may be acknowledged
/// before the thaw; after it they all are, and none is lost.
async fn stalled(
    env: &Env,
    disk: &Ext4,
    report: &mut Report,
) -> Result<crate::checker::Verdict, ScenarioError> {
    let Watched {
        spec,
        mut server,
        base,
        world,
        order,
    } = Watched::start(env, disk.path()).await?;
    let (mut acks, _) = write_until_refused(&base, &order, 0, 20).await;
    let frozen = disk.freeze();
    report.expect(frozen, "stalled disk: the filesystem froze");
    let thawed_at = Arc::new(std::sync::Mutex::new(None::<tokio::time::Instant>));
    let http = rest::http();
    let during: Vec<_> = (0..5)
        .map(|n| {
            let (http, base, write) = (http.clone(), base.clone(), note(&order, 1000 + n));
            let thawed_at = thawed_at.clone();
            tokio::spawn(async move {
                let outcome = rest::attempt(&http, &base, &write).await;
                let before_thaw = thawed_at.lock().map(|t| t.is_none()).unwrap_or(false);
                (outcome, before_thaw)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    if let Ok(mut t) = thawed_at.lock() {
        *t = Some(tokio::time::Instant::now());
    }
    disk.thaw();
    let (mut early, mut acked) = (0, 0);
    for write in during {
        if let Ok((Outcome::Acked(got), before_thaw)) = write.await {
            acked += 1;
            early += usize::from(before_thaw);
            acks.extend(got);
        }
    }
    report.expect(
        early == 0,
        format!("stalled disk: no write acknowledged while the disk was frozen ({early} were)"),
    );
    report.line(format!("stalled disk: frozen 2 s; {acked} of 5 writes sent meanwhile acknowledged after the thaw (the rest timed out at the client, 5 s)"));
    server.kill_9().await;
    restart_and_judge(
        report,
        "stalled disk",
        "killed and restarted",
        spec,
        world,
        &acks,
    )
    .await
}

/// The disk fails under the running server: writes before it are
/// acknowledged; from the shutdown on, a write answers 503
/// `store_unavailable` and readiness fails, and none is acknowledged; the
/// server is killed, the disk mounted again (ext4 replays its journal),
/// and on restart every acknowledged event is there and every client
/// ends exact.
async fn failed_while_running(
    env: &Env,
    mut disk: Ext4,
    report: &mut Report,
) -> Result<crate::checker::Verdict, ScenarioError> {
    let Watched {
        spec,
        mut server,
        base,
        world,
        order,
    } = Watched::start(env, disk.path()).await?;
    let (mut acks, _) = write_until_refused(&base, &order, 0, 30).await;
    let shut = disk.shut_down();
    report.expect(
        shut,
        "failing disk: the filesystem shut down under the server",
    );
    let (after, refused) = write_until_refused(&base, &order, 30_000, 5).await;
    report.expect(
        after.is_empty(),
        format!(
            "failing disk: no write acknowledged after the disk failed ({} were)",
            after.len()
        ),
    );
    match refused {
        Some((write, _)) => expect_refusal(report, &base, &write, "failing disk").await,
        None => report.expect(false, "failing disk: a write was refused"),
    }
    acks.extend(after);
    server.kill_9().await;
    let remounted = disk.mount_again().await;
    report.expect(remounted, "failing disk: the image mounted again");
    let done = format!(
        "{} acks before the shutdown; killed, remounted, restarted",
        acks.len()
    );
    restart_and_judge(report, "failing disk", &done, spec, world, &acks).await
}

fn has_xfs_io() -> bool {
    Command::new("xfs_io")
        .arg("-V")
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// An ext4 image on a loop device (it can be frozen and shut down; a tmpfs
/// cannot), thawed, unmounted and removed on drop.
struct Ext4 {
    dir: tempfile::TempDir,
    image: tempfile::NamedTempFile,
}

impl Ext4 {
    fn mount() -> Option<Self> {
        let image = tempfile::NamedTempFile::new().ok()?;
        image.as_file().set_len(64 * 1024 * 1024).ok()?;
        let run = |cmd: &mut Command| {
            cmd.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !run(Command::new("mkfs.ext4")
            .args(["-q", "-F"])
            .arg(image.path()))
        {
            return None;
        }
        let dir = tempfile::tempdir().ok()?;
        let disk = Self { dir, image };
        disk.mount_image().then_some(disk)
    }

    fn mount_image(&self) -> bool {
        Command::new("mount")
            .args(["-o", "loop"])
            .arg(self.image.path())
            .arg(self.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// `EXT4_IOC_SHUTDOWN` without flushing the log, as a device that
    /// dies: what was fsynced stays, every later write fails with EIO.
    fn shut_down(&self) -> bool {
        Command::new("xfs_io")
            .args(["-x", "-c", "shutdown"])
            .arg(self.path())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Unmounts the shut-down filesystem and mounts the image again (the
    /// journal is replayed), where it was. Only once the old loop device
    /// has let go of the image: `mount -o loop` reuses a loop device still
    /// attached to the same file, and with it the dead filesystem (every
    /// read EIO), when the detach that follows the umount has not happened
    /// yet.
    async fn mount_again(&mut self) -> bool {
        let unmounted = Command::new("umount")
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            return false;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let attached = self.loop_devices();
            if attached.is_empty() {
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                for device in attached {
                    let _ = Command::new("losetup").arg("-d").arg(device).status();
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.mount_image()
    }

    /// The loop devices attached to the image (`losetup -j`).
    fn loop_devices(&self) -> Vec<String> {
        Command::new("losetup")
            .arg("-j")
            .arg(self.image.path())
            .output()
            .map(|out| {
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .filter_map(|line| line.split(':').next())
                    .filter(|device| !device.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn freeze(&self) -> bool {
        Command::new("fsfreeze")
            .arg("-f")
            .arg(self.path())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn thaw(&self) {
        let _ = Command::new("fsfreeze")
            .arg("-u")
            .arg(self.path())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

impl Drop for Ext4 {
    fn drop(&mut self) {
        self.thaw();
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
        let _ = self.image.path();
    }
}

async fn damaged(env: &Env, report: &mut Report) -> Result<crate::checker::Verdict, ScenarioError> {
    let dir = tempfile::tempdir()?;
    let spec = ServerSpec::new(&env.bin, &dir.path().join("data"))?;
    let mut server = Server::start(spec.clone()).await?;
    let base = server.url();
    let world = World::create(&base, 1).await?;
    let order = world.orders[0].clone();
    let (acks, _) = write_until_refused(&base, &order, 0, 200).await;
    server.stop().await;
    let db = spec.data_dir.join("trackwire.db");
    let good = std::fs::read(&db)?;
    // Garbage over the second page onwards (the first keeps SQLite's
    // header, so the file still looks like a database).
    let mut bad = good.clone();
    for byte in bad.iter_mut().skip(4096).take(8192) {
        *byte = 0xA5;
    }
    std::fs::write(&db, &bad)?;
    let (refused, log) = Server::refused(&spec).await?;
    let said = log
        .lines()
        .any(|l| l.starts_with("error: cannot open the store") && l.contains("damaged"));
    report.expect(
        refused && said,
        format!(
            "damaged file: the server refuses to start and says the store is damaged (got: {:?})",
            log.lines().last().unwrap_or_default()
        ),
    );
    std::fs::write(&db, &good)?;
    let server = Server::start(spec).await?;
    let (verdict, _, _) = world.finish(&server.url(), &acks).await?;
    report.line(format!(
        "damaged file: restored, {} acks checked; {verdict}",
        acks.len()
    ));
    Ok(verdict)
}
