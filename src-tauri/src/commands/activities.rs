//! Logging touches from the board and the drawer, and closing a lost deal with its reason.

use leadscout_domain::{due_instant, Lead, LogActivity, LoggedActivity, NewLostReason, Timestamp};
use tauri::State;

use crate::reminders::SystemZone;
use crate::{AppState, IpcError};

/// Logs a call (with its outcome), email, meeting or note, and sets the lead's next follow-up
/// in the same write when one is given. Answers the entry and the updated lead.
#[tauri::command]
#[specta::specta]
pub async fn log_activity(
    state: State<'_, AppState>,
    input: LogActivity,
) -> Result<LoggedActivity, IpcError> {
    let draft = input.activity.validate()?;
    let follow_up = input.follow_up.as_ref().map(|f| f.validate()).transpose()?;
    // The reminder instant is the date and time in the user's zone, as the drawer sets it.
    let due = follow_up.as_ref().and_then(|f| {
        f.date
            .as_deref()
            .and_then(|date| due_instant(&SystemZone, date, f.time.as_deref()))
    });
    let (activity, lead) = state
        .store()?
        .log_activity(
            &draft,
            follow_up.as_ref().map(|f| (f, due)),
            Timestamp::now(),
        )
        .await?;
    Ok(LoggedActivity { activity, lead })
}

/// Records why a lead in a lost stage was lost.
#[tauri::command]
#[specta::specta]
pub async fn set_lost_reason(
    state: State<'_, AppState>,
    input: NewLostReason,
) -> Result<Lead, IpcError> {
    let (reason, note) = input.validate()?;
    Ok(state
        .store()?
        .set_lost_reason(input.lead_id, reason, note.as_deref(), Timestamp::now())
        .await?)
}
