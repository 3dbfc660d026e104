//! Research reviewed, approved and traced, with hostile web text kept as text.

use fantoccini::Locator;
use leadscout_testkit::{dbus, fake_model, site};

use crate::harness::{eventually, find, open_settings, App};
use crate::research::choose_model;
use crate::{add_lead_in_ui, setup, text_of};

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
    let app = App::launch(
        setup(data_dir.path())
            .env("LEADSCOUT_TEST_ALLOW_HOSTS", &allow)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address),
    )
    .await;
    let client = app.client.clone();
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
    let (app_name, summary, body) = eventually("the notification", || async {
        notified.lock().unwrap().first().cloned()
    })
    .await;
    assert_eq!(app_name, "Leadscout");
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
        open_settings(&client).await;
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
    app.close().await;
}
