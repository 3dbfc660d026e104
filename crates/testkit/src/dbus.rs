//! A private D-Bus session bus, a fake org.freedesktop.Notifications server on it (the
//! notification, reminder, crash and tray tests) and gnome-keyring's Secret Service (the keychain
//! test). The notification server behaves like a desktop's: it
//! answers Notify with an id, and sends ActionInvoked when told the user clicked.

use std::collections::HashMap;
use std::io::Write;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// (app name, summary, body) of every notification received.
pub type Received = Arc<Mutex<Vec<(String, String, String)>>>;

pub const PATH: &str = "/org/freedesktop/Notifications";

pub struct FakeServer {
    pub received: Received,
    /// The action keys and labels each notification offered, in order.
    pub offered: Arc<Mutex<Vec<Vec<String>>>>,
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
        actions: Vec<String>,
        _hints: HashMap<String, zbus::OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        // Every notification offers the click action first (research: open the lead;
        // reminders add Done and the snoozes after it).
        assert_eq!(actions.first().map(String::as_str), Some("default"));
        self.offered.lock().unwrap().push(actions);
        let mut received = self.received.lock().unwrap();
        received.push((app_name, summary, body));
        u32::try_from(received.len()).unwrap()
    }

    /// What a desktop sends when the user clicks a notification.
    #[zbus(signal)]
    pub async fn action_invoked(
        emitter: &zbus::object_server::SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "actions".into()]
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
pub struct Bus {
    daemon: Child,
    pub address: String,
}

impl Bus {
    pub fn start() -> Bus {
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

/// Serves a fake notification service on the bus at `address` until the connection is dropped.
pub async fn serve_notifications(address: &str) -> (zbus::Connection, Received) {
    let received: Received = Arc::default();
    let connection = zbus::connection::Builder::address(address)
        .name("org.freedesktop.Notifications")
        .serve_at(
            PATH,
            FakeServer {
                received: received.clone(),
                offered: Arc::default(),
            },
        )
        .build()
        .await
        .unwrap();
    (connection, received)
}

/// gnome-keyring's secrets component on the given bus, unlocked, with its files in `home`.
pub struct GnomeKeyring(Child);

impl GnomeKeyring {
    pub fn start(bus: &str, home: &std::path::Path) -> GnomeKeyring {
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let mut child = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .env("HOME", home)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_DATA_HOME", home.join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring is installed by `make test`");
        // The login keyring's password, read once from stdin.
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"leadscout-test-password").unwrap();
        drop(stdin);
        GnomeKeyring(child)
    }
}

impl Drop for GnomeKeyring {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until the Secret Service answers on the bus.
pub async fn wait_for_secrets(bus: &str) {
    let connection = zbus::connection::Builder::address(bus)
        .build()
        .await
        .unwrap();
    let proxy = zbus::fdo::DBusProxy::new(&connection).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let name = zbus::names::BusName::try_from("org.freedesktop.secrets").unwrap();
        if proxy.name_has_owner(name).await.unwrap_or(false) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the Secret Service never appeared"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
