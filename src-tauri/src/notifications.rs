//! Native notifications for finished and failed research runs. The engine calls [`Notifier`]
//! at most once per run; delivery problems (no notification server, no session bus) are logged
//! and never stop anything.

use std::collections::BTreeMap;

use std::sync::Arc;

use leadscout_domain::{CompanyProfile, LeadId, RunStatus, StepKey};
use leadscout_store::Store;
use leadscout_workflow::{Notifier, Outcome};
use serde_json::Value;

pub const APP_NAME: &str = "Leadscout";

/// The summary and body of the notification for a run's outcome.
pub fn message(
    status: RunStatus,
    lead_name: &str,
    reason: Option<&str>,
    outputs: &BTreeMap<StepKey, Value>,
) -> (String, String) {
    match status {
        RunStatus::Failed => (
            format!("Research failed: {lead_name}"),
            reason
                .unwrap_or("The research run stopped with an error.")
                .to_owned(),
        ),
        _ => {
            // A model step that did not finish: the website research did, and says so.
            let ai_failed = [StepKey::Footprint, StepKey::Insights]
                .iter()
                .find_map(|step| {
                    outputs
                        .get(step)
                        .and_then(|o| o.get("failed"))
                        .and_then(Value::as_str)
                        .filter(|r| !r.trim().is_empty())
                });
            if let Some(reason) = ai_failed {
                return (
                    format!("Research ready: {lead_name}"),
                    format!("The website research finished; the AI step did not. {reason}"),
                );
            }
            // The insights stage's headline when there is one, else the company profile's.
            let headline = outputs
                .get(&StepKey::Insights)
                .and_then(|i| i.get("headline"))
                .and_then(Value::as_str)
                .filter(|h| !h.trim().is_empty())
                .map(str::to_owned)
                .or_else(|| {
                    outputs
                        .get(&StepKey::Profile)
                        .and_then(|p| serde_json::from_value::<CompanyProfile>(p.clone()).ok())
                        .map(|p| p.headline())
                });
            (
                format!("Research ready: {lead_name}"),
                headline.unwrap_or_else(|| "Open the lead to see what was found.".to_owned()),
            )
        }
    }
}

/// What clicking a notification does: open the lead in the window.
pub type OpenLeadFn = Arc<dyn Fn(LeadId) + Send + Sync>;

/// Shows notifications through the desktop's notification service.
#[derive(Clone)]
pub struct DesktopNotifier {
    store: Store,
    open: OpenLeadFn,
    /// The UTC day research was last said to be paused: once a day is enough.
    paused_on: Arc<std::sync::Mutex<Option<String>>>,
}

impl DesktopNotifier {
    pub fn new(store: Store, open: OpenLeadFn) -> DesktopNotifier {
        DesktopNotifier {
            store,
            open,
            paused_on: Arc::default(),
        }
    }

    /// Shows the notification for an outcome unless the user switched notifications off. The
    /// D-Bus call blocks, so it runs on the blocking pool; waiting for a click gets a thread of
    /// its own, which ends when the notification is clicked or closed.
    pub async fn deliver(&self, outcome: Outcome) {
        match self.store.settings().await {
            Ok(settings) if !settings.notifications => {
                tracing::info!(run = %outcome.run, "notifications are off");
                return;
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "could not read settings; notifying anyway"),
        }
        let name = lead_name(&self.store, outcome.lead).await;
        let (summary, body) = message(
            outcome.status,
            &name,
            outcome.reason.as_deref(),
            &outcome.outputs,
        );
        let shown = tokio::task::spawn_blocking(move || show(&summary, &body)).await;
        match shown {
            Ok(Ok(handle)) => {
                tracing::info!(run = %outcome.run, "notification shown");
                let open = Arc::clone(&self.open);
                let lead = outcome.lead;
                let waiter = std::thread::Builder::new()
                    .name("notification-click".into())
                    .spawn(move || wait_for_click(handle, lead, open));
                if let Err(err) = waiter {
                    tracing::warn!(error = %err, "cannot listen for notification clicks");
                }
            }
            Ok(Err(err)) => {
                tracing::warn!(run = %outcome.run, error = %err, "could not show a notification")
            }
            Err(err) => {
                tracing::warn!(run = %outcome.run, error = %err, "notification task failed")
            }
        }
    }
}

async fn lead_name(store: &Store, lead: LeadId) -> String {
    match store.lead(lead).await {
        Ok(Some(lead)) => lead.full_name,
        _ => "a lead".to_owned(),
    }
}

