//! About the running app.

use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::{AppState, IpcError};

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub database_path: String,
}

/// The app's version and where it keeps its data.
#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.display().to_string(),
        database_path: state.database_path.display().to_string(),
    })
}
