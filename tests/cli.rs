//! The command line through the real `leadscout` binary: it answers before any window or GTK
//! set-up (no display here), with the exit codes and JSON scripts rely on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn leadscout(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leadscout"))
        .args(args)
        // No display and no session bus: the command line must not need either.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("LEADSCOUT_DATA_DIR", data)
        .output()
        .unwrap()
}

#[test]
fn the_binary_runs_subcommands_without_a_window_and_exits_by_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let added = leadscout(&data, &["lead", "add", "Grace Hopper", "--json"]);
    assert!(added.status.success(), "{added:?}");
    let lead: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    assert_eq!(lead["fullName"], "Grace Hopper");
    assert!(
        data.join("leadscout.sqlite3").is_file(),
        "LEADSCOUT_DATA_DIR is the data folder, as for the app"
    );

    let listed = leadscout(&data, &["--json", "lead", "list"]);
    assert!(listed.status.success(), "{listed:?}");
    let board: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(board["columns"][0]["leads"][0]["id"], lead["id"]);

    let missing = leadscout(&data, &["lead", "show", "999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(missing.stdout.is_empty());
    let said = String::from_utf8(missing.stderr).unwrap();
    assert_eq!(said.trim().lines().count(), 1, "one sentence: {said}");
    assert!(said.contains("no longer exists"), "{said}");

    let help = leadscout(&data, &["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8(help.stdout)
        .unwrap()
        .contains("Examples:"));

    let wrong = leadscout(&data, &["lead", "add"]);
    assert_eq!(wrong.status.code(), Some(2), "a missing argument");
}

#[test]
fn the_command_line_finds_the_apps_data_folder_by_the_apps_identifier() {
    // The app's folder is Tauri's `<OS data folder>/<identifier>`; the command line, which
    // starts no Tauri, names it from a copy of the identifier that must not drift.
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tauri.conf.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        conf["identifier"].as_str(),
        Some(leadscout_application::APP_IDENTIFIER)
    );
    if let Some(dir) = leadscout_application::default_data_dir() {
        assert!(dir.ends_with(leadscout_application::APP_IDENTIFIER));
    }
}
