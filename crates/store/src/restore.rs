//! Restoring a backup: the file is checked before anything is replaced, staged beside the
//! database, and swapped in when the app next starts (the open database cannot be replaced
//! under a running app). The data it replaces is kept beside it.

use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use crate::{StoreError, DATABASE_FILE, MIGRATIONS};

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

/// Opens `path` read-only and checks that it is a whole Leadscout database this version can
/// use: SQLite's integrity check passes, the tables are there, and its schema is not newer.
pub async fn check_backup(path: &Path) -> Result<BackupCheck, StoreError> {
    if !path.is_file() {
        return Err(refuse(format!("{} is not a file.", path.display())));
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| refuse(format!("{} is not a Leadscout backup: {e}", path.display())))?;
    let result = async {
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await
            .map_err(|e| refuse(format!("{} is not a Leadscout backup: {e}", path.display())))?;
        if integrity != "ok" {
            return Err(refuse(format!(
                "{} is damaged (SQLite says: {integrity}); nothing was restored.",
                path.display()
            )));
        }
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' \
             AND name IN ('leads', 'pipeline_stages', '_sqlx_migrations')",
        )
        .fetch_one(&pool)
        .await?;
        if tables != 3 {
            return Err(refuse(format!(
                "{} is a database, but not a Leadscout one.",
                path.display()
            )));
        }
        let version: i64 = sqlx::query_scalar(
            "SELECT coalesce(MAX(version), 0) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(&pool)
        .await?;
        let ours = MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0);
        if version > ours {
            return Err(refuse(format!(
                "{} was made by a newer Leadscout; update Leadscout to restore it.",
                path.display()
            )));
        }
        let leads: i64 = sqlx::query_scalar("SELECT count(*) FROM leads WHERE deleted_at IS NULL")
            .fetch_one(&pool)
            .await?;
        Ok(BackupCheck {
            leads,
            schema_version: version,
        })
    }
    .await;
    pool.close().await;
    result
}

/// Checks the backup and stages a copy of it in `data_dir` for the next start.
pub async fn stage_restore(backup: &Path, data_dir: &Path) -> Result<BackupCheck, StoreError> {
    let check = check_backup(backup).await?;
    let staged = data_dir.join(RESTORE_FILE);
    let partial = staged.with_extension("partial");
    std::fs::copy(backup, &partial)
        .and_then(|_| std::fs::rename(&partial, &staged))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            refuse(format!("Could not copy {}: {e}", backup.display()))
        })?;
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
    if let Err(err) = check_backup(&staged).await {
        let rejected = data_dir.join(format!("{RESTORE_FILE}.rejected-{now_ms}"));
        let _ = std::fs::rename(&staged, &rejected);
        return Err(err);
    }
    let database = data_dir.join(DATABASE_FILE);
    let kept = data_dir.join(format!("{DATABASE_FILE}.before-restore-{now_ms}"));
    if database.is_file() {
        std::fs::rename(&database, &kept)
            .map_err(|e| refuse(format!("Could not set the current data aside: {e}")))?;
        for suffix in ["-wal", "-shm"] {
            let side = data_dir.join(format!("{DATABASE_FILE}{suffix}"));
            if side.is_file() {
                let _ = std::fs::rename(
                    &side,
                    data_dir.join(format!("{DATABASE_FILE}.before-restore-{now_ms}{suffix}")),
                );
            }
        }
    }
    std::fs::rename(&staged, &database)
        .map_err(|e| refuse(format!("Could not put the backup in place: {e}")))?;
    Ok(database.is_file().then_some(kept))
}
