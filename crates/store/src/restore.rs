//! Restoring a backup: the file is read through SQLite into a copy of our own, checked, staged
//! beside the database, and swapped in when the app next starts (the open database cannot be
//! replaced under a running app). The data it replaces is kept beside it.
//!
//! A backup is accepted only if it is exactly what Leadscout itself would have written: its
//! record of schema changes is a prefix of ours, and once brought up to date its tables,
//! indexes, triggers and views are, by name and SQL, those of a freshly created database. A
//! trigger or view slipped into a backup would otherwise run inside the app with every write.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::Connection;

use crate::{untrusting, StoreError, DATABASE_FILE, MIGRATIONS};

/// Where a checked backup waits for the next start.
pub const RESTORE_FILE: &str = "leadscout.sqlite3.restore";

/// What a backup holds, once it has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupCheck {
    pub leads: i64,
    pub schema_version: i64,
}

fn refuse(message: impl Into<String>) -> StoreError {
    StoreError::Io(message.into())
}

/// `path` with `suffix` appended to its file name (`x.sqlite3` → `x.sqlite3-wal`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// Checks that `path` is a whole Leadscout database this version can use, without changing it
/// or anything beside it. See [`stage_restore`] for what is checked.
pub async fn check_backup(path: &Path) -> Result<BackupCheck, StoreError> {
    let scratch = scratch_in(&std::env::temp_dir())?;
    read_backup(
        path,
        &scratch.path().join("checked.sqlite3"),
        scratch.path(),
    )
    .await
}

/// Checks the backup and stages it in `data_dir` for the next start. What is staged is the
/// backup as SQLite reads it, written out as one self-contained file: a backup copied from a
/// running app, whose latest changes sit in a `-wal` file beside it, is staged whole.
///
/// Checked: SQLite's integrity check passes; the Leadscout tables are there; every schema
/// change it records is one of ours, in order, and none is newer than this version; and the
/// schema, brought up to date on a scratch copy, holds exactly the tables, indexes, triggers
/// and views (by name and SQL) that a new database gets. Anything else is refused, naming it.
pub async fn stage_restore(backup: &Path, data_dir: &Path) -> Result<BackupCheck, StoreError> {
    let scratch = scratch_in(data_dir)?;
    let partial = scratch.path().join("staged.sqlite3");
    let check = read_backup(backup, &partial, scratch.path()).await?;
    std::fs::rename(&partial, data_dir.join(RESTORE_FILE))
        .map_err(|e| refuse(format!("Could not stage {}: {e}", backup.display())))?;
    Ok(check)
}

/// At start, before the database is opened: swaps a staged backup in, keeping the replaced
/// database as `leadscout.sqlite3.before-restore-<millis>`. Returns where the old data went.
/// A staged file that no longer passes the check is set aside, never used.
pub async fn apply_staged_restore(
    data_dir: &Path,
    now_ms: i64,
) -> Result<Option<PathBuf>, StoreError> {
    let staged = data_dir.join(RESTORE_FILE);
    if !staged.is_file() {
        return Ok(None);
    }
    let checked = match scratch_in(data_dir) {
        Ok(scratch) => {
            read_backup(
                &staged,
                &scratch.path().join("checked.sqlite3"),
                scratch.path(),
            )
            .await
        }
        Err(err) => Err(err),
    };
    if let Err(err) = checked {
        let rejected = data_dir.join(format!("{RESTORE_FILE}.rejected-{now_ms}"));
        let _ = std::fs::rename(&staged, &rejected);
        return Err(err);
    }
    let database = data_dir.join(DATABASE_FILE);
    let kept = data_dir.join(format!("{DATABASE_FILE}.before-restore-{now_ms}"));
    let had_database = database.is_file();
    if had_database {
        std::fs::rename(&database, &kept)
            .map_err(|e| refuse(format!("Could not set the current data aside: {e}")))?;
    }
    // A write-ahead log left beside the old file would be replayed into the restored one.
    for suffix in ["-wal", "-shm"] {
        let side = sidecar(&database, suffix);
        if side.is_file() {
            let _ = std::fs::rename(&side, sidecar(&kept, suffix));
        }
    }
    std::fs::rename(&staged, &database)
        .map_err(|e| refuse(format!("Could not put the backup in place: {e}")))?;
    Ok(had_database.then_some(kept))
}

