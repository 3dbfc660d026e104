//! End to end: the real app in a real WebKit window under Xvfb, driven over WebDriver.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/dbus.rs"]
mod dbus;
#[path = "../../crates/research/tests/support/fake_model.rs"]
mod fake_model;
mod harness;
mod reports;
#[path = "../../crates/research/tests/support/site.rs"]
mod site;
mod today;
mod tray;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
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

/// Opens an inline field's editor (unless a refused value left it open), types and presses Enter.
async fn edit_field(client: &fantoccini::Client, field: &str, text: &str) {
    let input_css = format!("[data-testid=field-{field}] [name={field}]");
    if client.find(Locator::Css(&input_css)).await.is_err() {
        find(client, &format!("[data-testid=field-{field}] button"))
            .await
            .click()
            .await
            .unwrap();
    }
    let input = find(client, &input_css).await;
    input.clear().await.unwrap();
    input
        .send_keys(&format!("{text}{}", Key::Enter))
        .await
        .unwrap();
}

async fn text_of(client: &fantoccini::Client, css: &str) -> String {
    find(client, css)
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_is_edited_moved_searched_and_found_as_left_after_a_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let xvfb = Xvfb::start();
    let shots = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from);
    {
        let driver = Driver::start(&xvfb.display, data_dir.path());
        let client = driver.launch_app().await;
        find(&client, "[data-testid=board]").await;
        find(&client, "[data-testid=new-lead]")
            .await
            .click()
            .await
            .unwrap();
        fill(&client, "fullName", "Grace Hopper").await;
        fill(&client, "companyName", "Navy Labs").await;
        find(&client, "[data-testid=create-lead-submit]")
            .await
            .click()
            .await
            .unwrap();
        eventually("the card", || async {
            let names = lead_names_in(&client, "New").await;
            (names == ["Grace Hopper"]).then_some(())
        })
        .await;

        // Open the lead and edit fields inline; a refused value is explained and kept.
        find(&client, "[data-testid=lead-card]")
            .await
            .click()
            .await
            .unwrap();
        find(&client, "[data-testid=lead-drawer]").await;
        edit_field(&client, "title", "Rear Admiral").await;
        eventually("the saved title", || async {
            let text = text_of(&client, "[data-testid=field-title]").await;
            text.contains("Rear Admiral").then_some(())
        })
        .await;
        edit_field(&client, "phone", "call me").await;
        let error = text_of(&client, "[data-testid=field-error-phone]").await;
        assert!(error.contains("digits"), "{error:?}");
        edit_field(&client, "phone", "+1 (415) 555-0100").await;
        eventually("the normalised phone", || async {
            let text = text_of(&client, "[data-testid=field-phone]").await;
            text.contains("+14155550100").then_some(())
        })
        .await;
        edit_field(&client, "dealValue", "12.5k").await;
        eventually("the deal value", || async {
            let text = text_of(&client, "[data-testid=field-dealValue]").await;
            text.contains("$12,500").then_some(())
        })
        .await;
        let note = find(&client, "[data-testid=lead-drawer] [name=note]").await;
        note.send_keys("Discussed the COBOL pilot").await.unwrap();
        find(&client, "[data-testid=add-note]")
            .await
            .click()
            .await
            .unwrap();
        eventually("the note in the timeline", || async {
            let text = text_of(&client, "[data-testid=activity]").await;
            text.contains("COBOL pilot").then_some(())
        })
        .await;
        if let Some(dir) = &shots {
            std::fs::write(dir.join("lead.png"), client.screenshot().await.unwrap()).unwrap();
        }
        find(&client, "[data-testid=close-drawer]")
            .await
            .click()
            .await
            .unwrap();

        // Keyboard: Alt+Right moves the focused card to the next stage.
        let card = find(&client, "[data-testid=lead-card]").await;
        client
            .execute(
                "document.querySelector('[data-testid=lead-card]').focus()",
                vec![],
            )
            .await
            .unwrap();
        card.send_keys(&format!("{}{}", Key::Alt, Key::Right))
            .await
            .unwrap();
        eventually("the card in Contacted", || async {
            let names = lead_names_in(&client, "Contacted").await;
            (names == ["Grace Hopper"]).then_some(())
        })
        .await;

        // Pointer: drag the card onto the Qualified column.
        let card = find(&client, "[data-testid=lead-card]").await;
        let target = find(&client, "[data-testid=column][data-stage-name=Qualified]").await;
        let drag = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: card,
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveBy {
                duration: Some(std::time::Duration::from_millis(100)),
                x: 20.0,
                y: 10.0,
            })
            .then(PointerAction::MoveToElement {
                element: target,
                duration: Some(std::time::Duration::from_millis(300)),
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        client.perform_actions(drag).await.unwrap();
        client.release_actions().await.unwrap();
        eventually("the card in Qualified", || async {
            let names = lead_names_in(&client, "Qualified").await;
            (names == ["Grace Hopper"]).then_some(())
        })
        .await;

        // Search from anywhere, open the result.
        client
            .active_element()
            .await
            .unwrap()
            .send_keys("/")
            .await
            .unwrap();
        let input = find(&client, "[data-testid=search] [name=search]").await;
        input.send_keys("cobol").await.unwrap();
        find(&client, "[data-testid=search-result]").await;
        input.send_keys(&Key::Enter.to_string()).await.unwrap();
        eventually("the drawer opened from search", || async {
            let text = text_of(&client, "[data-testid=drawer-name]").await;
            (text == "Grace Hopper").then_some(())
        })
        .await;
        client.close().await.unwrap();
    }

    // Everything is where it was left.
    let driver = Driver::start(&xvfb.display, data_dir.path());
    let client = driver.launch_app().await;
    find(&client, "[data-testid=board]").await;
    eventually("the card after restart", || async {
        let names = lead_names_in(&client, "Qualified").await;
        (names == ["Grace Hopper"]).then_some(())
    })
    .await;
    if let Some(dir) = &shots {
        std::fs::write(dir.join("board.png"), client.screenshot().await.unwrap()).unwrap();
    }
    find(&client, "[data-testid=lead-card]")
        .await
        .click()
        .await
        .unwrap();
    eventually("the drawer after restart", || async {
        let title = text_of(&client, "[data-testid=field-title]").await;
        title.contains("Rear Admiral").then_some(())
    })
    .await;
    let timeline: Vec<String> = {
        let mut out = Vec::new();
        for el in client
            .find_all(Locator::Css("[data-testid=activity]"))
            .await
            .unwrap()
        {
            out.push(el.prop("textContent").await.unwrap().unwrap_or_default());
        }
        out
    };
    assert!(
        timeline[0].contains("Moved from Contacted to Qualified"),
        "{timeline:?}"
    );
    assert!(
        timeline[1].contains("Moved from New to Contacted"),
        "{timeline:?}"
    );
    assert!(timeline[2].contains("COBOL pilot"), "{timeline:?}");
    assert!(text_of(&client, "[data-testid=field-phone]")
        .await
        .contains("+14155550100"));
    client.close().await.unwrap();
}

