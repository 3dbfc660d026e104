//! Settings: the first-run setup, and "Your data" (a file imported, exported, backed up and
//! restored through the dialogs Rust opens).

use fantoccini::key::Key;
use fantoccini::Locator;

use crate::harness::{
    eventually, find, lead_names_in, none_match, open_settings, App, SETTINGS_READY,
};
use crate::{fill, setup};

#[tokio::test(flavor = "multi_thread")]
async fn first_run_settings_are_saved_and_kept_after_a_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let mut app = App::start(setup(data_dir.path())).await;
    {
        let client = app.client.clone();
        find(&client, "[data-testid=welcome]").await;
        find(&client, "[data-testid=welcome-setup]")
            .await
            .click()
            .await
            .unwrap();
        let company = find(&client, &format!("{SETTINGS_READY} [name=company]")).await;
        company.send_keys("Forge & Co").await.unwrap();
        let offering = find(&client, &format!("{SETTINGS_READY} [name=offering]")).await;
        offering.send_keys("Anvil insurance").await.unwrap();
        // No model server runs here: the app says so rather than hanging.
        find(&client, "[data-testid=no-local]").await;
        find(&client, "[data-testid=save-settings]")
            .await
            .click()
            .await
            .unwrap();
        none_match(
            &client,
            "[data-testid=settings-dialog], [data-testid=welcome]",
            "the dialog and the welcome to close",
        )
        .await;
    }
    app.restart().await;
    let client = app.client.clone();
    open_settings(&client).await;
    let company = find(&client, &format!("{SETTINGS_READY} [name=company]")).await;
    let value = eventually("the saved company", || async {
        let v = company.prop("value").await.ok()??;
        (!v.is_empty()).then_some(v)
    })
    .await;
    assert_eq!(value, "Forge & Co");
    assert!(client
        .find_all(Locator::Css("[data-testid=welcome]"))
        .await
        .unwrap()
        .is_empty());
    app.close().await;
}

/// The "Your data" part of Settings, opening Settings when it is closed.
async fn your_data(client: &fantoccini::Client) -> fantoccini::elements::Element {
    let open = client
        .find_all(Locator::Css("[data-testid=your-data]"))
        .await
        .unwrap();
    if open.is_empty() {
        open_settings(client).await;
    }
    // Each section of Settings arrives on its own and pushes "Your data" down; a click aimed
    // while that happens lands beside the button. Settings says when it is whole.
    find(client, &format!("{SETTINGS_READY} [data-testid=your-data]")).await
}

