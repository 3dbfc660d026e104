//! Start at login through the app's commands, as Settings' switch calls them, against the real
//! autostart plugin writing a real XDG autostart entry in a home folder of the test's own.
//! One test in its own binary: it points HOME at a temporary folder for the whole process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mock_app;

use mock_app::App;
use serde_json::json;

#[test]
fn the_switch_writes_and_removes_a_login_entry_that_starts_leadscout_in_the_tray() {
    let home = tempfile::tempdir().unwrap();
    // Read when the entry is written, not cached: set before the app starts.
    std::env::set_var("HOME", home.path());
    std::env::set_var("XDG_CONFIG_HOME", home.path().join(".config"));
    let entry = home.path().join(".config/autostart/Leadscout.desktop");
    let app = App::start();

    assert_eq!(app.ok("start_at_login", json!({})), json!(false));
    assert!(!entry.exists());

    assert_eq!(
        app.ok("set_start_at_login", json!({ "enabled": true })),
        json!(true)
    );
    let text = std::fs::read_to_string(&entry).unwrap();
    // This executable (the app under test), started in the tray.
    let exe = std::env::current_exe().unwrap();
    let exec = format!("Exec={} --minimized", exe.display());
    assert!(text.lines().any(|l| l == exec), "{exec:?} not in\n{text}");
    assert!(text.lines().any(|l| l == "Type=Application"), "{text}");
    assert_eq!(app.ok("start_at_login", json!({})), json!(true));

    assert_eq!(
        app.ok("set_start_at_login", json!({ "enabled": false })),
        json!(false)
    );
    assert!(!entry.exists());
    // Off twice is still off, not an error.
    assert_eq!(
        app.ok("set_start_at_login", json!({ "enabled": false })),
        json!(false)
    );

    // Where the entry cannot be written, the switch says why and stays off.
    std::fs::remove_dir(entry.parent().unwrap()).unwrap();
    std::fs::write(entry.parent().unwrap(), "not a folder").unwrap();
    let err = app.err("set_start_at_login", json!({ "enabled": true }));
    assert_eq!(err["code"], "internal");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.starts_with("Leadscout could not add itself to the programs started at login"),
        "{message}"
    );
    assert_eq!(app.ok("start_at_login", json!({})), json!(false));
}
