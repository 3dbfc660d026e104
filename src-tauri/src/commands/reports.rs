//! The reports page: the forecast and every report, computed by the store and the domain.

use leadscout_domain::{PipelineId, Reports};
use tauri::State;

use crate::{AppState, IpcError};

/// Every report of one pipeline (the first when `None`). `offset_minutes` is the window's
/// offset from UTC (east positive, the negation of JavaScript's `getTimezoneOffset()`), so that
/// months are the user's own.
#[tauri::command]
#[specta::specta]
pub async fn get_reports(
    state: State<'_, AppState>,
    offset_minutes: i32,
    pipeline_id: Option<PipelineId>,
) -> Result<Reports, IpcError> {
    let reports = state.app()?.reports(offset_minutes, pipeline_id).await?;
    state.memory.soon();
    Ok(reports)
}