/// Clicks the button `locator` finds inside "Your data", which asks the backend for a file
/// dialog answered from `answers`, scrolled to the middle of Settings first: the dialog's footer
/// would otherwise cover the buttons at its bottom edge. A toast from the step before can still
/// lie over the button for a moment: a click it intercepts is tried again until the way is
/// clear. And the click is checked to have arrived: a click that reached the button either
/// took the scripted answer or left the buttons disabled while its work runs; neither
/// happening means it landed elsewhere, and it is tried again (saying so).
async fn click_in_your_data(
    client: &fantoccini::Client,
    locator: Locator<'_>,
    answers: &std::path::Path,
) {
    let button = your_data(client).await.find(locator).await.unwrap();
    let arg = serde_json::to_value(&button).unwrap();
    let deadline = std::time::Instant::now() + crate::harness::UI_TIMEOUT;
    let arrived = || async {
        let taken = std::fs::read_to_string(answers)
            .map(|a| a.is_empty())
            .unwrap_or(false);
        taken || !button.is_enabled().await.unwrap_or(true)
    };
    loop {
        client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' });",
                vec![arg.clone()],
            )
            .await
            .unwrap();
        match button.click().await {
            Ok(()) => {
                // The handler runs during the click; its answer or its busy state is there
                // by the time the click returns. The short wait only covers a slow backend.
                for _ in 0..40 {
                    if arrived().await {
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                eprintln!(
                    "the click did not reach the button (on screen: {}); clicking again",
                    crate::harness::on_screen(client).await
                );
            }
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::ElementClickIntercepted => {}
            Err(e) => panic!("clicking in Your data: {e}"),
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no click reached the button in Your data; on screen: {}",
            crate::harness::on_screen(client).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The text of the toast once it says `what`. If it never does, the failure says what the
/// window showed instead: the toast of the moment and every error on screen.
async fn toast_saying(client: &fantoccini::Client, what: &str) -> String {
    let deadline = std::time::Instant::now() + crate::harness::UI_TIMEOUT;
    loop {
        for el in client
            .find_all(Locator::Css(".toast[role=status]"))
            .await
            .unwrap_or_default()
        {
            let text = el
                .prop("textContent")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            if text.contains(what) {
                return text;
            }
        }
        if std::time::Instant::now() > deadline {
            let shown = client
                .execute(
                    "return [...document.querySelectorAll('.toast, [role=alert]')] \
                     .map((e) => e.textContent.trim()).join(' | ');",
                    vec![],
                )
                .await
                .ok();
            panic!("timed out waiting for a message saying {what:?}; on screen: {shown:?}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Files are chosen in dialogs the backend opens; here a debug-build-only script answers them
/// (`LEADSCOUT_TEST_FILE_ANSWERS`), one line per dialog, written just before each click.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_is_imported_exported_backed_up_and_restored_through_dialogs_rust_opens() {
    let data_dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let answers = out.path().join("answers");
    std::fs::write(&answers, "").unwrap();
    let answer = |chosen: &std::path::Path| {
        std::fs::write(&answers, format!("{}\n", chosen.display())).unwrap();
    };
    let answered = || async {
        eventually("the dialog to be answered", || async {
            std::fs::read_to_string(&answers)
                .unwrap()
                .is_empty()
                .then_some(())
        })
        .await
    };
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hubspot-export.cp1252.csv");
    let answers_env = answers.display().to_string();
    let mut app =
        App::launch(setup(data_dir.path()).env("LEADSCOUT_TEST_FILE_ANSWERS", &answers_env)).await;
    {
        let client = app.client.clone();
        find(&client, "[data-testid=open-import]")
            .await
            .click()
            .await
            .unwrap();
        let choose = find(
            &client,
            "[data-testid=import-dialog] [data-testid=choose-file]",
        )
        .await;

        // A cancelled dialog leaves the import dialog as it was.
        std::fs::write(&answers, "\n").unwrap();
        choose.click().await.unwrap();
        answered().await;
        eventually("the button to be ready again", || async {
            choose.is_enabled().await.ok()?.then_some(())
        })
        .await;
        for css in ["[data-testid=import-facts]", "[data-testid=import-error]"] {
            assert!(client.find_all(Locator::Css(css)).await.unwrap().is_empty());
        }

        answer(&fixture);
        choose.click().await.unwrap();
        let facts = find(&client, "[data-testid=import-facts]").await;
        let facts = facts.prop("textContent").await.unwrap().unwrap_or_default();
        assert!(facts.contains("hubspot-export.cp1252.csv"), "{facts}");
        assert!(facts.contains("HubSpot"), "{facts}");
        find(&client, "[data-testid=run-import]")
            .await
            .click()
            .await
            .unwrap();
        let summary = find(&client, "[data-testid=import-summary]").await;
        let summary = summary
            .prop("textContent")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(summary.contains("3 created"), "{summary}");

        let report = out.path().join("problems.csv");
        answer(&report);
        find(&client, "[data-testid=save-report]")
            .await
            .click()
            .await
            .unwrap();
        let text = eventually("the report", || async {
            std::fs::read_to_string(&report).ok()
        })
        .await;
        assert!(text.starts_with("Line,Kind,Message\n"), "{text}");
        assert!(text.contains("5,not imported,No name or email"), "{text}");
        find(&client, "[data-testid=import-dialog]")
            .await
            .send_keys(&Key::Escape.to_string())
            .await
            .unwrap();
        let names = eventually("the imported leads", || async {
            let names = lead_names_in(&client, "New").await;
            (names.len() == 3).then_some(names)
        })
        .await;
        assert!(names.contains(&"Renée Dubois".to_owned()), "{names:?}");

        let export = out.path().join("leads.csv");
        answer(&export);
        click_in_your_data(
            &client,
            Locator::XPath(".//button[normalize-space(.)='Export CSV']"),
            &answers,
        )
        .await;
        toast_saying(&client, "Exported 3 leads").await;
        let csv = std::fs::read_to_string(&export).unwrap();
        assert!(csv.starts_with("Full Name,"), "{csv}");
        assert!(csv.contains("Renée Dubois"), "{csv}");

        let backup = out.path().join("backup.sqlite3");
        answer(&backup);
        click_in_your_data(&client, Locator::Css("[data-testid=backup]"), &answers).await;
        toast_saying(&client, "Backed up to").await;

        // Added after the backup: the restore takes it away.
        client
            .find(Locator::Css("[data-testid=settings-dialog]"))
            .await
            .unwrap()
            .send_keys(&Key::Escape.to_string())
            .await
            .unwrap();
        none_match(
            &client,
            "[data-testid=settings-dialog]",
            "Settings to close",
        )
        .await;
        find(&client, "[data-testid=new-lead]")
            .await
            .click()
            .await
            .unwrap();
        fill(&client, "fullName", "After The Backup").await;
        find(&client, "[data-testid=create-lead-submit]")
            .await
            .click()
            .await
            .unwrap();
        eventually("the lead added after the backup", || async {
            (lead_names_in(&client, "New").await.len() == 4).then_some(())
        })
        .await;

        answer(&backup);
        click_in_your_data(&client, Locator::Css("[data-testid=restore]"), &answers).await;
        let staged = find(&client, "[data-testid=restore-staged]").await;
        let staged = staged
            .prop("textContent")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(staged.contains("The backup (3 leads)"), "{staged}");
    }

    app.restart().await;
    let client = app.client.clone();
    toast_saying(&client, "Restored from the backup.").await;
    let names = eventually("the restored leads", || async {
        let names = lead_names_in(&client, "New").await;
        (names.len() == 3).then_some(names)
    })
    .await;
    assert!(!names.contains(&"After The Backup".to_owned()), "{names:?}");
    app.close().await;
}
