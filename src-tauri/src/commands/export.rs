//! Export (CSV, JSON, vCard) and backup, to files the user picks in a save dialog that Rust
//! opens: the window says what to write, never where.

use tauri::State;

use crate::files::{self, FileKind, FileRequest};
use crate::{AppState, IpcError};

pub use leadscout_application::{ExportFormat, Written};

/// Asks where to save and writes every lead there in the chosen format; `None` when the user
/// cancelled the dialog.
#[tauri::command]
#[specta::specta]
pub async fn export_leads(
    state: State<'_, AppState>,
    format: ExportFormat,
) -> Result<Option<Written>, IpcError> {
    let kind = match format {
        ExportFormat::Csv | ExportFormat::CsvExcel => FileKind::Csv,
        ExportFormat::Json => FileKind::Json,
        ExportFormat::Vcard => FileKind::Vcard,
    };
    let request = FileRequest::Save {
        kind,
        name: format.suggested_name(),
    };
    let Some(target) = files::choose(state.files(), request).await? else {
        return Ok(None);
    };
    let written = state.app()?.export_leads(format, target).await?;
    state.memory.soon();
    Ok(Some(written))
}

/// Asks where to save and writes a consistent copy of the whole database there, taken while the
/// app runs; `None` when the user cancelled the dialog.
#[tauri::command]
#[specta::specta]
pub async fn backup_database(state: State<'_, AppState>) -> Result<Option<Written>, IpcError> {
    let request = FileRequest::Save {
        kind: FileKind::Backup,
        name: leadscout_application::backup_name(),
    };
    let Some(target) = files::choose(state.files(), request).await? else {
        return Ok(None);
    };
    Ok(Some(state.app()?.backup(target).await?))
}
