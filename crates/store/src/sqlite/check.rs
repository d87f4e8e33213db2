//! What opening checks before the store serves anything: a damaged or
//! inconsistent database refuses to start, with one line that says what
//! happened and what to do, instead of starting empty or answering 500 to
//! everything.

use std::path::Path;

use sqlx::sqlite::SqliteConnection;

use crate::StoreError;

/// The first 16 bytes of every SQLite database file.
const HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The files as they lie on disk, before SQLite opens them (opening an
/// empty database beside a WAL would quietly start an empty store).
pub(super) fn files(db: &Path) -> Result<(), StoreError> {
    let wal = sibling(db, "-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let head = match read_head(db) {
        Ok(head) => Some(head),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(damaged(db, &format!("cannot read it: {error}"))),
    };
    match head.as_deref() {
        None | Some([]) if wal_len > 0 => Err(damaged(
            db,
            &format!(
                "the database file is {} but its write-ahead log {} holds {wal_len} bytes \
                 (the file was truncated, deleted or replaced)",
                if head.is_none() { "missing" } else { "empty" },
                wal.display()
            ),
        )),
        None | Some([]) => Ok(()),
        Some(bytes) if bytes != HEADER => Err(damaged(db, "it is not an SQLite database")),
        Some(_) => Ok(()),
    }
}

/// Up to the first 16 bytes of the file.
fn read_head(db: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(HEADER.len());
    std::fs::File::open(db)?
        .take(HEADER.len() as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// SQLite's own check of every page and index (`quick_check`).
pub(super) async fn integrity(conn: &mut SqliteConnection, db: &Path) -> Result<(), StoreError> {
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA quick_check(3)")
        .fetch_all(&mut *conn)
        .await
        .map_err(|error| damaged(db, &error.to_string()))?;
    match problems.as_slice() {
        [ok] if ok == "ok" => Ok(()),
        _ => Err(damaged(
            db,
            &format!("quick_check: {}", problems.join("; ")),
        )),
    }
}

/// What the schema promises and SQLite cannot check: each topic's counter
/// is its last stored seq, each tenant's feed counter its last offset.
pub(super) async fn consistency(conn: &mut SqliteConnection, db: &Path) -> Result<(), StoreError> {
    let topic: Option<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT t.tenant, t.topic, t.seq, \
           (SELECT COALESCE(MAX(e.seq), 0) FROM events e \
            WHERE e.tenant = t.tenant AND e.topic = t.topic) AS stored \
         FROM topics t WHERE t.seq != stored LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((tenant, topic, seq, stored)) = topic {
        return Err(damaged(
            db,
            &format!(
                "topic {topic} of tenant {tenant} counts seq {seq} but holds events up to {stored}"
            ),
        ));
    }
    let feed: Option<(String, i64, i64)> = sqlx::query_as(
        "SELECT t.tenant, t.feed_offset, \
           (SELECT COALESCE(MAX(e.feed_offset), 0) FROM events e WHERE e.tenant = t.tenant) \
             AS stored \
         FROM tenants t WHERE t.feed_offset != stored LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((tenant, offset, stored)) = feed {
        return Err(damaged(
            db,
            &format!("the feed of tenant {tenant} counts offset {offset} but holds events up to {stored}"),
        ));
    }
    Ok(())
}

pub(super) fn damaged(db: &Path, detail: &str) -> StoreError {
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    StoreError::Damaged(format!(
        "the store {} is damaged: {detail}. Stop here: restore {} (with its -wal file, if any) \
         from a backup, or move the directory {} aside to start with an empty store",
        db.display(),
        db.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        dir.display()
    ))
}

pub(super) fn sibling(db: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}
