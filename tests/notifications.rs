//! Notifications against a fake org.freedesktop.Notifications server on a private D-Bus session
//! bus: what a salesperson sees when research finishes or fails, and that a desktop without a
//! notification service is survivable.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_testkit::dbus;
use std::collections::BTreeMap;
use std::sync::Arc;

use leadscout_app::notifications::{DesktopNotifier, APP_NAME};
use leadscout_domain::{LeadId, NewLead, RunId, RunStatus, Timestamp};
use leadscout_store::{Store, DATABASE_FILE};
use leadscout_workflow::Outcome;
use serde_json::json;

use dbus::{Bus, FakeServer, PATH};

async fn store_with_lead() -> (Store, leadscout_domain::LeadId, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let draft = NewLead {
        full_name: "Ada Lovelace".into(),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    let lead = store
        .create_lead(&draft, Timestamp::now())
        .await
        .unwrap()
        .id;
    (store, lead, dir)
}

// One test function: the bus address is process-wide environment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_and_failed_runs_notify_and_a_missing_server_is_not_fatal() {
    let (store, lead, _dir) = store_with_lead().await;
    let outcome = |status, reason: Option<&str>, outputs| Outcome {
        run: RunId(1),
        lead,
        status,
        reason: reason.map(str::to_owned),
        outputs,
    };

    let (opened_tx, mut opened) = tokio::sync::mpsc::unbounded_channel::<LeadId>();
    let notifier = DesktopNotifier::new(
        store.clone(),
        Arc::new(move |lead| {
            let _ = opened_tx.send(lead);
        }),
    );

    // A bus without a notification server: logged, nothing else happens.
    let bus = Bus::start();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    notifier
        .deliver(outcome(RunStatus::Succeeded, None, BTreeMap::new()))
        .await;

    // With a server: the lead's name, and the headline or the reason.
    let (server, received) = dbus::serve_notifications(&bus.address).await;
    let mut outputs = BTreeMap::new();
    outputs.insert(
        leadscout_domain::StepKey::Insights,
        json!({ "headline": "Series B & hiring <b>12</b> engineers" }),
    );
    notifier
        .deliver(outcome(RunStatus::Succeeded, None, outputs))
        .await;
    notifier
        .deliver(outcome(
            RunStatus::Failed,
            Some("The website did not answer within 15 s."),
            BTreeMap::new(),
        ))
        .await;
    let got = received.lock().unwrap().clone();
    assert_eq!(
        got,
        [
            (
                APP_NAME.to_owned(),
                "Research ready: Ada Lovelace".to_owned(),
                // Escaped for the server's body markup: shown as written, never as markup.
                "Series B &amp; hiring &lt;b&gt;12&lt;/b&gt; engineers".to_owned()
            ),
            (
                APP_NAME.to_owned(),
                "Research failed: Ada Lovelace".to_owned(),
                "The website did not answer within 15 s.".to_owned()
            ),
        ]
    );

    // Clicking the first notification opens its lead. The click listener subscribes on its
    // own connection after `show` returns, so the desktop's signal is repeated until it lands.
    let iface = server
        .object_server()
        .interface::<_, FakeServer>(PATH)
        .await
        .unwrap();
    let clicked = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            FakeServer::action_invoked(iface.signal_emitter(), 1, "default")
                .await
                .unwrap();
            tokio::select! {
                lead = opened.recv() => break lead,
                () = tokio::time::sleep(std::time::Duration::from_millis(100)) => {}
            }
        }
    })
    .await
    .expect("the click on the notification never opened the lead");
    assert_eq!(clicked, Some(lead));

    // Switched off in settings: nothing is shown.
    let mut settings = store.settings().await.unwrap();
    settings.notifications = false;
    store
        .save_settings(&settings, Timestamp::now())
        .await
        .unwrap();
    notifier
        .deliver(outcome(RunStatus::Succeeded, None, BTreeMap::new()))
        .await;
    assert_eq!(received.lock().unwrap().len(), 2);
    settings.notifications = true;
    store
        .save_settings(&settings, Timestamp::now())
        .await
        .unwrap();

    // No session bus at all.
    drop(bus);
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/leadscout-test-bus",
    );
    notifier
        .deliver(outcome(RunStatus::Succeeded, None, BTreeMap::new()))
        .await;
}
