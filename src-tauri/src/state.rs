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
    /// Held while the app runs: a second copy on the same data folder finds it taken and leaves
    /// background research to the first. `None` when another copy holds it.
    instance_lock: Option<std::fs::File>,
    /// The research engine, once started (never in the command tests' mock runtime).
    research: std::sync::OnceLock<crate::research::Research>,
    /// Told to the user at start: a restore that was applied, or refused.
    pub notice: Option<String>,
    /// Tells the window how far an import got (set when a window exists; tests have none).
    pub import_progress: std::sync::OnceLock<std::sync::Arc<dyn Fn(u32) + Send + Sync>>,
    /// Opens a `mailto:` link in the user's mail client (set when a window exists; tests have
    /// none, and then a draft can only be copied).
    pub open_mail: std::sync::OnceLock<OpenMail>,
    /// Set by "cancel" while an import runs; checked between batches.
    pub import_cancel: std::sync::atomic::AtomicBool,
    /// Where API keys are kept: the OS keychain.
    pub keychain: std::sync::Arc<dyn leadscout_llm::keys::Keychain>,
    /// Opens the open and save dialogs (the window never names a file).
    files: std::sync::Arc<dyn crate::files::FileChooser>,
    /// The files chosen for import, by the handle the window holds.
    pub chosen: crate::commands::import::ChosenFiles,
}

/// How the app opens a `mailto:` link; the error is for the log.
pub type OpenMail = std::sync::Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// The folder under the data folder where prompt overrides live (`<id>.md`).
pub const PROMPTS_FOLDER: &str = "prompts";

impl AppState {
    /// Where the user's prompt overrides live.
    pub fn prompts_dir(&self) -> PathBuf {
        self.data_dir.join(PROMPTS_FOLDER)
    }

    pub async fn open(data_dir: PathBuf) -> AppState {
        let database_path = data_dir.join(DATABASE_FILE);
        let mut notice = None;
        let store = match create_private_dir(&data_dir) {
            Ok(()) => {
                // A backup staged by "restore" replaces the data now, before anything opens it.
                match leadscout_store::apply_staged_restore(
                    &data_dir,
                    leadscout_domain::Timestamp::now().0,
                )
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
                Store::open(&database_path).await.map_err(|e| e.to_string())
            }
            Err(err) => Err(format!("{err:#}")),
        };
        match &store {
            Ok(_) => tracing::info!(path = %database_path.display(), "database open"),
            Err(reason) => tracing::error!(%reason, "database unavailable"),
        }
        let instance_lock = match &store {
            Ok(_) => lock_instance(&data_dir),
            Err(_) => None,
        };
        AppState {
            data_dir,
            database_path,
            store,
            instance_lock,
            notice,
            import_progress: std::sync::OnceLock::new(),
            import_cancel: std::sync::atomic::AtomicBool::new(false),
            open_mail: std::sync::OnceLock::new(),
            research: std::sync::OnceLock::new(),
            keychain: std::sync::Arc::new(leadscout_llm::keys::OsKeychain),
            files: std::sync::Arc::new(crate::files::NoDialogs),
            chosen: Default::default(),
        }
    }

    /// Uses `files` for the open and save dialogs: the native ones in the app, a script in tests.
    #[must_use]
    pub fn with_files(mut self, files: std::sync::Arc<dyn crate::files::FileChooser>) -> Self {
        self.files = files;
        self
    }

    pub fn files(&self) -> std::sync::Arc<dyn crate::files::FileChooser> {
        std::sync::Arc::clone(&self.files)
    }

    /// Whether this process is the only copy of the app on its data folder.
    pub fn sole_instance(&self) -> bool {
        self.instance_lock.is_some()
    }

    pub fn set_research(&self, research: crate::research::Research) {
        if self.research.set(research).is_err() {
            tracing::warn!("the research engine was already running");
        }
    }

    pub fn research(&self) -> Option<&crate::research::Research> {
        self.research.get()
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

/// Takes the data folder's instance lock (an OS file lock, released by the OS however the
/// process ends, a crash included).
fn lock_instance(data_dir: &std::path::Path) -> Option<std::fs::File> {
    let path = data_dir.join("leadscout.lock");
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
        Ok(()) => Some(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            tracing::warn!("another Leadscout window uses this data folder; it runs the research");
            None
        }
        Err(std::fs::TryLockError::Error(err)) => {
            tracing::warn!(error = %err, "cannot take the instance lock");
            None
        }
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
