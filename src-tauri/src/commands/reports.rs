//! The reports page: the forecast and every report, computed by the store and the domain.

use leadscout_domain::Reports;
use tauri::State;

use crate::{AppState, IpcError};

/// Every report. `offset_minutes` is the window's offset from UTC (east positive, the negation
/// of JavaScript's `getTimezoneOffset()`), so that months are the user's own.
#[tauri::command]
#[specta::specta]
pub async fn get_reports(
    state: State<'_, AppState>,
    offset_minutes: i32,
) -> Result<Reports, IpcError> {
    // Real offsets lie within ±14 hours; anything else is a broken clock, read as UTC.
    let offset = if offset_minutes.abs() <= 14 * 60 {
        offset_minutes
    } else {
        0
    };
    let reports = state.store()?.reports(offset).await?;
    state.memory.soon();
    Ok(reports)
}
