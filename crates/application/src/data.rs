//! The data folder: where it is, and the lock that says which process runs research on it.

use std::path::{Path, PathBuf};

use crate::{AppError, ErrorCode};

/// Set this to keep Leadscout's data somewhere other than the OS app-data folder.
pub const DATA_DIR_ENV: &str = "LEADSCOUT_DATA_DIR";

/// The app's identifier (tauri.conf.json): its data folder's name under the OS data folder.
pub const APP_IDENTIFIER: &str = "app.leadscout.desktop";

/// The data folder's lock file. The process holding it runs research; others only queue it.
pub const LOCK_FILE: &str = "leadscout.lock";

/// The OS app-data folder as Tauri names it: `~/.local/share/app.leadscout.desktop` on Linux,
/// `~/Library/Application Support/app.leadscout.desktop` on macOS, `%APPDATA%\...` on Windows.
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER))
}

/// The data folder: `LEADSCOUT_DATA_DIR` when set, else `os_default`.
pub fn resolve_data_dir(os_default: Option<PathBuf>) -> Result<PathBuf, AppError> {
    match std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => os_default.ok_or_else(|| {
            AppError::new(
                ErrorCode::Storage,
                "The operating system reports no app-data folder; set LEADSCOUT_DATA_DIR.",
            )
        }),
    }
}

/// The folder's lock, held until dropped (the OS releases it however the process ends).
#[derive(Debug)]
pub struct DataLock(#[allow(dead_code)] std::fs::File);

/// Takes the data folder's lock; `None` when another process holds it (or it cannot be made,
/// which is logged: research is then left to whoever can).
pub fn lock_data_dir(data_dir: &Path) -> Option<DataLock> {
    let path = data_dir.join(LOCK_FILE);
    let file = match std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    {
        Ok(file) => file,
        Err(err) => {
            tracing::warn!(path = %path.display(), error = %err, "cannot create the instance lock");
            return None;
        }
    };
    match file.try_lock() {
        Ok(()) => Some(DataLock(file)),
        Err(std::fs::TryLockError::WouldBlock) => {
            tracing::info!("another Leadscout process uses this data folder; it runs the research");
            None
        }
        Err(std::fs::TryLockError::Error(err)) => {
            tracing::warn!(error = %err, "cannot take the instance lock");
            None
        }
    }
}

/// The data folder opened: its database, and what to tell the user about a staged restore
/// that was applied (or refused) on the way.
pub struct Opened {
    pub store: leadscout_store::Store,
    pub notice: Option<String>,
}

/// Creates the data folder (owner-only) when missing, applies a backup "restore" staged for the
/// next start, and opens the database. Call it only where the folder's lock is held or no other
/// process can be using it: a staged restore replaces the database file.
pub async fn open_data_dir(data_dir: &Path) -> Result<Opened, String> {
    create_private_dir(data_dir).map_err(|err| format!("{err:#}"))?;
    let mut notice = None;
    match leadscout_store::apply_staged_restore(data_dir, leadscout_domain::Timestamp::now().0)
        .await
    {
        Ok(Some(kept)) => {
            tracing::info!(kept = %kept.display(), "backup restored");
            notice = Some(format!(
                "Restored from the backup. The data it replaced is kept at {}.",
                kept.display()
            ));
        }
        Ok(None) => {}
        Err(err) => {
            tracing::error!(error = %err, "staged backup refused");
            notice = Some(format!("The backup was not restored: {err}"));
        }
    }
    let store = leadscout_store::Store::open(&data_dir.join(leadscout_store::DATABASE_FILE))
        .await
        .map_err(|e| e.to_string())?;
    Ok(Opened { store, notice })
}

/// Opens the database only, creating the folder when missing: for a process that does not hold
/// the lock (a staged restore is left for the lock holder's next start).
pub async fn open_database(data_dir: &Path) -> Result<leadscout_store::Store, String> {
    create_private_dir(data_dir).map_err(|err| format!("{err:#}"))?;
    leadscout_store::Store::open(&data_dir.join(leadscout_store::DATABASE_FILE))
        .await
        .map_err(|e| e.to_string())
}

/// Creates the data folder readable by its owner only: it holds the user's whole pipeline.
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("could not create the data folder {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("could not restrict access to {}", dir.display()))?;
    }
    Ok(())
}
