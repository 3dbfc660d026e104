//! Export (CSV, JSON, vCard) and backup, to files the user picked.

use std::path::PathBuf;

use leadscout_domain::Timestamp;
use leadscout_import::{to_csv, to_json, to_vcard};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

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
    pub path: String,
    /// Leads written (0 for a backup).
    pub leads: u32,
    pub bytes: u32,
}

fn destination(path: &str) -> Result<PathBuf, IpcError> {
    let path = PathBuf::from(path.trim());
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

async fn write(path: PathBuf, bytes: Vec<u8>) -> Result<u32, IpcError> {
    let len = bytes.len();
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || {
        // Written beside the target and renamed, so a full disk never leaves half a file.
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

/// Writes every lead to `path` in the chosen format.
#[tauri::command]
#[specta::specta]
pub async fn export_leads(
    state: State<'_, AppState>,
    path: String,
    format: ExportFormat,
) -> Result<Written, IpcError> {
    let target = destination(&path)?;
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
    Ok(Written {
        path: target.display().to_string(),
        leads: u32::try_from(leads.len()).unwrap_or(u32::MAX),
        bytes,
    })
}

/// A consistent copy of the whole database, taken while the app runs.
#[tauri::command]
#[specta::specta]
pub async fn backup_database(
    state: State<'_, AppState>,
    path: String,
) -> Result<Written, IpcError> {
    let target = destination(&path)?;
    let bytes = state
        .store()?
        .backup_to(&target)
        .await
        .map_err(|e| IpcError {
            code: IpcErrorCode::Storage,
            message: format!("The backup could not be written: {e}"),
            field: Some("file".into()),
        })?;
    Ok(Written {
        path: target.display().to_string(),
        leads: 0,
        bytes: u32::try_from(bytes).unwrap_or(u32::MAX),
    })
}
