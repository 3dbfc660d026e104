//! One running copy per data folder, and a window that opens where it was left: the real app
//! under Xvfb on a private D-Bus session, started several times. The first copy is stopped
//! with SIGTERM, as a session ending does, and quits cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_testkit::{dbus, e2e as harness};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{app_binary, App, ProcessGroup, Setup, READY_TIMEOUT};
use leadscout_app::logs::{logs_dir, LOG_FILE};

/// The app's own log file in `data_dir`, or "" while it does not exist.
fn log_of(data_dir: &Path) -> String {
    std::fs::read_to_string(logs_dir(data_dir).join(LOG_FILE)).unwrap_or_default()
}

/// Waits until the log of `data_dir` holds `line`.
fn wait_for_log(data_dir: &Path, line: &str) {
    let deadline = Instant::now() + READY_TIMEOUT;
    while !log_of(data_dir).contains(line) {
        assert!(
            Instant::now() < deadline,
            "the log in {} never said {line:?}; it holds:\n{}",
            data_dir.display(),
            log_of(data_dir)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The app started the way a user starts it, on `display`, the data folder and the bus given.
fn app_command(display: &str, data_dir: &Path, bus: &str) -> Command {
    let mut command = Command::new(app_binary(env!("CARGO_BIN_EXE_leadscout")));
    command
        .env("DISPLAY", display)
        .env("LEADSCOUT_DATA_DIR", data_dir)
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("RUST_LOG", "info")
        .env("NO_AT_BRIDGE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_launch_focuses_the_first_and_the_window_opens_where_it_was_left() {
    let bus = dbus::Bus::start();
    let data = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let setup = Setup::new(app_binary(env!("CARGO_BIN_EXE_leadscout")), data.path())
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address);

    let mut app = App::launch(setup).await;
    let rect = {
        let client = app.client.clone();
        wait_for_log(data.path(), "ready");
        client.set_window_rect(40, 30, 1000, 640).await.unwrap();
        let rect = client.get_window_rect().await.unwrap();
        assert_eq!(
            rect,
            (40, 30, 1000, 640),
            "the window took the new geometry"
        );

        // A second launch on the same data folder hands over to the first and exits.
        let mut second = app_command(app.display(), data.path(), &bus.address)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + READY_TIMEOUT;
        let status = loop {
            if let Some(status) = second.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = second.kill();
                panic!("the second launch kept running beside the first");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "the second launch exited with {status}");
        wait_for_log(
            data.path(),
            "a second launch brought the running window to the front",
        );
        assert_eq!(
            log_of(data.path()).matches("ready").count(),
            1,
            "only the first copy started"
        );

        // A copy on another data folder is another app: it runs beside the first.
        let _third = ProcessGroup::spawn(
            "the app on another data folder",
            &mut app_command(app.display(), other.path(), &bus.address),
        );
        wait_for_log(other.path(), "ready");

        // The geometry is written once the window settles, so it survives even a kill.
        let state_file = data.path().join("window-state.json");
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let saved: Option<serde_json::Value> = std::fs::read(&state_file)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            if saved.is_some_and(|s| s["main"]["width"] == 1000 && s["main"]["height"] == 640) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the window's geometry was not saved: {:?}",
                std::fs::read_to_string(&state_file)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        rect
    };
    // SIGTERM to the driver's processes, as a session ending does: the app quit cleanly.
    app.terminate();
    wait_for_log(data.path(), "asked to quit");
    wait_for_log(data.path(), "leadscout_app: quit");

    app.restart().await;
    let client = app.client.clone();
    assert_eq!(
        client.get_window_rect().await.unwrap(),
        rect,
        "the window opened where it was left, with the size it had"
    );
    app.close().await;
}
