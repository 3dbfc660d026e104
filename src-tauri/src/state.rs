//! What the app holds while it runs: where its data lives and the open database.

use std::path::PathBuf;

use anyhow::Context;
use leadscout_store::{Store, DATABASE_FILE};

use crate::{IpcError, IpcErrorCode};

/// Set this to keep Leadscout's data somewhere other than the OS app-data folder.
pub const DATA_DIR_ENV: &str = "LEADSCOUT_DATA_DIR";

/// The app's data folder: `LEADSCOUT_DATA_DIR` when set, else the OS app-data folder.
pub fn resolve_data_dir(os_default: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let dir = match std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => os_default.context("the operating system reports no app-data folder")?,
    };
    Ok(dir)
}

pub struct AppState {
    pub data_dir: PathBuf,
    pub database_path: PathBuf,
    /// The open database, or why it could not be opened. The window opens either way so the
    /// user sees the reason instead of an app that silently does not start.
    store: Result<Store, String>,
}

impl AppState {
    pub async fn open(data_dir: PathBuf) -> AppState {
        let database_path = data_dir.join(DATABASE_FILE);
        let store = match create_private_dir(&data_dir) {
            Ok(()) => Store::open(&database_path).await.map_err(|e| e.to_string()),
            Err(err) => Err(format!("{err:#}")),
        };
        match &store {
            Ok(_) => tracing::info!(path = %database_path.display(), "database open"),
            Err(reason) => tracing::error!(%reason, "database unavailable"),
        }
        AppState {
            data_dir,
            database_path,
            store,
        }
    }

    pub fn store(&self) -> Result<&Store, IpcError> {
        self.store.as_ref().map_err(|reason| {
            IpcError::new(
                IpcErrorCode::Storage,
                format!("Leadscout could not open its database: {reason}"),
            )
        })
    }
}

/// Creates the data folder readable by its owner only: it holds the user's whole pipeline.
fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
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
