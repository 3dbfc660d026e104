//! About the running app.

use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Runtime, State};

use crate::files::{self, FileKind, FileRequest};
use crate::{AppState, IpcError};

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub database_path: String,
    /// Something the user should hear about at start (a restore that happened, or did not).
    pub notice: Option<String>,
}

/// The app's version and where it keeps its data.
#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.display().to_string(),
        database_path: state.database_path.display().to_string(),
        notice: state.notice.clone(),
    })
}

pub use leadscout_application::RestoreStaged;

/// Asks for a backup, checks it and stages it: it replaces the current data when Leadscout next
/// starts, and the current data is kept beside it. `None` when the user cancelled the dialog.
#[tauri::command]
#[specta::specta]
pub async fn restore_database(
    state: State<'_, AppState>,
) -> Result<Option<RestoreStaged>, IpcError> {
    let request = FileRequest::Open {
        kind: FileKind::Backup,
    };
    let Some(backup) = files::choose(state.files(), request).await? else {
        return Ok(None);
    };
    Ok(Some(
        leadscout_application::stage_restore(&backup, &state.data_dir).await?,
    ))
}

/// Whether Leadscout starts when the user logs in (read from the system's login entry).
#[tauri::command]
#[specta::specta]
pub async fn start_at_login<R: Runtime>(app: AppHandle<R>) -> Result<bool, IpcError> {
    crate::autostart::is_enabled(&app)
}

/// Adds Leadscout to the programs started at login, or removes it; answers the state the system
/// now has.
#[tauri::command]
#[specta::specta]
pub async fn set_start_at_login<R: Runtime>(
    app: AppHandle<R>,
    enabled: bool,
) -> Result<bool, IpcError> {
    crate::autostart::set_enabled(&app, enabled)
}
