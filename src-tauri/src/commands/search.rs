//! Search from anywhere in the app.

use leadscout_domain::SearchHit;
use tauri::State;

use crate::{AppState, IpcError};

/// Leads, companies and notes matching what the user typed, best first.
#[tauri::command]
#[specta::specta]
pub async fn search(state: State<'_, AppState>, query: String) -> Result<Vec<SearchHit>, IpcError> {
    Ok(state.app()?.search(&query).await?)
}