/// Serves the research crate's fixture company site on 127.0.0.1.
async fn serve_fixture_site() -> std::net::SocketAddr {
    site::serve(site::fixtures("acme")).await.0
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_lead_is_researched_live_and_its_profile_shown_with_sources() {
    let data_dir = tempfile::tempdir().unwrap();
    let site = serve_fixture_site().await;
    let allow = format!("acme.example={site}");
    let xvfb = Xvfb::start();
    let driver = Driver::start_with(
        &xvfb.display,
        data_dir.path(),
        &[("LEADSCOUT_TEST_ALLOW_HOSTS", &allow)],
    );
    let client = driver.launch_app().await;
    find(&client, "[data-testid=board]").await;

    add_lead_in_ui(
        &client,
        "Dana Whitfield",
        &format!("http://acme.example:{}/", site.port()),
    )
    .await;

    // Progress reaches the card through the app's events, without a reload.
    eventually("the card to say the research is done", || async {
        let status = text_of(&client, "[data-testid=research-status]").await;
        (status.trim() == "Researched").then_some(())
    })
    .await;
    eventually("the company name written back to the card", || async {
        let card = text_of(&client, "[data-testid=lead-card]").await;
        card.contains("Acme").then_some(())
    })
    .await;

    find(&client, "[data-testid=lead-card]")
        .await
        .click()
        .await
        .unwrap();
    let tech = eventually("the technology found", || async {
        let tech = text_of(&client, "[data-testid=research-tech]").await;
        (!tech.is_empty()).then_some(tech)
    })
    .await;
    assert!(
        tech.contains("Stripe") && tech.contains("Google Tag Manager"),
        "{tech:?}"
    );
    let sources = text_of(&client, "[data-testid=research-sources]").await;
    assert!(sources.contains("acme.example/pricing"), "{sources:?}");
    assert!(sources.contains("flagged"), "{sources:?}");
    let timeline = text_of(&client, "[data-testid=activity][data-kind=research]").await;
    assert!(timeline.contains("Researched acme.example"), "{timeline:?}");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_settings_are_saved_and_kept_after_a_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let xvfb = Xvfb::start();
    {
        let driver = Driver::start(&xvfb.display, data_dir.path());
        let client = driver.launch_app().await;
        find(&client, "[data-testid=welcome]").await;
        find(&client, "[data-testid=welcome-setup]")
            .await
            .click()
            .await
            .unwrap();
        let company = find(&client, "[data-testid=settings-dialog] [name=company]").await;
        company.send_keys("Forge & Co").await.unwrap();
        let offering = find(&client, "[data-testid=settings-dialog] [name=offering]").await;
        offering.send_keys("Anvil insurance").await.unwrap();
        // No model server runs here: the app says so rather than hanging.
        find(&client, "[data-testid=no-local]").await;
        find(&client, "[data-testid=save-settings]")
            .await
            .click()
            .await
            .unwrap();
        eventually("the dialog and the welcome to close", || async {
            let open = client
                .find_all(Locator::Css(
                    "[data-testid=settings-dialog], [data-testid=welcome]",
                ))
                .await
                .unwrap();
            open.is_empty().then_some(())
        })
        .await;
        client.close().await.unwrap();
    }
    let driver = Driver::start(&xvfb.display, data_dir.path());
    let client = driver.launch_app().await;
    find(&client, "[data-testid=board]").await;
    find(&client, "[data-testid=open-settings]")
        .await
        .click()
        .await
        .unwrap();
    let company = find(&client, "[data-testid=settings-dialog] [name=company]").await;
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
    client.close().await.unwrap();
}

/// Settings as a user leaves them after choosing a local OpenAI-compatible model (no key) and
/// describing what they sell, written before the app starts.
async fn choose_model(data_dir: &std::path::Path, base_url: String, profile: [&str; 3]) {
    let store = leadscout_store::Store::open(&data_dir.join(leadscout_store::DATABASE_FILE))
        .await
        .unwrap();
    let settings = leadscout_domain::Settings {
        model: leadscout_domain::ModelSettings {
            provider: Some(leadscout_domain::ModelProvider::OpenAiCompatible),
            base_url: Some(base_url),
            model: Some("qwen2.5-7b-instruct".into()),
        },
        profile: leadscout_domain::MyProfile {
            company: profile[0].into(),
            offering: profile[1].into(),
            ideal_customer: profile[2].into(),
        },
        onboarded: true,
        ..leadscout_domain::Settings::default()
    };
    store
        .save_settings(&settings, leadscout_domain::Timestamp::now())
        .await
        .unwrap();
    store.close().await;
}

/// Adds a lead through the new-lead dialog.
async fn add_lead_in_ui(client: &fantoccini::Client, name: &str, website: &str) {
    find(client, "[data-testid=new-lead]")
        .await
        .click()
        .await
        .unwrap();
    find(client, "[data-testid=new-lead-dialog]").await;
    fill(client, "fullName", name).await;
    fill(client, "website", website).await;
    find(client, "[data-testid=create-lead-submit]")
        .await
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_model_the_lead_gets_a_grounded_fit_score_and_the_inspector_shows_what_was_sent() {
    let data_dir = tempfile::tempdir().unwrap();
    let site = serve_fixture_site().await;
    let model = fake_model::FakeModel::start().await;
    choose_model(
        data_dir.path(),
        model.base_url(),
        [
            "Forge & Co",
            "Inventory software for workshops",
            "Workshops and logistics firms of 20-500 people",
        ],
    )
    .await;
    let allow = format!("acme.example={site}");
    let xvfb = Xvfb::start();
    let driver = Driver::start_with(
        &xvfb.display,
        data_dir.path(),
        &[("LEADSCOUT_TEST_ALLOW_HOSTS", &allow)],
    );
    let client = driver.launch_app().await;
    find(&client, "[data-testid=board]").await;
    add_lead_in_ui(
        &client,
        "Dana Whitfield",
        &format!("http://acme.example:{}/", site.port()),
    )
    .await;

    // The verified score reaches the card when the run ends.
    eventually("the fit score on the card", || async {
        let fit = text_of(&client, "[data-testid=card-fit]").await;
        (fit.trim() == "Fit 72").then_some(())
    })
    .await;
    find(&client, "[data-testid=lead-card]")
        .await
        .click()
        .await
        .unwrap();
    let summary = eventually("the insights in the drawer", || async {
        let s = text_of(&client, "[data-testid=insights-summary]").await;
        (!s.is_empty()).then_some(s)
    })
    .await;
    assert!(
        summary.starts_with("Acme: anvils for builders"),
        "{summary:?}"
    );
    let facts = text_of(&client, "[data-testid=research-facts]").await;
    assert!(
        facts.contains("Road Runner Logistics cut anvil losses"),
        "{facts:?}"
    );
    let unverified = text_of(&client, "[data-testid=unverified-facts]").await;
    assert!(
        unverified.contains("the quote is not in the cited page"),
        "{unverified:?}"
    );
    let verdict = text_of(&client, "[data-testid=drawer-verdict]").await;
    assert!(verdict.starts_with("Fit 72"), "{verdict:?}");
    let shots = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from);
    if let Some(dir) = &shots {
        client
            .execute(
                "document.getElementById('research-h').scrollIntoView({block: 'start'})",
                vec![],
            )
            .await
            .unwrap();
        // For the picture only: WebKit under Xvfb repaints a scrolled panel a moment later.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        std::fs::write(dir.join("insights.png"), client.screenshot().await.unwrap()).unwrap();
    }

    find(&client, "[data-testid=open-inspector]")
        .await
        .click()
        .await
        .unwrap();
    find(&client, "[data-testid=context-inspector]").await;
    let layers = eventually("the layers of the first call", || async {
        let all = client
            .find_all(Locator::Css("[data-testid=inspector-layer]"))
            .await
            .unwrap();
        let mut texts = Vec::new();
        for layer in all {
            texts.push(layer.prop("textContent").await.unwrap().unwrap_or_default());
        }
        (texts.len() == 3).then_some(texts)
    })
    .await;
    assert!(layers[0].starts_with("Today is "), "{:?}", layers[0]);
    assert!(layers[0].contains("Name: Dana Whitfield"));
    assert!(layers[1].starts_with("Task: extract facts about Acme"));
    assert!(layers[2].contains("<source id=\"S1\""), "{:?}", layers[2]);
    let tabs = client
        .find_all(Locator::Css("[data-testid=inspector-call]"))
        .await
        .unwrap();
    assert_eq!(tabs.len(), 2, "one call per model stage");
    if let Some(dir) = &shots {
        std::fs::write(
            dir.join("inspector.png"),
            client.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    assert_eq!(model.requests().len(), 2);
    client.close().await.unwrap();
}

/// Whether anything hostile ran or rendered as markup in the window: the payloads set
/// `window.__pwned` if they ever execute, and no research text may become an element.
async fn assert_inert(client: &fantoccini::Client, scope: &str) {
    let found = client
        .execute(
            &format!(
                "return [String(window.__pwned), document.querySelectorAll('{scope} img, {scope} b[onmouseover]').length]"
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        found,
        serde_json::json!(["undefined", 0]),
        "payload became markup in {scope}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn research_is_reviewed_approved_and_traced_and_hostile_text_stays_text() {
    use fake_model::Reply;
    use serde_json::json;

    let data_dir = tempfile::tempdir().unwrap();
    let (site, _hits) = site::serve(site::fixtures("hostile")).await;
    let model = fake_model::FakeModel::start().await;
    let bus = dbus::Bus::start();
    let (_server, notified) = dbus::serve_notifications(&bus.address).await;
    choose_model(
        data_dir.path(),
        model.base_url(),
        [
            "Coldchain Co",
            "Temperature monitoring for trucks",
            "Refrigerated freight carriers",
        ],
    )
    .await;
    // The model's answers carry markup too: in a value, a quote that is on the page, and the
    // summary.
    let payload = r#"<img src=x onerror="window.__pwned=2">"#;
    model.push(Reply::Answer(json!({ "facts": [
        { "id": "F1", "field": "industry", "value": "Refrigerated cargo", "source_id": "S1",
          "quote": "Northwind Freight moves refrigerated cargo for grocers", "confidence": "high" },
        { "id": "F2", "field": "what_they_do", "value": format!("Refrigerated cargo {payload}"),
          "source_id": "S1", "quote": format!("refrigerated cargo for grocers {payload} across Ohio"),
          "confidence": "medium" },
        { "id": "F3", "field": "size_band", "value": "60 trucks", "source_id": "S1",
          "quote": "A fleet of 60 temperature-controlled trucks", "confidence": "high" }
    ]})));
    model.push(Reply::Answer(json!({
        "summary": "Northwind moves 60 refrigerated trucks <b onerror=\"window.__pwned=2\">for grocers</b>.",
        "summary_fact_ids": ["F1", "F2", "F3"],
        "fit_score": 81,
        "fit_reasons": [
            { "text": "Refrigerated freight is your ideal customer.", "fact_ids": ["F1"] },
            { "text": format!("Cargo {payload} needs monitoring."), "fact_ids": ["F2"] },
            { "text": "A fleet of 60 trucks to equip.", "fact_ids": ["F3"] }
        ],
        "talking_points": [ { "text": "Ask about spoilage claims.", "fact_ids": ["F1"] } ],
        "risks": [],
        "next_best_action": { "text": "Offer a pilot on ten trucks.", "fact_ids": ["F3"] }
    })));
    let gate = model.gate.clone().lock_owned().await;

    let allow = format!("northwind.example={site}");
    let xvfb = Xvfb::start();
    let driver = Driver::start_with(
        &xvfb.display,
        data_dir.path(),
        &[
            ("LEADSCOUT_TEST_ALLOW_HOSTS", &allow),
            ("DBUS_SESSION_BUS_ADDRESS", &bus.address),
        ],
    );
    let client = driver.launch_app().await;
    find(&client, "[data-testid=board]").await;
    add_lead_in_ui(
        &client,
        "Dana Whitfield",
        &format!("http://northwind.example:{}/", site.port()),
    )
    .await;

    // Running (the model is held), then done.
    eventually("the card to show the run in progress", || async {
        let status = text_of(&client, "[data-testid=research-status]").await;
        (status.trim() == "Researching").then_some(())
    })
    .await;
    drop(gate);
    eventually("the verified score on the card", || async {
        let fit = text_of(&client, "[data-testid=card-fit]").await;
        (fit.trim() == "Fit 81").then_some(())
    })
    .await;
    // The notification was sent, with the score and summary as its body.
    let (app, summary, body) = eventually("the notification", || async {
        notified.lock().unwrap().first().cloned()
    })
    .await;
    assert_eq!(app, "Leadscout");
    assert_eq!(summary, "Research ready: Dana Whitfield");
    assert!(
        body.starts_with("Fit 81/100 · Northwind moves 60 refrigerated trucks"),
        "{body:?}"
    );

    // The research view: evidence for every claim, and every payload as plain text.
    find(&client, "[data-testid=lead-card]")
        .await
        .click()
        .await
        .unwrap();
    let facts = eventually("the facts with their quotes", || async {
        let f = text_of(&client, "[data-testid=research-facts]").await;
        (!f.is_empty()).then_some(f)
    })
    .await;
    assert!(
        facts.contains(&format!(
            "refrigerated cargo for grocers {payload} across Ohio"
        )),
        "{facts:?}"
    );
    let summary = text_of(&client, "[data-testid=insights-summary]").await;
    assert!(
        summary.contains(r#"<b onerror="window.__pwned=2">for grocers</b>"#),
        "{summary:?}"
    );
    let sources = text_of(&client, "[data-testid=research-sources]").await;
    assert!(sources.contains("northwind.example"), "{sources:?}");
    assert_inert(&client, "[data-testid=lead-drawer]").await;
    assert_inert(&client, "[data-testid=board]").await;

    // A re-run finds a different industry: it is proposed, approved, and shown with its source.
    model.push(Reply::Answer(json!({ "facts": [
        { "id": "F1", "field": "industry", "value": "Temperature-controlled trucks", "source_id": "S1",
          "quote": "A fleet of 60 temperature-controlled trucks serves 300 stores every night",
          "confidence": "high" }
    ]})));
    find(&client, "[data-testid=rerun-research]")
        .await
        .click()
        .await
        .unwrap();
    let proposal = eventually("the proposed change", || async {
        let p = text_of(&client, "[data-testid=proposal]").await;
        (!p.is_empty()).then_some(p)
    })
    .await;
    assert!(
        proposal.contains("Refrigerated cargo")
            && proposal.contains("Temperature-controlled trucks"),
        "{proposal:?}"
    );
    let industry = text_of(&client, "[data-testid=company-industry]").await;
    assert_eq!(
        industry, "IndustryRefrigerated cargoAI",
        "not written before approval"
    );
    if let Some(dir) = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from) {
        client
            .execute(
                "document.querySelector('[data-testid=company-industry]').scrollIntoView({block: 'start'})",
                vec![],
            )
            .await
            .unwrap();
        // For the picture only: WebKit under Xvfb repaints a scrolled panel a moment later.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        std::fs::write(dir.join("proposal.png"), client.screenshot().await.unwrap()).unwrap();
    }
    find(&client, "[data-testid=approve-proposal]")
        .await
        .click()
        .await
        .unwrap();
    eventually("the approved value in the company section", || async {
        let i = text_of(&client, "[data-testid=company-industry]").await;
        (i == "IndustryTemperature-controlled trucksAI").then_some(())
    })
    .await;
    assert!(
        client
            .find_all(Locator::Css("[data-testid=proposal]"))
            .await
            .unwrap()
            .is_empty(),
        "the proposal is decided"
    );
    // The section re-renders when the approval's refresh lands, which can replace the badge
    // between finding it and reading it: read both from one fresh lookup until they agree.
    let (title, badge) = eventually("the approved value's provenance badge", || async {
        let origin = client
            .find(Locator::Css("[data-testid=provenance-industry]"))
            .await
            .ok()?;
        let title = origin.attr("title").await.ok()??;
        let badge = origin.prop("textContent").await.ok()??;
        title
            .contains("a verified model fact")
            .then_some((title, badge))
    })
    .await;
    assert!(
        title.contains("A fleet of 60 temperature-controlled trucks"),
        "{title:?}"
    );
    assert_eq!(badge.trim(), "AI");
    // The second run's own judgement replaced the first's.
    let reasons = text_of(&client, "[data-testid=fit-reasons]").await;
    assert!(
        reasons.contains("Their customers are the user's kind of customer."),
        "{reasons:?}"
    );
    assert!(
        !reasons.contains("A fleet of 60 trucks to equip."),
        "{reasons:?}"
    );
    assert_inert(&client, "[data-testid=lead-drawer]").await;
    if let Some(dir) = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from) {
        client
            .execute(
                "document.getElementById('research-h').scrollIntoView({block: 'start'})",
                vec![],
            )
            .await
            .unwrap();
        // For the picture only: WebKit under Xvfb repaints a scrolled panel a moment later.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        std::fs::write(dir.join("review.png"), client.screenshot().await.unwrap()).unwrap();
        // Settings with the spending and the prompts.
        find(&client, "[data-testid=close-drawer]")
            .await
            .click()
            .await
            .unwrap();
        find(&client, "[data-testid=open-settings]")
            .await
            .click()
            .await
            .unwrap();
        find(&client, "[data-testid=prompt-row]").await;
        client
            .execute(
                "document.querySelector('[data-testid=cost-ledger]').scrollIntoView({block: 'center'})",
                vec![],
            )
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        std::fs::write(dir.join("settings.png"), client.screenshot().await.unwrap()).unwrap();
    }
    client.close().await.unwrap();
}

/// The "Your data" part of Settings, opening Settings when it is closed.
async fn your_data(client: &fantoccini::Client) -> fantoccini::elements::Element {
    let open = client
        .find_all(Locator::Css("[data-testid=your-data]"))
        .await
        .unwrap();
    if open.is_empty() {
        find(client, "[data-testid=open-settings]")
            .await
            .click()
            .await
            .unwrap();
    }
    // Each section of Settings arrives on its own and pushes "Your data" down; a click aimed
    // while that happens lands beside the button. Settings says when it is whole.
    find(
        client,
        "[data-testid=settings-dialog]:not([aria-busy=true]) [data-testid=your-data]",
    )
    .await
}

/// Clicks the button `locator` finds inside "Your data", scrolled to the middle of Settings first: the dialog's
/// footer would otherwise cover the buttons at its bottom edge.
/// A toast from the step before can still lie over the button for a moment: a click it
/// intercepts is tried again until the way is clear.
async fn click_in_your_data(client: &fantoccini::Client, locator: Locator<'_>) {
    let button = your_data(client).await.find(locator).await.unwrap();
    let arg = serde_json::to_value(&button).unwrap();
    eventually("a clear click in Your data", || async {
        client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' });",
                vec![arg.clone()],
            )
            .await
            .unwrap();
        match button.click().await {
            Ok(()) => Some(()),
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::ElementClickIntercepted =>
            {
                None
            }
            Err(e) => panic!("clicking in Your data: {e}"),
        }
    })
    .await;
}

/// The text of the toast once it says `what`.
async fn toast_saying(client: &fantoccini::Client, what: &str) -> String {
    eventually(&format!("a message saying {what:?}"), || async {
        for el in client
            .find_all(Locator::Css(".toast[role=status]"))
            .await
            .ok()?
        {
            let text = el.prop("textContent").await.ok()??;
            if text.contains(what) {
                return Some(text);
            }
        }
        None
    })
    .await
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
    let env = [("LEADSCOUT_TEST_FILE_ANSWERS", answers_env.as_str())];
    let xvfb = Xvfb::start();
    {
        let driver = Driver::start_with(&xvfb.display, data_dir.path(), &env);
        let client = driver.launch_app().await;
        find(&client, "[data-testid=board]").await;
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
        )
        .await;
        toast_saying(&client, "Exported 3 leads").await;
        let csv = std::fs::read_to_string(&export).unwrap();
        assert!(csv.starts_with("Full Name,"), "{csv}");
        assert!(csv.contains("Renée Dubois"), "{csv}");

        let backup = out.path().join("backup.sqlite3");
        answer(&backup);
        click_in_your_data(&client, Locator::Css("[data-testid=backup]")).await;
        toast_saying(&client, "Backed up to").await;

        // Added after the backup: the restore takes it away.
        client
            .find(Locator::Css("[data-testid=settings-dialog]"))
            .await
            .unwrap()
            .send_keys(&Key::Escape.to_string())
            .await
            .unwrap();
        eventually("Settings to close", || async {
            let open = client
                .find_all(Locator::Css("[data-testid=settings-dialog]"))
                .await
                .ok()?;
            open.is_empty().then_some(())
        })
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
        click_in_your_data(&client, Locator::Css("[data-testid=restore]")).await;
        let staged = find(&client, "[data-testid=restore-staged]").await;
        let staged = staged
            .prop("textContent")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(staged.contains("The backup (3 leads)"), "{staged}");
        client.close().await.unwrap();
    }

    let driver = Driver::start_with(&xvfb.display, data_dir.path(), &env);
    let client = driver.launch_app().await;
    find(&client, "[data-testid=board]").await;
    toast_saying(&client, "Restored from the backup.").await;
    let names = eventually("the restored leads", || async {
        let names = lead_names_in(&client, "New").await;
        (names.len() == 3).then_some(names)
    })
    .await;
    assert!(!names.contains(&"After The Backup".to_owned()), "{names:?}");
    client.close().await.unwrap();
}

/// Issue 22: a call is logged from the board with `L` (its outcome, a note and the next
/// follow-up), the card shows the last contact and the follow-up, and a deal moved to Lost is
/// asked why, which the drawer then shows with the date.
#[tokio::test(flavor = "multi_thread")]
async fn a_call_is_quick_logged_from_the_board_and_a_lost_deal_says_why() {
    let data_dir = tempfile::tempdir().unwrap();
    let xvfb = Xvfb::start();
    let shots = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from);
    let driver = Driver::start(&xvfb.display, data_dir.path());
    let client = driver.launch_app().await;
    find(&client, "[data-testid=board]").await;
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
    client.close().await.unwrap();
}
