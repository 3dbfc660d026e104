//! Saved views: named filters of the leads, pinned to the top bar.

use leadscout_domain::{CustomCondition, CustomMatches, NewView, SavedView, Timestamp, ViewId};
use tauri::State;

use crate::{AppState, IpcError};

/// Every saved view.
#[tauri::command]
#[specta::specta]
pub async fn saved_views(state: State<'_, AppState>) -> Result<Vec<SavedView>, IpcError> {
    Ok(state.store()?.saved_views().await?)
}

/// Saves a view under its name, replacing one with the same name.
#[tauri::command]
#[specta::specta]
pub async fn save_view(state: State<'_, AppState>, view: NewView) -> Result<SavedView, IpcError> {
    let store = state.store()?;
    let view = view.validate(&store.custom_fields().await?)?;
    Ok(store.save_view(&view, Timestamp::now()).await?)
}

/// Deletes a saved view.
#[tauri::command]
#[specta::specta]
pub async fn delete_view(state: State<'_, AppState>, id: ViewId) -> Result<(), IpcError> {
    Ok(state.store()?.delete_view(id).await?)
}

/// Which leads a view's custom-field conditions let through (the board intersects them with
/// its own filter); conditions on deleted fields are dropped and named.
#[tauri::command]
#[specta::specta]
pub async fn custom_matches(
    state: State<'_, AppState>,
    conditions: Vec<CustomCondition>,
) -> Result<CustomMatches, IpcError> {
    Ok(state.store()?.custom_matches(&conditions).await?)
}
