//! Notifications against a fake org.freedesktop.Notifications server on a private D-Bus session
//! bus: what a salesperson sees when research finishes or fails, and that a desktop without a
//! notification service is survivable.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use leadscout_app::notifications::{DesktopNotifier, APP_NAME};
use leadscout_domain::{NewLead, RunId, RunStatus, Timestamp};
use leadscout_pipeline::Outcome;
use leadscout_store::{Store, DATABASE_FILE};
use serde_json::json;

/// (app name, summary, body) of every notification received.
type Received = Arc<Mutex<Vec<(String, String, String)>>>;

struct FakeServer {
    received: Received,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl FakeServer {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, zbus::OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut received = self.received.lock().unwrap();
        received.push((app_name, summary, body));
        u32::try_from(received.len()).unwrap()
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "fake".into(),
            "leadscout-tests".into(),
            "1.0".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

/// A private session bus, stopped when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    fn start() -> Bus {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon is installed by `make test`");
        let mut line = String::new();
        BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Bus {
            daemon,
            address: line.trim().to_owned(),
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

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

    // A bus without a notification server: logged, nothing else happens.
    let bus = Bus::start();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    DesktopNotifier::deliver(
        store.clone(),
        outcome(RunStatus::Succeeded, None, BTreeMap::new()),
    )
    .await;

    // With a server: the lead's name, and the headline or the reason.
    let received: Received = Arc::default();
    let _server = zbus::connection::Builder::address(bus.address.as_str())
        .name("org.freedesktop.Notifications")
        .serve_at(
            "/org/freedesktop/Notifications",
            FakeServer {
                received: received.clone(),
            },
        )
        .build()
        .await
        .unwrap();
    let mut outputs = BTreeMap::new();
    outputs.insert(
        "insights".to_owned(),
        json!({ "headline": "Series B, hiring 12 engineers" }),
    );
    DesktopNotifier::deliver(store.clone(), outcome(RunStatus::Succeeded, None, outputs)).await;
    DesktopNotifier::deliver(
        store.clone(),
        outcome(
            RunStatus::Failed,
            Some("The website did not answer within 15 s."),
            BTreeMap::new(),
        ),
    )
    .await;
    let got = received.lock().unwrap().clone();
    assert_eq!(
        got,
        [
            (
                APP_NAME.to_owned(),
                "Research ready: Ada Lovelace".to_owned(),
                "Series B, hiring 12 engineers".to_owned()
            ),
            (
                APP_NAME.to_owned(),
                "Research failed: Ada Lovelace".to_owned(),
                "The website did not answer within 15 s.".to_owned()
            ),
        ]
    );

    // No session bus at all.
    drop(bus);
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/leadscout-test-bus",
    );
    DesktopNotifier::deliver(store, outcome(RunStatus::Succeeded, None, BTreeMap::new())).await;
}
