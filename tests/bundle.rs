//! The installed app, as `make bundle-check` unpacks it from the .deb: under Xvfb with a fresh data
//! folder it reaches an interactive board and quits cleanly when asked (SIGTERM, as a session
//! ending does). Ignored in `make test` (it needs a release bundle); `make bundle-check` runs it
//! with LEADSCOUT_APP_BINARY naming the unpacked binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_testkit::e2e as harness;
use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use harness::{app_binary, column_names, eventually, find, App, Setup, READY_TIMEOUT};
use leadscout_app::logs::{logs_dir, LOG_FILE};

fn log_of(data_dir: &Path) -> String {
    std::fs::read_to_string(logs_dir(data_dir).join(LOG_FILE)).unwrap_or_default()
}

fn wait_for_log(data_dir: &Path, line: &str) {
    let deadline = Instant::now() + READY_TIMEOUT;
    while !log_of(data_dir).contains(line) {
        assert!(
            Instant::now() < deadline,
            "the installed app's log never said {line:?}; it holds:\n{}",
            log_of(data_dir)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the unpacked installer: run `make bundle-check`"]
async fn the_installed_app_reaches_an_interactive_board_and_quits_cleanly() {
    let binary = app_binary(env!("CARGO_BIN_EXE_leadscout"));
    assert!(
        std::env::var_os("LEADSCOUT_APP_BINARY").is_some(),
        "set LEADSCOUT_APP_BINARY to the unpacked binary (`make bundle-check` does)"
    );
    assert!(binary.is_file(), "{} is not a file", binary.display());
    let data = tempfile::tempdir().unwrap();
    let mut app = App::launch(Setup::new(&binary, data.path())).await;
    {
        let client = &app.client;
        let names = eventually("the default pipeline", || async {
            let names = column_names(client).await;
            (names.len() == 6).then_some(names)
        })
        .await;
        assert_eq!(
            names,
            ["New", "Contacted", "Qualified", "Proposal", "Won", "Lost"]
        );
        // Interactive: the new-lead button opens its dialog.
        find(client, "[data-testid=new-lead]")
            .await
            .click()
            .await
            .unwrap();
        find(client, "[data-testid=new-lead-dialog]").await;
        assert_eq!(
            client
                .find_all(Locator::Css("[data-testid=new-lead-dialog]"))
                .await
                .unwrap()
                .len(),
            1
        );
        wait_for_log(data.path(), "ready");
    }
    // The driver is stopped with SIGTERM, the app with it (the display stays until the end).
    app.terminate();
    wait_for_log(data.path(), "asked to quit");
    wait_for_log(data.path(), "leadscout_app: quit");
    let log = log_of(data.path());
    for bad in [" ERROR ", "panicked"] {
        assert!(
            !log.contains(bad),
            "the installed app logged {bad:?}:\n{log}"
        );
    }
}
