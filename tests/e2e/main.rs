//! End to end: the real app in a real WebKit window under Xvfb, driven over WebDriver.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use fantoccini::Locator;
use harness::{column_names, eventually, find, lead_names_in, Driver, Xvfb};

const DEFAULT_STAGES: [&str; 6] = ["New", "Contacted", "Qualified", "Proposal", "Won", "Lost"];

async fn fill(client: &fantoccini::Client, name: &str, text: &str) {
    let input = find(
        client,
        &format!("[data-testid=new-lead-dialog] [name={name}]"),
    )
    .await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_created_in_the_ui_is_on_the_board_after_a_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let xvfb = Xvfb::start();

    {
        let driver = Driver::start(&xvfb.display, data_dir.path());
        let client = driver.launch_app().await;
        find(&client, "[data-testid=board]").await;
        let names = eventually("the default pipeline", || async {
            let names = column_names(&client).await;
            (names.len() == DEFAULT_STAGES.len()).then_some(names)
        })
        .await;
        assert_eq!(names, DEFAULT_STAGES);

        find(&client, "[data-testid=new-lead]")
            .await
            .click()
            .await
            .unwrap();
        find(&client, "[data-testid=new-lead-dialog]").await;
        fill(&client, "fullName", "Ada Lovelace").await;
        fill(&client, "email", "ada@").await;
        find(&client, "[data-testid=create-lead-submit]")
            .await
            .click()
            .await
            .unwrap();
        // A bad email is explained next to the field and nothing is created.
        let message = find(&client, "[data-testid=field-error-email]").await;
        assert!(!message.text().await.unwrap().trim().is_empty());
        assert!(lead_names_in(&client, "New").await.is_empty());

        fill(&client, "email", "ada@analytical.io").await;
        fill(&client, "companyName", "Analytical Engines").await;
        fill(&client, "website", "analytical.io").await;
        find(&client, "[data-testid=create-lead-submit]")
            .await
            .click()
            .await
            .unwrap();
        let names = eventually("the new card in the New column", || async {
            let names = lead_names_in(&client, "New").await;
            (!names.is_empty() && names.iter().all(|n| !n.is_empty())).then_some(names)
        })
        .await;
        assert_eq!(names, ["Ada Lovelace"]);
        let dialogs = client
            .find_all(Locator::Css("[data-testid=new-lead-dialog]"))
            .await
            .unwrap();
        assert!(
            dialogs.is_empty(),
            "the dialog closes after a successful create"
        );
        client.close().await.unwrap();
    }

    assert!(
        data_dir.path().join("leadscout.sqlite3").is_file(),
        "the database lives in LEADSCOUT_DATA_DIR"
    );

    // A fresh process on the same data folder shows the same lead.
    let driver = Driver::start(&xvfb.display, data_dir.path());
    let client = driver.launch_app().await;
    find(&client, "[data-testid=board]").await;
    let names = eventually("the saved card after restart", || async {
        let names = lead_names_in(&client, "New").await;
        (!names.is_empty()).then_some(names)
    })
    .await;
    assert_eq!(names, ["Ada Lovelace"]);
    let card = find(&client, "[data-testid=lead-card]").await;
    let text = card.prop("textContent").await.unwrap().unwrap_or_default();
    assert!(
        text.contains("Analytical Engines"),
        "card shows the company: {text:?}"
    );

    if let Some(path) = std::env::var_os("LEADSCOUT_SCREENSHOT") {
        std::fs::write(path, client.screenshot().await.unwrap()).unwrap();
    }
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_database_is_reported_in_the_window_and_left_untouched() {
    let data_dir = tempfile::tempdir().unwrap();
    let db = data_dir.path().join("leadscout.sqlite3");
    let garbage = b"not a database, a user's stray file\n".repeat(100);
    std::fs::write(&db, &garbage).unwrap();
    let xvfb = Xvfb::start();
    let driver = Driver::start(&xvfb.display, data_dir.path());
    let client = driver.launch_app().await;

    let alert = find(&client, "[role=alert]").await;
    let text = eventually("the error message", || async {
        let text = alert.text().await.ok()?;
        (!text.trim().is_empty()).then_some(text)
    })
    .await;
    assert!(
        text.contains("database"),
        "the message names the problem: {text:?}"
    );
    client.close().await.unwrap();
    assert_eq!(
        std::fs::read(&db).unwrap(),
        garbage,
        "nothing was overwritten"
    );
}