/// Text for a notification body, which servers read as markup (the Desktop Notifications
/// Specification's subset of XML: `<b>`, `<i>`, `<a href>`...): `&`, `<` and `>` escaped, so
/// a company's or a model's words are shown as written and cannot add a link or an image.
pub fn body_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            other => out.push(other),
        }
    }
    out
}

/// The click action every notification offers; desktops invoke it when the body is clicked.
pub const OPEN_ACTION: &str = "default";

fn show(
    summary: &str,
    body: &str,
) -> Result<notify_rust::NotificationHandle, notify_rust::error::Error> {
    notify_rust::Notification::new()
        .appname(APP_NAME)
        .summary(summary)
        .body(&body_markup(body))
        .icon("leadscout")
        .action(OPEN_ACTION, "Open lead")
        .show()
}

#[cfg(all(unix, not(target_os = "macos")))]
fn wait_for_click(handle: notify_rust::NotificationHandle, lead: LeadId, open: OpenLeadFn) {
    handle.wait_for_action(|action| {
        if action == OPEN_ACTION {
            open(lead);
        }
    });
}

/// macOS and Windows notifications have no click callback through notify-rust; clicking them
/// brings the app forward by the platform's own means.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn wait_for_click(_handle: notify_rust::NotificationHandle, _lead: LeadId, _open: OpenLeadFn) {}

impl Notifier for DesktopNotifier {
    fn notify(&self, outcome: &Outcome) {
        let notifier = self.clone();
        let outcome = outcome.clone();
        tokio::spawn(async move { notifier.deliver(outcome).await });
    }

    fn paused(&self, _lead: LeadId, reason: &str) {
        let today = leadscout_domain::Timestamp::now().date();
        {
            let Ok(mut last) = self.paused_on.lock() else {
                return;
            };
            if last.as_deref() == Some(today.as_str()) {
                return;
            }
            *last = Some(today);
        }
        let store = self.store.clone();
        let reason = reason.to_owned();
        tokio::spawn(async move {
            if matches!(store.settings().await, Ok(s) if !s.notifications) {
                return;
            }
            let shown = tokio::task::spawn_blocking(move || show("Research paused", &reason)).await;
            if !matches!(shown, Ok(Ok(_))) {
                tracing::warn!("could not show the research-paused notification");
            }
        });
    }
}

/// What the user chose on a follow-up reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderAction {
    Open(LeadId),
    Done(LeadId),
    Snooze(LeadId, leadscout_domain::Snooze),
    /// The grouped notification of reminders missed while the app was closed.
    OpenToday,
}

/// The action keys a reminder offers beside its click, with their labels: the desktop shows
/// them as buttons where its notification server supports actions; elsewhere the same choices
/// are the Today view's and the lead's buttons.
pub const REMINDER_ACTIONS: [(&str, &str); 4] = [
    ("done", "Done"),
    ("snooze-hour", "Snooze 1 hour"),
    ("snooze-tomorrow", "Tomorrow"),
    ("snooze-week", "Next week"),
];

/// The action a reminder's key stands for.
pub fn reminder_action(lead: LeadId, key: &str) -> Option<ReminderAction> {
    use leadscout_domain::Snooze;
    Some(match key {
        OPEN_ACTION => ReminderAction::Open(lead),
        "done" => ReminderAction::Done(lead),
        "snooze-hour" => ReminderAction::Snooze(lead, Snooze::OneHour),
        "snooze-tomorrow" => ReminderAction::Snooze(lead, Snooze::Tomorrow),
        "snooze-week" => ReminderAction::Snooze(lead, Snooze::NextWeek),
        _ => return None,
    })
}

pub type ReminderActionFn = Arc<dyn Fn(ReminderAction) + Send + Sync>;

/// Shows follow-up reminders and hands the user's choice on them to `act`.
#[derive(Clone)]
pub struct ReminderNotifier {
    act: ReminderActionFn,
}

impl ReminderNotifier {
    pub fn new(act: ReminderActionFn) -> ReminderNotifier {
        ReminderNotifier { act }
    }

