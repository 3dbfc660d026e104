//! The files chosen for import, held in the backend: the window gets an [`ImportId`] for each,
//! never its path, and asks to import or to save the report of "import 3".

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use super::{ImportId, ImportSummary};

/// Chosen files kept: the import dialog uses the latest; a few more cost nothing.
const KEPT: usize = 8;

struct Chosen {
    id: ImportId,
    path: PathBuf,
    /// What the last import of this file did, for its report.
    summary: Option<ImportSummary>,
}

#[derive(Default)]
struct Inner {
    last_id: u32,
    chosen: VecDeque<Chosen>,
    /// The file last dropped on the window, until the import dialog takes it.
    dropped: Option<PathBuf>,
}

#[derive(Default)]
pub struct ChosenFiles(Mutex<Inner>);

impl ChosenFiles {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        // The data stays consistent whatever a panicking holder did (each step is one push or
        // one assignment), so a poisoned lock is used as it is.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `path` and returns the handle the window will use for it.
    pub fn add(&self, path: PathBuf) -> ImportId {
        let mut inner = self.inner();
        inner.last_id += 1;
        let id = ImportId(inner.last_id);
        if inner.chosen.len() == KEPT {
            inner.chosen.pop_front();
        }
        inner.chosen.push_back(Chosen {
            id,
            path,
            summary: None,
        });
        id
    }

    pub fn path(&self, id: ImportId) -> Option<PathBuf> {
        let inner = self.inner();
        inner
            .chosen
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.path.clone())
    }

    pub fn finished(&self, id: ImportId, summary: ImportSummary) {
        if let Some(chosen) = self.inner().chosen.iter_mut().find(|c| c.id == id) {
            chosen.summary = Some(summary);
        }
    }

    pub fn summary(&self, id: ImportId) -> Option<ImportSummary> {
        let inner = self.inner();
        inner
            .chosen
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.summary.clone())
    }

    pub fn dropped(&self, path: PathBuf) {
        self.inner().dropped = Some(path);
    }

    pub fn take_dropped(&self) -> Option<PathBuf> {
        self.inner().dropped.take()
    }
}
