//! What the app holds while it runs: where its data lives and the open database.

use std::path::PathBuf;
use std::sync::Arc;

use leadscout_application::{DataLock, Leadscout};
use leadscout_store::{Store, DATABASE_FILE};

use crate::{IpcError, IpcErrorCode};

pub use leadscout_application::{resolve_data_dir, DATA_DIR_ENV, PROMPTS_FOLDER};

pub struct AppState {
    pub data_dir: PathBuf,
    pub database_path: PathBuf,
    /// The open database, or why it could not be opened. The window opens either way so the
    /// user sees the reason instead of an app that silently does not start.
    store: Result<Store, String>,
    /// Held while the app runs: a second copy on the same data folder finds it taken and leaves
    /// background research to the first. `None` when another copy holds it.
    instance_lock: Option<DataLock>,
    /// Why research is held (paused from the tray, offline); the engine follows it.
    pub hold: crate::tray::ResearchHold,
    /// The research engine, once started (never in the command tests' mock runtime).
    research: std::sync::OnceLock<Arc<crate::research::Research>>,
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
    /// Hands memory back to the system after a large load (the board, reports, an import).
    pub memory: crate::memory::Trimmer,
}

/// How the app opens a `mailto:` link; the error is for the log.
pub type OpenMail = std::sync::Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

impl AppState {
    /// Where the user's prompt overrides live.
    pub fn prompts_dir(&self) -> PathBuf {
        self.data_dir.join(PROMPTS_FOLDER)
    }

    pub async fn open(data_dir: PathBuf) -> AppState {
        let database_path = data_dir.join(DATABASE_FILE);
        // A backup staged by "restore" replaces the data now, before anything opens it.
        let (store, notice) = match leadscout_application::open_data_dir(&data_dir).await {
            Ok(opened) => (Ok(opened.store), opened.notice),
            Err(reason) => (Err(reason), None),
        };
        match &store {
            Ok(_) => tracing::info!(path = %database_path.display(), "database open"),
            Err(reason) => tracing::error!(%reason, "database unavailable"),
        }
        let instance_lock = match &store {
            Ok(_) => leadscout_application::lock_data_dir(&data_dir),
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
            hold: Default::default(),
            keychain: std::sync::Arc::new(leadscout_llm::keys::OsKeychain),
            files: std::sync::Arc::new(crate::files::NoDialogs),
            chosen: Default::default(),
            memory: crate::memory::Trimmer::start(),
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
        if self.research.set(Arc::new(research)).is_err() {
            tracing::warn!("the research engine was already running");
        }
    }

    pub fn research(&self) -> Option<&crate::research::Research> {
        self.research.get().map(Arc::as_ref)
    }

    /// The use cases on this data folder, with the research engine when this process runs it.
    pub fn app(&self) -> Result<Leadscout, IpcError> {
        Ok(Leadscout::new(
            self.store()?.clone(),
            self.data_dir.clone(),
            Arc::clone(&self.keychain),
        )
        .with_research(self.research.get().cloned()))
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
