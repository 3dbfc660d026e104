//! Native notifications for finished and failed research runs. The engine calls [`Notifier`]
//! at most once per run; delivery problems (no notification server, no session bus) are logged
//! and never stop anything.

use std::collections::BTreeMap;

use leadscout_domain::{LeadId, RunStatus};
use leadscout_pipeline::{Notifier, Outcome};
use leadscout_store::Store;
use serde_json::Value;

pub const APP_NAME: &str = "Leadscout";

/// The summary and body of the notification for a run's outcome.
pub fn message(
    status: RunStatus,
    lead_name: &str,
    reason: Option<&str>,
    outputs: &BTreeMap<String, Value>,
) -> (String, String) {
    match status {
        RunStatus::Failed => (
            format!("Research failed: {lead_name}"),
            reason
                .unwrap_or("The research run stopped with an error.")
                .to_owned(),
        ),
        _ => {
            // The insights stage's headline when there is one; the research stages decide it.
            let headline = outputs
                .get("insights")
                .and_then(|i| i.get("headline"))
                .and_then(Value::as_str)
                .filter(|h| !h.trim().is_empty())
                .map(str::to_owned);
            (
                format!("Research ready: {lead_name}"),
                headline.unwrap_or_else(|| "Open the lead to see what was found.".to_owned()),
            )
        }
    }
}

/// Shows notifications through the desktop's notification service.
pub struct DesktopNotifier {
    store: Store,
}

impl DesktopNotifier {
    pub fn new(store: Store) -> DesktopNotifier {
        DesktopNotifier { store }
    }

    /// Looks the lead up and shows the notification; the D-Bus call blocks, so it runs on the
    /// blocking pool.
    pub async fn deliver(store: Store, outcome: Outcome) {
        let name = lead_name(&store, outcome.lead).await;
        let (summary, body) = message(
            outcome.status,
            &name,
            outcome.reason.as_deref(),
            &outcome.outputs,
        );
        let shown = tokio::task::spawn_blocking(move || show(&summary, &body)).await;
        match shown {
            Ok(Ok(())) => tracing::info!(run = %outcome.run, "notification shown"),
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

fn show(summary: &str, body: &str) -> Result<(), notify_rust::error::Error> {
    notify_rust::Notification::new()
        .appname(APP_NAME)
        .summary(summary)
        .body(body)
        .icon("leadscout")
        .show()
        .map(|_| ())
}

impl Notifier for DesktopNotifier {
    fn notify(&self, outcome: &Outcome) {
        let store = self.store.clone();
        let outcome = outcome.clone();
        tokio::spawn(DesktopNotifier::deliver(store, outcome));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
            "insights".into(),
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
