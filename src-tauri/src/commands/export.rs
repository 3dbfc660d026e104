//! Export (CSV, JSON, vCard) and backup, to files the user picks in a save dialog that Rust
//! opens: the window says what to write, never where.

use std::path::PathBuf;

use leadscout_domain::Timestamp;
use leadscout_import::{to_csv, to_json, to_vcard};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::files::{self, FileKind, FileRequest};
use crate::{AppState, IpcError, IpcErrorCode};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    Csv,
    /// CSV with a UTF-8 byte-order mark, so Excel shows accents right.
    CsvExcel,
    Json,
    Vcard,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    /// Where it was written, to tell the user.
    pub path: String,
    /// Leads written (0 for a backup or an import report).
    pub leads: u32,
    pub bytes: u32,
}

/// Checks that a chosen place can take a file.
pub(crate) fn destination(path: PathBuf) -> Result<PathBuf, IpcError> {
    let parent_ok = path
        .parent()
        .is_some_and(|p| p.as_os_str().is_empty() || p.is_dir());
    if path.as_os_str().is_empty() || !parent_ok || path.is_dir() {
        return Err(IpcError {
            code: IpcErrorCode::Validation,
            message: format!("{} is not a place a file can be saved.", path.display()),
            field: Some("file".into()),
        });
    }
    Ok(path)
}

/// Writes beside the target and renames, so a full disk never leaves half a file.
pub(crate) async fn write(path: PathBuf, bytes: Vec<u8>) -> Result<u32, IpcError> {
    let len = bytes.len();
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || {
        let partial = path.with_extension("partial");
        std::fs::write(&partial, &bytes)
            .and_then(|()| std::fs::rename(&partial, &path))
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&partial);
            })
    })
    .await
    .map_err(|e| IpcError::new(IpcErrorCode::Internal, e.to_string()))?
    .map_err(|e| IpcError {
        code: IpcErrorCode::Validation,
        message: format!("Could not write {shown}: {e}"),
        field: Some("file".into()),
    })?;
    Ok(u32::try_from(len).unwrap_or(u32::MAX))
}

/// Asks where to save and writes every lead there in the chosen format; `None` when the user
/// cancelled the dialog.
#[tauri::command]
#[specta::specta]
pub async fn export_leads(
    state: State<'_, AppState>,
    format: ExportFormat,
) -> Result<Option<Written>, IpcError> {
    let (kind, extension) = match format {
        ExportFormat::Csv | ExportFormat::CsvExcel => (FileKind::Csv, "csv"),
        ExportFormat::Json => (FileKind::Json, "json"),
        ExportFormat::Vcard => (FileKind::Vcard, "vcf"),
    };
    let request = FileRequest::Save {
        kind,
        name: format!("leadscout-leads-{}.{extension}", Timestamp::now().date()),
    };
    let Some(target) = files::choose(state.files(), request).await? else {
        return Ok(None);
    };
    let target = destination(target)?;
    let store = state.store()?;
    let leads = store.export_details().await?;
    let stages = store.stages().await?;
    let bytes = match format {
        ExportFormat::Csv => to_csv(&leads, &stages, false),
        ExportFormat::CsvExcel => to_csv(&leads, &stages, true),
        ExportFormat::Json => to_json(&leads, &stages, Timestamp::now()),
        ExportFormat::Vcard => Ok(to_vcard(&leads).into_bytes()),
    }
    .map_err(|e| IpcError::new(IpcErrorCode::Internal, e))?;
    let bytes = write(target.clone(), bytes).await?;
    Ok(Some(Written {
        path: target.display().to_string(),
        leads: u32::try_from(leads.len()).unwrap_or(u32::MAX),
        bytes,
    }))
}

/// Asks where to save and writes a consistent copy of the whole database there, taken while the
/// app runs; `None` when the user cancelled the dialog.
#[tauri::command]
#[specta::specta]
pub async fn backup_database(state: State<'_, AppState>) -> Result<Option<Written>, IpcError> {
    let request = FileRequest::Save {
        kind: FileKind::Backup,
        name: format!("leadscout-backup-{}.sqlite3", Timestamp::now().date()),
    };
    let Some(target) = files::choose(state.files(), request).await? else {
        return Ok(None);
    };
    let target = destination(target)?;
    let bytes = state
        .store()?
        .backup_to(&target)
        .await
        .map_err(|e| IpcError {
            code: IpcErrorCode::Storage,
            message: format!("The backup could not be written: {e}"),
            field: Some("file".into()),
        })?;
    Ok(Some(Written {
        path: target.display().to_string(),
        leads: 0,
        bytes: u32::try_from(bytes).unwrap_or(u32::MAX),
    }))
}