/// A private folder for the copies a check makes, removed when dropped.
fn scratch_in(parent: &Path) -> Result<tempfile::TempDir, StoreError> {
    tempfile::Builder::new()
        .prefix(".leadscout-restore-")
        .tempdir_in(parent)
        .map_err(|e| {
            refuse(format!(
                "Could not make room to check the backup in {}: {e}",
                parent.display()
            ))
        })
}

/// How a backup's copies are opened: never created, nothing in their schema trusted.
fn backup_options(path: &Path) -> SqliteConnectOptions {
    untrusting(SqliteConnectOptions::new())
        .filename(path)
        .create_if_missing(false)
}

/// Reads `backup` (with the `-wal` beside it, if there is one) through SQLite into one
/// self-contained file at `into`, and checks it. The user's files are only ever copied.
async fn read_backup(
    backup: &Path,
    into: &Path,
    scratch: &Path,
) -> Result<BackupCheck, StoreError> {
    if !backup.is_file() {
        return Err(refuse(format!("{} is not a file.", backup.display())));
    }
    // SQLite replays a WAL only when it can write to the database, so it reads a copy.
    let copy = scratch.join("backup.sqlite3");
    std::fs::copy(backup, &copy).map_err(|e| unreadable(backup, e))?;
    let wal = sidecar(backup, "-wal");
    if wal.is_file() {
        std::fs::copy(&wal, sidecar(&copy, "-wal")).map_err(|e| unreadable(backup, e))?;
    }
    let check = examine(&copy, backup, into).await?;
    let migrated = scratch.join("migrated.sqlite3");
    std::fs::copy(into, &migrated).map_err(|e| unreadable(backup, e))?;
    compare_with_new(&migrated, backup).await?;
    Ok(check)
}

fn unreadable(backup: &Path, e: std::io::Error) -> StoreError {
    refuse(format!("Could not read {}: {e}", backup.display()))
}

fn not_ours(shown: &Path, e: sqlx::Error) -> StoreError {
    refuse(format!(
        "{} is not a Leadscout backup: {e}",
        shown.display()
    ))
}

/// Integrity, the Leadscout tables, the record of schema changes and the leads, then the whole
/// database written out to `into` (`VACUUM INTO`: one file, no WAL).
async fn examine(copy: &Path, shown: &Path, into: &Path) -> Result<BackupCheck, StoreError> {
    let mut conn = SqliteConnection::connect_with(&backup_options(copy))
        .await
        .map_err(|e| not_ours(shown, e))?;
    let result = async {
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| not_ours(shown, e))?;
        let integrity = integrity.join("; ");
        if integrity != "ok" {
            return Err(refuse(format!(
                "{} is damaged (SQLite says: {integrity}); nothing was restored.",
                shown.display()
            )));
        }
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' \
             AND name IN ('leads', 'pipeline_stages', '_sqlx_migrations')",
        )
        .fetch_one(&mut conn)
        .await?;
        if tables != 3 {
            return Err(refuse(format!(
                "{} is a database, but not a Leadscout one.",
                shown.display()
            )));
        }
        let version = check_history(&mut conn, shown).await?;
        let leads: i64 = sqlx::query_scalar("SELECT count(*) FROM leads WHERE deleted_at IS NULL")
            .fetch_one(&mut conn)
            .await?;
        sqlx::query("VACUUM INTO ?")
            .bind(into.to_string_lossy().as_ref())
            .execute(&mut conn)
            .await?;
        Ok(BackupCheck {
            leads,
            schema_version: version,
        })
    }
    .await;
    let _ = conn.close().await;
    result
}

