//! The follow-up reminder path end to end: a clock the test advances, the real scheduler over a
//! real SQLite file, and notifications shown through a fake org.freedesktop.Notifications
//! server on a private D-Bus session bus, whose actions the test invokes like a user would.
//! Due -> notified once -> snooze -> notified again -> done; a restart with reminders missed
//! while the app was closed shows them once, grouped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_testkit::dbus;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use leadscout_app::notifications::{ReminderAction, ReminderNotifier, APP_NAME};
use leadscout_domain::{
    due_instant, Clock, FixedOffset, FollowUpInput, LeadId, LocalZone, NewLead, Snooze, Timestamp,
};
use leadscout_store::{Reminders, Store, DATABASE_FILE};

use dbus::{Bus, FakeServer, PATH};

const ZONE: FixedOffset = FixedOffset { minutes: -300 };

struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

fn local(date: &str, time: &str) -> Timestamp {
    due_instant(&ZONE, date, Some(time)).unwrap()
}

async fn add(store: &Store, name: &str, step: &str, date: &str, time: &str) -> LeadId {
    let draft = NewLead {
        full_name: name.into(),
        company_name: Some("Acme & Sons".into()),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    let lead = store
        .create_lead(&draft, local("2026-12-01", "08:00"))
        .await
        .unwrap()
        .id;
    let follow_up = FollowUpInput {
        next_step: Some(step.into()),
        date: Some(date.into()),
        time: Some(time.into()),
    }
    .validate()
    .unwrap();
    store
        .set_follow_up(
            lead,
            &follow_up,
            due_instant(&ZONE, date, Some(time)),
            local("2026-12-01", "08:00"),
        )
        .await
        .unwrap();
    lead
}

/// Clicks `action` on notification `id` until the notifier's listener hears it (it subscribes
/// on its own connection after the notification is shown, so one signal may come too early).
async fn invoke(
    server: &zbus::Connection,
    id: u32,
    action: &str,
    chosen: &mut tokio::sync::mpsc::UnboundedReceiver<ReminderAction>,
) -> ReminderAction {
    let iface = server
        .object_server()
        .interface::<_, FakeServer>(PATH)
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            FakeServer::action_invoked(iface.signal_emitter(), id, action)
                .await
                .unwrap();
            tokio::select! {
                got = chosen.recv() => break got.unwrap(),
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    })
    .await
    .expect("the notification's action never reached the app")
}

// One test function: the bus address is process-wide environment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_is_notified_once_snoozed_notified_again_done_and_missed_ones_grouped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let store = Store::open(&path).await.unwrap();
    let bus = Bus::start();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let (server, received) = dbus::serve_notifications(&bus.address).await;
    let offered = server
        .object_server()
        .interface::<_, FakeServer>(PATH)
        .await
        .unwrap()
        .get()
        .await
        .offered
        .clone();

    let ada = add(&store, "Ada", "Send the pilot terms", "2026-12-02", "14:30").await;
    let clock = Arc::new(TestClock(AtomicI64::new(local("2026-12-02", "09:00").0)));
    let reminders = Reminders::new(store.clone(), clock.clone(), Arc::new(ZONE));
    let (chosen_tx, mut chosen) = tokio::sync::mpsc::unbounded_channel();
    let notifier = ReminderNotifier::new(Arc::new(move |action| {
        let _ = chosen_tx.send(action);
    }));
    let tick = || async {
        let due = reminders.tick().await.unwrap();
        let n = due.len();
        for reminder in due {
            notifier.show(reminder).await;
        }
        n
    };

    // Not yet; then due: one notification naming the lead, its company and the step, with
    // Done and the three snoozes as actions.
    assert_eq!(tick().await, 0);
    clock
        .0
        .store(local("2026-12-02", "14:30").0, Ordering::SeqCst);
    assert_eq!(tick().await, 1);
    assert_eq!(tick().await, 0, "notified once");
    assert_eq!(
        received.lock().unwrap().clone(),
        [(
            APP_NAME.to_owned(),
            "Follow up: Ada (Acme & Sons)".to_owned(),
            "Send the pilot terms".to_owned()
        )]
    );
    assert_eq!(
        offered.lock().unwrap()[0],
        [
            "default",
            "Open lead",
            "done",
            "Done",
            "snooze-hour",
            "Snooze 1 hour",
            "snooze-tomorrow",
            "Tomorrow",
            "snooze-week",
            "Next week"
        ]
    );

    // "Snooze 1 hour" on the notification: quiet for the hour, then notified again, once.
    let action = invoke(&server, 1, "snooze-hour", &mut chosen).await;
    assert_eq!(action, ReminderAction::Snooze(ada, Snooze::OneHour));
    assert_eq!(
        leadscout_app::reminders::apply(&reminders, action).await,
        Some(ada)
    );
    clock.0.fetch_add(59 * 60_000, Ordering::SeqCst);
    assert_eq!(tick().await, 0);
    clock.0.fetch_add(60_000, Ordering::SeqCst);
    assert_eq!(tick().await, 1);
    assert_eq!(tick().await, 0);
    assert_eq!(received.lock().unwrap().len(), 2);

    // "Done": the follow-up is cleared and logged; it never reminds again.
    let action = invoke(&server, 2, "done", &mut chosen).await;
    assert_eq!(action, ReminderAction::Done(ada));
    assert_eq!(
        leadscout_app::reminders::apply(&reminders, action).await,
        Some(ada)
    );
    let lead = store.lead(ada).await.unwrap().unwrap();
    assert_eq!((lead.next_step, lead.follow_up_at), (None, None));
    clock.0.fetch_add(8 * 24 * 60 * 60_000, Ordering::SeqCst);
    assert_eq!(tick().await, 0);

    // The app stops; two follow-ups come due while it is closed; it starts again. One grouped
    // notification says so, once, however many times the app restarts after that.
    let now = clock.now();
    let day = |d: i64| ZONE.date_of(Timestamp(now.0 + d * 24 * 60 * 60_000));
    add(&store, "Grace", "Call back", &day(1), "10:00").await;
    add(&store, "Alan", "Send the deck", &day(2), "11:00").await;
    clock.0.fetch_add(3 * 24 * 60 * 60_000, Ordering::SeqCst);
    drop(reminders);
    let restarted = Reminders::new(store.clone(), clock.clone(), Arc::new(ZONE));
    let due = restarted.tick().await.unwrap();
    assert_eq!(due.len(), 1);
    for reminder in due {
        notifier.show(reminder).await;
    }
    let last = received.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (last.1.as_str(), last.2.as_str()),
        (
            "2 follow-ups came due while Leadscout was closed",
            "Grace: Call back\nAlan: Send the deck"
        )
    );
    assert_eq!(offered.lock().unwrap()[2], ["default", "Open Today"]);
    assert_eq!(
        invoke(&server, 3, "default", &mut chosen).await,
        ReminderAction::OpenToday
    );
    for _ in 0..2 {
        let again = Reminders::new(store.clone(), clock.clone(), Arc::new(ZONE));
        assert!(
            again.tick().await.unwrap().is_empty(),
            "no repeat after a restart"
        );
    }
    assert_eq!(received.lock().unwrap().len(), 3);
}
