//! The log files a user can hand over.

use tauri::{AppHandle, Manager, Runtime, State};

use crate::logs::logs_dir;
use crate::{AppState, IpcError, IpcErrorCode};

/// Opens the folder holding the app's log files in the system's file manager, creating it when
/// nothing has been logged yet. Answers the folder's path, for the UI to show.
#[tauri::command]
#[specta::specta]
pub fn open_logs_folder<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<String, IpcError> {
    let dir = logs_dir(&state.data_dir);
    let shown = dir.display().to_string();
    std::fs::create_dir_all(&dir).map_err(|err| {
        IpcError::new(
            IpcErrorCode::Storage,
            format!("The logs folder {shown} could not be created: {err}"),
        )
    })?;
    let Some(opener) = app.try_state::<tauri_plugin_opener::Opener<R>>() else {
        return Err(IpcError::new(
            IpcErrorCode::Internal,
            format!("Leadscout cannot open folders here; the logs are in {shown}"),
        ));
    };
    opener
        .open_path(dir.to_string_lossy(), None::<&str>)
        .map_err(|err| {
            IpcError::new(
                IpcErrorCode::Internal,
                format!("The logs folder {shown} could not be opened ({err}); open it yourself from a file manager"),
            )
        })?;
    Ok(shown)
}