/// The schema changes the backup records must be ours, in order, finished, and none newer:
/// then bringing it up to date runs exactly the changes a database of that version lacks.
/// Returns its schema version.
async fn check_history(conn: &mut SqliteConnection, shown: &Path) -> Result<i64, StoreError> {
    let applied: Vec<(i64, Vec<u8>, bool)> =
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| {
                refuse(format!(
            "{} is not a Leadscout backup: its record of schema changes is unreadable ({e}).",
            shown.display()
        ))
            })?;
    let ours = MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0);
    if applied.iter().any(|(version, _, _)| *version > ours) {
        return Err(refuse(format!(
            "{} was made by a newer Leadscout; update Leadscout to restore it.",
            shown.display()
        )));
    }
    for (i, (version, checksum, success)) in applied.iter().enumerate() {
        let matches = MIGRATIONS
            .iter()
            .nth(i)
            .is_some_and(|m| m.version == *version && *m.checksum == **checksum);
        if !matches || !success {
            return Err(refuse(format!(
                "{} was not restored: its record of schema changes does not match Leadscout's \
                 (at change {version}).",
                shown.display()
            )));
        }
    }
    Ok(applied.last().map_or(0, |(version, _, _)| *version))
}

/// One schema object as `sqlite_schema` lists it: (type, name) → (table, SQL).
type Schema = BTreeMap<(String, String), (String, Option<String>)>;

async fn schema_of(conn: &mut SqliteConnection) -> Result<Schema, StoreError> {
    let rows: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT type, name, tbl_name, sql FROM sqlite_schema")
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(kind, name, table, sql)| ((kind, name), (table, sql)))
        .collect())
}

/// What a database created by this version holds.
async fn new_schema() -> Result<Schema, StoreError> {
    let options = untrusting(SqliteConnectOptions::from_str("sqlite::memory:")?);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    MIGRATIONS.run_direct(&mut conn).await?;
    let schema = schema_of(&mut conn).await;
    let _ = conn.close().await;
    schema
}

/// Brings the scratch copy up to date and compares its schema with a new database's.
async fn compare_with_new(migrated: &Path, shown: &Path) -> Result<(), StoreError> {
    let mut conn = SqliteConnection::connect_with(&backup_options(migrated)).await?;
    let theirs = async {
        MIGRATIONS.run_direct(&mut conn).await.map_err(|e| {
            refuse(format!(
                "{} was not restored: its schema cannot be brought up to date ({e}).",
                shown.display()
            ))
        })?;
        schema_of(&mut conn).await
    }
    .await;
    let _ = conn.close().await;
    match schema_difference(&new_schema().await?, &theirs?) {
        Some(difference) => Err(refuse(format!(
            "{} was not restored: {difference}",
            shown.display()
        ))),
        None => Ok(()),
    }
}

/// The first way `theirs` differs from `ours`, in words: objects Leadscout never creates first,
/// then changed ones, then missing ones.
fn schema_difference(ours: &Schema, theirs: &Schema) -> Option<String> {
    // Names come from the file: quoted with escapes, and cut short.
    let named = |kind: &str, name: &str| {
        let short: String = name.chars().take(80).collect();
        format!("{kind} {short:?}")
    };
    let extra = theirs.keys().find(|key| !ours.contains_key(*key));
    if let Some((kind, name)) = extra {
        return Some(format!(
            "it holds a {} that Leadscout does not create.",
            named(kind, name)
        ));
    }
    let changed = theirs
        .iter()
        .find(|(key, object)| ours.get(*key).is_some_and(|o| o != *object));
    if let Some(((kind, name), _)) = changed {
        return Some(format!(
            "its {} is not the one Leadscout creates.",
            named(kind, name)
        ));
    }
    let missing = ours.keys().find(|key| !theirs.contains_key(*key));
    missing.map(|(kind, name)| format!("it lacks the {} that Leadscout needs.", named(kind, name)))
}
