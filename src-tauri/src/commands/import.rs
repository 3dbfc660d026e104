//! Importing a CSV export or a vCard file from the window: the file is chosen in a dialog Rust
//! opens, or dropped on the window; the window only holds its [`ImportId`]. Reading, mapping
//! and importing are the application layer's (`leadscout_application`).

mod chosen;

use std::path::PathBuf;

use leadscout_application::{import_report, MappingChoice};
use leadscout_domain::{Duplicates, PipelineId};
use leadscout_import::Mapping;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::files::{self, FileKind, FileRequest};
use crate::{AppState, IpcError, IpcErrorCode};

pub use chosen::ChosenFiles;
pub use leadscout_application::{file_name, ImportId, ImportPreview, ImportSummary, Written};

/// How many rows an import has read so far, sent after each batch.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct ImportProgress(pub u32);

/// A file was dropped on the window (its name); `preview_import` with `dropped` reads it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct FileDropped(pub String);

/// Where the file to import comes from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ImportSource {
    /// The open dialog, shown now.
    Dialog,
    /// The file last dropped on the window.
    Dropped,
}

/// Tauri's drag-and-drop window event: the first dropped file is kept here, in the backend, and
/// the window is told its name. The path itself never passes through the window.
pub fn file_dropped<R: tauri::Runtime>(app: &tauri::AppHandle<R>, paths: &[PathBuf]) {
    use tauri::Manager;
    use tauri_specta::Event;
    let (Some(path), Some(state)) = (paths.first(), app.try_state::<AppState>()) else {
        return;
    };
    let name = file_name(path);
    state.chosen.dropped(path.clone());
    if let Err(err) = FileDropped(name).emit(app) {
        tracing::debug!(error = %err, "could not tell the window about a dropped file");
    }
}

/// Stops the running import after its current batch (what was imported stays).
#[tauri::command]
#[specta::specta]
pub fn cancel_import(state: State<'_, AppState>) {
    state
        .import_cancel
        .store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Asks for a CSV or vCard file (or takes the one dropped on the window) and looks at it: how
/// it is written and what would be imported. `None` when the user cancelled the dialog.
#[tauri::command]
#[specta::specta]
pub async fn preview_import(
    state: State<'_, AppState>,
    source: ImportSource,
) -> Result<Option<ImportPreview>, IpcError> {
    let path = match source {
        ImportSource::Dialog => {
            let request = FileRequest::Open {
                kind: FileKind::Contacts,
            };
            match files::choose(state.files(), request).await? {
                Some(path) => path,
                None => return Ok(None),
            }
        }
        ImportSource::Dropped => state.chosen.take_dropped().ok_or_else(|| IpcError {
            code: IpcErrorCode::Validation,
            message: "No file was dropped on the window; drop it again or choose it.".into(),
            field: Some("file".into()),
        })?,
    };
    let mut preview = state
        .app()?
        .preview_import(&path, &MappingChoice::Suggested)
        .await?;
    preview.id = state.chosen.add(path);
    Ok(Some(preview))
}

/// The file behind an id, or why it is gone.
fn chosen_path(state: &AppState, id: ImportId) -> Result<PathBuf, IpcError> {
    state.chosen.path(id).ok_or_else(|| {
        IpcError::new(
            IpcErrorCode::NotFound,
            "That file is no longer open for import; choose it again.",
        )
    })
}

/// Imports the file with the mapping the user confirmed, into the first stage of `pipeline_id`
/// (the first pipeline's when `None`). Each batch of rows is one transaction;
/// bad rows are listed and never stop the good ones.
#[tauri::command]
#[specta::specta]
pub async fn run_import(
    state: State<'_, AppState>,
    id: ImportId,
    mapping: Mapping,
    duplicates: Duplicates,
    pipeline_id: Option<PipelineId>,
) -> Result<ImportSummary, IpcError> {
    let path = chosen_path(&state, id)?;
    let progress = state.import_progress.get().cloned();
    let summary = state
        .app()?
        .run_import_into(
            &path,
            &MappingChoice::Confirmed(mapping),
            duplicates,
            pipeline_id,
            progress.as_deref(),
            &state.import_cancel,
        )
        .await?;
    state.chosen.finished(id, summary.clone());
    state.memory.soon();
    Ok(summary)
}

/// Asks where to save the problems and left-out values of the import of `id` and writes them as
/// CSV (line, kind, message), to fix the file and import those rows again. The report is built
/// from what the backend holds; `None` when the user cancelled the dialog.
#[tauri::command]
#[specta::specta]
pub async fn save_import_report(
    state: State<'_, AppState>,
    id: ImportId,
) -> Result<Option<Written>, IpcError> {
    let summary = state.chosen.summary(id).ok_or_else(|| {
        IpcError::new(
            IpcErrorCode::NotFound,
            "That import is no longer open; import the file again to get its report.",
        )
    })?;
    let bytes = import_report(&summary)?;
    let request = FileRequest::Save {
        kind: FileKind::Csv,
        name: "leadscout-import-problems.csv".into(),
    };
    let Some(target) = files::choose(state.files(), request).await? else {
        return Ok(None);
    };
    let target = leadscout_application::destination(target)?;
    let bytes = leadscout_application::write(target.clone(), bytes).await?;
    Ok(Some(Written {
        path: target.display().to_string(),
        leads: 0,
        bytes,
    }))
}
