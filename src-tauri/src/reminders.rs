//! Follow-up reminders in the app: the system's time zone, the timer that ticks the headless
//! scheduler (`leadscout_store::Reminders`) and what a reminder's actions do.

use std::sync::Arc;
use std::time::Duration;

use leadscout_domain::{LeadId, LocalZone, SystemClock, Timestamp};
use leadscout_store::{Reminders, Store};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;
use tokio_util::sync::CancellationToken;

use crate::notifications::{ReminderAction, ReminderNotifier};

/// How often due reminders are looked for: a reminder is at most this late.
pub const TICK: Duration = Duration::from_secs(20);

/// The operating system's time zone (daylight saving included), read on every use so a
/// change of zone while the app runs is followed.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemZone;

impl LocalZone for SystemZone {
    fn instant(&self, date: &str, minutes: u32) -> Option<Timestamp> {
        let date: jiff::civil::Date = date.parse().ok()?;
        let hour = i8::try_from(minutes / 60).ok()?;
        let minute = i8::try_from(minutes % 60).ok()?;
        // A time skipped by a clock change is taken as the instant after the gap.
        let at = jiff::tz::TimeZone::system()
            .to_timestamp(date.at(hour, minute, 0, 0))
            .ok()?;
        Some(Timestamp(at.as_millisecond()))
    }

    fn date_of(&self, at: Timestamp) -> String {
        match jiff::Timestamp::from_millisecond(at.0) {
            Ok(t) => t.to_zoned(jiff::tz::TimeZone::system()).date().to_string(),
            Err(_) => at.date(),
        }
    }
}

/// Follow-ups changed outside the window (a notification's Done or Snooze): reload them.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct FollowUpsChanged(pub LeadId);

/// Open the Today view (the tray menu, the missed-reminders notification).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct OpenToday;

/// Starts the reminder timer on the app's runtime; it stops with `shutdown`.
pub fn start<R: Runtime>(app: &AppHandle<R>, store: Store, shutdown: CancellationToken) {
    let reminders = Reminders::new(store, Arc::new(SystemClock), Arc::new(SystemZone));
    let handle = app.clone();
    let acting = reminders.clone();
    let notifier = ReminderNotifier::new(Arc::new(move |action| {
        let handle = handle.clone();
        let reminders = acting.clone();
        tauri::async_runtime::spawn(async move { act(&handle, &reminders, action).await });
    }));
    tauri::async_runtime::spawn(async move {
        let mut first = true;
        loop {
            match reminders.tick().await {
                Ok(due) => {
                    let shown = due.len();
                    for reminder in due {
                        notifier.show(reminder).await;
                    }
                    if first {
                        tracing::info!(shown, "follow-up reminders: first look done");
                    }
                }
                Err(err) => tracing::warn!(error = %err, "could not look for due reminders"),
            }
            first = false;
            tokio::select! {
                () = tokio::time::sleep(TICK) => {}
                () = shutdown.cancelled() => break,
            }
        }
    });
    tracing::info!("follow-up reminders started");
}

/// Carries out what the user chose on a reminder.
pub async fn act<R: Runtime>(app: &AppHandle<R>, reminders: &Reminders, action: ReminderAction) {
    match action {
        ReminderAction::Open(lead) => crate::research::open_lead(app, lead),
        ReminderAction::OpenToday => {
            crate::research::show_window(app);
            if let Err(err) = OpenToday.emit(app) {
                tracing::warn!(error = %err, "could not ask the window to open Today");
            }
        }
        ReminderAction::Done(_) | ReminderAction::Snooze(..) => {
            if let Some(lead) = apply(reminders, action).await {
                if let Err(err) = FollowUpsChanged(lead).emit(app) {
                    tracing::debug!(error = %err, "could not tell the window follow-ups changed");
                }
            }
        }
    }
}

/// The data side of a reminder's Done and Snooze: the lead whose follow-up changed, if any.
pub async fn apply(reminders: &Reminders, action: ReminderAction) -> Option<LeadId> {
    let (lead, result) = match action {
        ReminderAction::Done(lead) => (lead, reminders.done(lead).await.map(|l| l.is_some())),
        ReminderAction::Snooze(lead, snooze) => (
            lead,
            reminders.snooze(lead, snooze).await.map(|f| f.is_some()),
        ),
        ReminderAction::Open(_) | ReminderAction::OpenToday => return None,
    };
    match result {
        Ok(true) => Some(lead),
        Ok(false) => None,
        Err(err) => {
            tracing::warn!(%lead, error = %err, "could not change a follow-up from its reminder");
            None
        }
    }
}
