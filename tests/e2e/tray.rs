//! The tray in the real app, driven as a desktop panel drives it: the app registers its
//! StatusNotifierItem with the panel's watcher (a fake one here, on a private session bus) and
//! exports its menu over D-Bus (com.canonical.dbusmenu); the test reads the menu's labels and
//! clicks its items with the same calls a panel makes. Launched as the login entry launches it
//! (`--minimized`), the window starts hidden in the tray.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fantoccini::key::Key;
use fantoccini::Client;
use zbus::{OwnedObjectPath, OwnedVariant as OwnedValue, Variant as Value};

use leadscout_testkit::dbus;

use crate::harness::{eventually, find, App};
use crate::setup;

/// The items that registered: (their connection's unique name, the service they named).
#[derive(Clone, Default)]
struct Watcher {
    items: Arc<Mutex<Vec<(String, String)>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        self.items.lock().unwrap().push((sender, service));
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        let items = self.items.lock().unwrap();
        items
            .iter()
            .map(|(sender, path)| format!("{sender}{path}"))
            .collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// The app's tray menu over D-Bus.
struct TrayMenu {
    connection: zbus::Connection,
    destination: String,
    path: OwnedObjectPath,
}

impl TrayMenu {
    /// Finds the menu of the item that registered with `watcher`.
    async fn find(connection: &zbus::Connection, watcher: &Watcher) -> TrayMenu {
        let (sender, service) = eventually("the tray icon registered with the panel", || async {
            watcher.items.lock().unwrap().first().cloned()
        })
        .await;
        // An item names either its object path (on its own connection) or a bus name.
        let (destination, item_path) = if service.starts_with('/') {
            (sender, service)
        } else {
            (service, "/StatusNotifierItem".to_owned())
        };
        let reply = connection
            .call_method(
                Some(destination.as_str()),
                item_path.as_str(),
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &("org.kde.StatusNotifierItem", "Menu"),
            )
            .await
            .unwrap();
        let menu: OwnedValue = reply.body().deserialize().unwrap();
        let path = OwnedObjectPath::try_from(menu).unwrap();
        TrayMenu {
            connection: connection.clone(),
            destination,
            path,
        }
    }

    /// The menu's items, (id, label), top to bottom (separators and unlabelled items left out).
    async fn items(&self) -> Vec<(i32, String)> {
        let reply = self
            .connection
            .call_method(
                Some(self.destination.as_str()),
                &self.path,
                Some("com.canonical.dbusmenu"),
                "GetLayout",
                &(0i32, -1i32, Vec::<String>::new()),
            )
            .await
            .unwrap();
        type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
        let (_revision, (_root, _props, children)): (u32, Layout) =
            reply.body().deserialize().unwrap();
        children
            .iter()
            .filter_map(|child| {
                let mut value: &Value = child;
                while let Value::Variant(inner) = value {
                    value = inner;
                }
                let Value::Structure(item) = value else {
                    return None;
                };
                let fields = item.fields();
                let Some(Value::I32(id)) = fields.first() else {
                    return None;
                };
                let Some(Value::Dict(props)) = fields.get(1) else {
                    return None;
                };
                let label: String = props.get(&"label").ok().flatten()?;
                Some((*id, label.replace('_', "")))
            })
            .collect()
    }

    async fn id_of(&self, label: &str) -> i32 {
        let items = self.items().await;
        items
            .iter()
            .find(|(_, l)| l == label)
            .map(|(id, _)| *id)
            .unwrap_or_else(|| panic!("no {label:?} in the tray menu: {items:?}"))
    }

    /// Clicks the item labelled `label`, as a panel does.
    async fn click(&self, label: &str) {
        let id = self.id_of(label).await;
        self.connection
            .call_method(
                Some(self.destination.as_str()),
                &self.path,
                Some("com.canonical.dbusmenu"),
                "Event",
                &(id, "clicked", Value::from(0i32), 0u32),
            )
            .await
            .unwrap();
    }
}

async fn visibility(client: &Client) -> String {
    client
        .execute("return document.visibilityState", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn has_focus(client: &Client) -> bool {
    client
        .execute("return document.hasFocus()", vec![])
        .await
        .unwrap()
        .as_bool()
        .unwrap_or(false)
}

fn log_text(data_dir: &std::path::Path) -> String {
    std::fs::read_to_string(data_dir.join("logs/leadscout.log")).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn launched_at_login_it_waits_in_the_tray_and_every_tray_item_does_what_it_says() {
    let data_dir = tempfile::tempdir().unwrap();
    let bus = dbus::Bus::start();
    let watcher = Watcher::default();
    let panel = zbus::connection::Builder::address(bus.address.as_str())
        .name("org.kde.StatusNotifierWatcher")
        .serve_at("/StatusNotifierWatcher", watcher.clone())
        .build()
        .await
        .unwrap();
    let mut app = App::launch(
        setup(data_dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .arg("--minimized"),
    )
    .await;
    let client = app.client.clone();
    let menu = TrayMenu::find(&panel, &watcher).await;
    let labels: Vec<String> = menu.items().await.into_iter().map(|(_, l)| l).collect();
    assert_eq!(
        labels,
        ["Open Leadscout", "New lead", "Pause research", "Quit"]
    );
    // From login, with a tray: the window has not been shown.
    assert_eq!(visibility(&client).await, "hidden");
    assert!(!has_focus(&client).await);

    // Open shows it and gives it the keyboard.
    menu.click("Open Leadscout").await;
    eventually("the window shown and focused", || async {
        (visibility(&client).await == "visible" && has_focus(&client).await).then_some(())
    })
    .await;

    // New lead opens the new-lead form in the window.
    menu.click("New lead").await;
    find(&client, "[data-testid=new-lead-dialog]").await;
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(&Key::Escape.to_string())
        .await
        .unwrap();

    // Pause holds research and the item then offers to resume; Resume lets it go.
    menu.click("Pause research").await;
    eventually("the item relabelled", || async {
        let labels: Vec<String> = menu.items().await.into_iter().map(|(_, l)| l).collect();
        labels.contains(&"Resume research".to_owned()).then_some(())
    })
    .await;
    eventually("research held", || async {
        log_text(data_dir.path())
            .contains("paused=true held=true")
            .then_some(())
    })
    .await;
    menu.click("Resume research").await;
    eventually("research resumed", || async {
        let resumed = log_text(data_dir.path()).contains("paused=false held=false");
        let labels: Vec<String> = menu.items().await.into_iter().map(|(_, l)| l).collect();
        (resumed && labels.contains(&"Pause research".to_owned())).then_some(())
    })
    .await;

    // Quit ends the app, which logs it as it exits.
    menu.click("Quit").await;
    eventually("the app quit", || async {
        log_text(data_dir.path())
            .lines()
            .any(|l| l.trim_end().ends_with(": quit"))
            .then_some(())
    })
    .await;
    drop(client);
    // The session went with the app: only the driver is left to stop.
    app.terminate();
}
