//! The board: a lead created in the new-lead dialog, kept across a restart; a damaged database
//! reported; a call quick-logged from the board and a lost deal asked why.

use fantoccini::Locator;

use crate::harness::{column_names, eventually, find, lead_names_in, App};
use crate::{fill, setup, text_of, DEFAULT_STAGES};

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_created_in_the_ui_is_on_the_board_after_a_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let mut app = App::launch(setup(data_dir.path())).await;

    {
        let client = app.client.clone();
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
    }

    assert!(
        data_dir.path().join("leadscout.sqlite3").is_file(),
        "the database lives in LEADSCOUT_DATA_DIR"
    );

    // A fresh process on the same data folder shows the same lead.
    app.restart().await;
    let client = app.client.clone();
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
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_database_is_reported_in_the_window_and_left_untouched() {
    let data_dir = tempfile::tempdir().unwrap();
    let db = data_dir.path().join("leadscout.sqlite3");
    let garbage = b"not a database, a user's stray file\n".repeat(100);
    std::fs::write(&db, &garbage).unwrap();
    let app = App::start(setup(data_dir.path())).await;
    let client = app.client.clone();

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
    app.close().await;
    assert_eq!(
        std::fs::read(&db).unwrap(),
        garbage,
        "nothing was overwritten"
    );
}

/// Issue 22: a call is logged from the board with `L` (its outcome, a note and the next
/// follow-up), the card shows the last contact and the follow-up, and a deal moved to Lost is
/// asked why, which the drawer then shows with the date.
#[tokio::test(flavor = "multi_thread")]
async fn a_call_is_quick_logged_from_the_board_and_a_lost_deal_says_why() {
    let data_dir = tempfile::tempdir().unwrap();
    let app = App::launch(setup(data_dir.path())).await;
    let shots = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from);
    let client = app.client.clone();
    find(&client, "[data-testid=new-lead]")
        .await
        .click()
        .await
        .unwrap();
    fill(&client, "fullName", "Katherine Johnson").await;
    fill(&client, "companyName", "Langley Research").await;
    find(&client, "[data-testid=create-lead-submit]")
        .await
        .click()
        .await
        .unwrap();
    eventually("the card", || async {
        let names = lead_names_in(&client, "New").await;
        (names == ["Katherine Johnson"]).then_some(())
    })
    .await;

    // L on the focused card opens the quick-log.
    let card = find(&client, "[data-testid=lead-card]").await;
    client
        .execute(
            "document.querySelector('[data-testid=lead-card]').focus()",
            vec![],
        )
        .await
        .unwrap();
    card.send_keys("l").await.unwrap();
    find(&client, "[data-testid=quick-log]").await;
    find(&client, "[data-testid=log-outcome-leftVoicemail]")
        .await
        .click()
        .await
        .unwrap();
    find(&client, "[data-testid=log-body]")
        .await
        .send_keys("Asked for the budget owner")
        .await
        .unwrap();
    find(&client, "[data-testid=log-follow-up]")
        .await
        .click()
        .await
        .unwrap();
    find(&client, "[data-testid=log-next-step]")
        .await
        .send_keys("Call back about the pilot")
        .await
        .unwrap();
    // A date input's picker is the platform's; the value is set as the picker would.
    client
        .execute(
            "const d = document.querySelector('[data-testid=log-due]'); d.value = '2030-01-15'; \
             d.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            dir.join("quick-log.png"),
            client.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    find(&client, "[data-testid=log-submit]")
        .await
        .click()
        .await
        .unwrap();
    eventually("the last contact and follow-up on the card", || async {
        let contacted = text_of(&client, "[data-testid=last-contacted]").await;
        let next = text_of(&client, "[data-testid=next-step]").await;
        (contacted.trim() == "Contacted today" && next.contains("Call back about the pilot"))
            .then_some(())
    })
    .await;

    // The drawer's timeline has the call with its outcome.
    find(&client, "[data-testid=lead-card]")
        .await
        .click()
        .await
        .unwrap();
    find(&client, "[data-testid=lead-drawer]").await;
    eventually("the call in the timeline", || async {
        let text = text_of(&client, "[data-testid=activity]").await;
        (text.contains("Asked for the budget owner") && text.contains("Left voicemail"))
            .then_some(())
    })
    .await;

    // Moved to Lost from the drawer: asked why, and the drawer shows it with the date.
    find(&client, "[data-testid=stage-select]")
        .await
        .select_by_label("Lost")
        .await
        .unwrap();
    find(&client, "[data-testid=lost-reason]").await;
    find(&client, "[data-testid=lost-competitor]")
        .await
        .click()
        .await
        .unwrap();
    find(&client, "[data-testid=lost-note]")
        .await
        .send_keys("Chose an in-house tool")
        .await
        .unwrap();
    find(&client, "[data-testid=lost-save]")
        .await
        .click()
        .await
        .unwrap();
    // The drawer reloads with the reason: read the text afresh each time, not a kept node.
    eventually("the lost reason in the drawer", || async {
        let text = client
            .execute(
                "return document.querySelector('[data-testid=closed-at]')?.textContent ?? ''",
                vec![],
            )
            .await
            .unwrap();
        let text = text.as_str().unwrap_or_default().to_owned();
        (text.contains("Lost") && text.contains("Went with a competitor: Chose an in-house tool"))
            .then_some(())
    })
    .await;
    app.close().await;
}
