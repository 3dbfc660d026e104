//! Research in the real app: live progress on the card, the profile with its sources, and with
//! a model a grounded fit score and the inspector showing what was sent.

use fantoccini::Locator;
use leadscout_testkit::{fake_model, site};

use crate::harness::{eventually, find, App};
use crate::{add_lead_in_ui, setup, text_of};

/// Serves the research crate's fixture company site on 127.0.0.1.
pub(crate) async fn serve_fixture_site() -> std::net::SocketAddr {
    site::serve(site::fixtures("acme")).await.0
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_lead_is_researched_live_and_its_profile_shown_with_sources() {
    let data_dir = tempfile::tempdir().unwrap();
    let site = serve_fixture_site().await;
    let allow = format!("acme.example={site}");
    let app = App::launch(setup(data_dir.path()).env("LEADSCOUT_TEST_ALLOW_HOSTS", &allow)).await;
    let client = app.client.clone();

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
    app.close().await;
}

/// Settings as a user leaves them after choosing a local OpenAI-compatible model (no key) and
/// describing what they sell, written before the app starts.
pub(crate) async fn choose_model(data_dir: &std::path::Path, base_url: String, profile: [&str; 3]) {
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
    let app = App::launch(setup(data_dir.path()).env("LEADSCOUT_TEST_ALLOW_HOSTS", &allow)).await;
    let client = app.client.clone();
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
    app.close().await;
}