    /// Shows one reminder (or the group of missed ones); a click or an action is passed to the
    /// notifier's handler from a thread that waits for it.
    pub async fn show(&self, reminder: leadscout_store::Reminder) {
        use leadscout_store::Reminder;
        let (summary, body, lead) = match &reminder {
            Reminder::Due(follow_up) => {
                let (summary, body) = follow_up.message();
                (summary, body, Some(follow_up.lead_id))
            }
            Reminder::Missed(missed) => {
                let (summary, body) = leadscout_domain::missed_message(missed);
                (summary, body, None)
            }
        };
        let shown = tokio::task::spawn_blocking(move || {
            let mut notification = notify_rust::Notification::new();
            notification
                .appname(APP_NAME)
                .summary(&summary)
                .body(&body_markup(&body))
                .icon("leadscout");
            match lead {
                Some(_) => {
                    notification.action(OPEN_ACTION, "Open lead");
                    for (key, label) in REMINDER_ACTIONS {
                        notification.action(key, label);
                    }
                }
                None => {
                    notification.action(OPEN_ACTION, "Open Today");
                }
            }
            notification.show()
        })
        .await;
        match shown {
            Ok(Ok(handle)) => {
                tracing::info!(?lead, "reminder shown");
                let act = Arc::clone(&self.act);
                let waiter = std::thread::Builder::new()
                    .name("reminder-action".into())
                    .spawn(move || wait_for_reminder_action(handle, lead, act));
                if let Err(err) = waiter {
                    tracing::warn!(error = %err, "cannot listen for reminder actions");
                }
            }
            Ok(Err(err)) => tracing::warn!(error = %err, "could not show a reminder"),
            Err(err) => tracing::warn!(error = %err, "reminder task failed"),
        }
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn wait_for_reminder_action(
    handle: notify_rust::NotificationHandle,
    lead: Option<LeadId>,
    act: ReminderActionFn,
) {
    handle.wait_for_action(|key| {
        let action = match lead {
            Some(lead) => reminder_action(lead, key),
            None => (key == OPEN_ACTION).then_some(ReminderAction::OpenToday),
        };
        if let Some(action) = action {
            act(action);
        }
    });
}

/// macOS and Windows: no action callback through notify-rust; the Today view has the buttons.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn wait_for_reminder_action(
    _handle: notify_rust::NotificationHandle,
    _lead: Option<LeadId>,
    _act: ReminderActionFn,
) {
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Issue 18: a company name or model summary with `<a href>` or `&` reached the
    /// notification server as markup.
    #[test]
    fn bodies_are_escaped_for_the_notification_servers_markup() {
        assert_eq!(
            body_markup("Fit 80/100 · R&D <b>bold</b> <a href=\"https://evil.example\">x</a> <img src=x>"),
            "Fit 80/100 · R&amp;D &lt;b&gt;bold&lt;/b&gt; &lt;a href=\"https://evil.example\"&gt;x&lt;/a&gt; &lt;img src=x&gt;"
        );
        assert_eq!(body_markup("plain words"), "plain words");
    }

    /// Issue 17: a model step that failed cost the website research; now the run is done and
    /// the notification says the AI step did not finish, and why.
    #[test]
    fn a_failed_ai_step_is_named_in_a_finished_research_notification() {
        let outputs = BTreeMap::from([
            (
                StepKey::Footprint,
                json!({ "failed": "The model repeated itself until it ran out of room; a larger model usually fixes this." }),
            ),
            (
                StepKey::Insights,
                json!({ "skipped": "No insights: the facts step did not finish." }),
            ),
        ]);
        assert_eq!(
            message(RunStatus::Succeeded, "Ada", None, &outputs),
            (
                "Research ready: Ada".into(),
                "The website research finished; the AI step did not. The model repeated itself until it ran out of room; a larger model usually fixes this.".into()
            )
        );
    }

    #[test]
    fn messages_name_the_lead_and_say_what_happened() {
        let mut outputs = BTreeMap::new();
        assert_eq!(
            message(RunStatus::Succeeded, "Ada Lovelace", None, &outputs),
            (
                "Research ready: Ada Lovelace".into(),
                "Open the lead to see what was found.".into()
            )
        );
        outputs.insert(
            StepKey::Insights,
            json!({ "headline": "Hiring 12 engineers after a Series B" }),
        );
        assert_eq!(
            message(RunStatus::Succeeded, "Ada", None, &outputs).1,
            "Hiring 12 engineers after a Series B"
        );
        assert_eq!(
            message(
                RunStatus::Failed,
                "Ada",
                Some("The website did not answer."),
                &outputs
            ),
            (
                "Research failed: Ada".into(),
                "The website did not answer.".into()
            )
        );
    }
}
