//! Leadscout's use cases, one function each, with no window attached: the desktop app's
//! commands and the command line both call these, so a rule (which lead research starts for,
//! how a file is read for import, what a backup checks) is written once.
//!
//! [`Leadscout`] is the open data folder: its database, its keychain and, in the process that
//! holds the folder's lock, the running research engine.

mod custom_fields;
mod data;
mod error;
mod import;
mod leads;
mod prompts;
pub mod research;
mod settings;
mod stages;
mod transfer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use leadscout_llm::keys::Keychain;
use leadscout_store::Store;

pub use data::{
    default_data_dir, lock_data_dir, open_data_dir, open_database, resolve_data_dir, DataLock,
    Opened, APP_IDENTIFIER, DATA_DIR_ENV, LOCK_FILE,
};
pub use error::{AppError, ErrorCode};
pub use import::{
    file_name, import_report, ImportId, ImportPreview, ImportSummary, MappingChoice, PreviewRow,
    UnmappedColumn,
};
pub use leads::{SkippedLead, SEARCH_LIMIT};
pub use prompts::{PromptInfo, PROMPTS_FOLDER};
pub use research::{Research, ResearchEstimate, ResearchRequest, TEST_ALLOW_ENV};
pub use transfer::{
    backup_name, destination, stage_restore, write, ExportFormat, RestoreStaged, Written,
};

/// One open data folder and what works on it.
#[derive(Clone)]
pub struct Leadscout {
    store: Store,
    data_dir: PathBuf,
    keychain: Arc<dyn Keychain>,
    /// The research engine, in the process that runs it (the one holding the folder's lock).
    research: Option<Arc<Research>>,
}

impl Leadscout {
    pub fn new(store: Store, data_dir: PathBuf, keychain: Arc<dyn Keychain>) -> Self {
        Leadscout {
            store,
            data_dir,
            keychain,
            research: None,
        }
    }

    /// The same, with the engine that runs research in this process: queued runs wake it.
    #[must_use]
    pub fn with_research(mut self, research: Option<Arc<Research>>) -> Self {
        self.research = research;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn keychain(&self) -> Arc<dyn Keychain> {
        Arc::clone(&self.keychain)
    }

    pub fn research(&self) -> Option<&Arc<Research>> {
        self.research.as_ref()
    }

    /// Where the user's prompt overrides live (`<id>.md`).
    pub fn prompts_dir(&self) -> PathBuf {
        self.data_dir.join(PROMPTS_FOLDER)
    }

    /// Tells a running engine (if this process has one) that a run was queued. Without one the
    /// run waits in the database: the process holding the lock finds it at its next look.
    fn queued(&self, run: Option<leadscout_domain::RunId>, lead: leadscout_domain::LeadId) {
        if let (Some(run), Some(research)) = (run, &self.research) {
            research.queued(run, lead);
        }
    }
}
