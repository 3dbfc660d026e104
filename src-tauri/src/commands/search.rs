//! Search from anywhere in the app.

use leadscout_domain::SearchHit;
use tauri::State;

use crate::{AppState, IpcError};

/// How many results the search box shows.
const SEARCH_LIMIT: u32 = 20;

/// Leads, companies and notes matching what the user typed, best first.
#[tauri::command]
#[specta::specta]
pub async fn search(state: State<'_, AppState>, query: String) -> Result<Vec<SearchHit>, IpcError> {
    Ok(state.store()?.search(&query, SEARCH_LIMIT).await?)
}
