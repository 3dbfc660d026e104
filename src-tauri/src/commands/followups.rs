//! Follow-ups and the Today view: a lead's next step with a date and time, snooze and done from
//! the window, and the stale-deal rules.

use leadscout_domain::{
    due_instant, FollowUp, FollowUpInput, Lead, LeadId, Snooze, StaleRule, Timestamp, TodayView,
};
use tauri::State;

use crate::reminders::SystemZone;
use crate::{AppState, IpcError, IpcErrorCode};

/// Sets a lead's next step, date and optional time; it reminds then (09:00 without a time).
#[tauri::command]
#[specta::specta]
pub async fn set_follow_up(
    state: State<'_, AppState>,
    id: LeadId,
    input: FollowUpInput,
) -> Result<Lead, IpcError> {
    let draft = input.validate()?;
    let due = draft
        .date
        .as_deref()
        .and_then(|date| due_instant(&SystemZone, date, draft.time.as_deref()));
    Ok(state
        .store()?
        .set_follow_up(id, &draft, due, Timestamp::now())
        .await?)
}

/// Puts a follow-up off; `null` when the lead has none any more.
#[tauri::command]
#[specta::specta]
pub async fn snooze_follow_up(
    state: State<'_, AppState>,
    id: LeadId,
    snooze: Snooze,
) -> Result<Option<FollowUp>, IpcError> {
    let until = snooze.until(Timestamp::now(), &SystemZone);
    Ok(state.store()?.snooze_follow_up(id, until).await?)
}

/// Marks a follow-up done (logged on the timeline); `null` when it already was.
#[tauri::command]
#[specta::specta]
pub async fn complete_follow_up(
    state: State<'_, AppState>,
    id: LeadId,
) -> Result<Option<Lead>, IpcError> {
    Ok(state
        .store()?
        .complete_follow_up(id, Timestamp::now())
        .await?)
}

/// Overdue, today's and the week's follow-ups, stale deals, and research finished since Today
/// was last looked at.
#[tauri::command]
#[specta::specta]
pub async fn today(state: State<'_, AppState>) -> Result<TodayView, IpcError> {
    Ok(state.store()?.today(Timestamp::now(), &SystemZone).await?)
}

/// The research Today listed has been seen.
#[tauri::command]
#[specta::specta]
pub async fn mark_today_seen(state: State<'_, AppState>) -> Result<(), IpcError> {
    Ok(state.store()?.mark_today_seen(Timestamp::now()).await?)
}

/// The leads the board marks stale.
#[tauri::command]
#[specta::specta]
pub async fn stale_leads(state: State<'_, AppState>) -> Result<Vec<LeadId>, IpcError> {
    let stale = state.store()?.stale_leads(Timestamp::now()).await?;
    Ok(stale.into_iter().map(|s| s.lead_id).collect())
}

/// Days without activity after which a deal in each stage is stale.
#[tauri::command]
#[specta::specta]
pub async fn stale_rules(state: State<'_, AppState>) -> Result<Vec<StaleRule>, IpcError> {
    Ok(state.store()?.stale_rules().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_stale_rules(
    state: State<'_, AppState>,
    rules: Vec<StaleRule>,
) -> Result<(), IpcError> {
    if let Some(rule) = rules
        .iter()
        .find(|r| r.days == 0 || r.days > leadscout_domain::MAX_STALE_DAYS)
    {
        return Err(IpcError::new(
            IpcErrorCode::Validation,
            format!(
                "Choose between 1 and {} days ({} was given).",
                leadscout_domain::MAX_STALE_DAYS,
                rule.days
            ),
        ));
    }
    Ok(state
        .store()?
        .save_stale_rules(&rules, Timestamp::now())
        .await?)
}
