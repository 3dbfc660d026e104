//! Custom fields in the real app: defined in Settings, set in the lead's drawer with the input
//! each kind calls for, and still there after a restart, where search finds the lead by one.

use fantoccini::key::Key;
use fantoccini::Client;
use leadscout_domain::{NewLead, Timestamp};
use leadscout_store::{Store, DATABASE_FILE};
use sqlx::ConnectOptions;

use crate::harness::{eventually, find, App};
use crate::setup;

async fn seed(data_dir: &std::path::Path) {
    let store = Store::open(&data_dir.join(DATABASE_FILE)).await.unwrap();
    let now = Timestamp::now();
    let settings = leadscout_domain::Settings {
        onboarded: true,
        research_on_create: false,
        ..leadscout_domain::Settings::default()
    };
    store.save_settings(&settings, now).await.unwrap();
    let draft = NewLead {
        full_name: "Grace Hopper".into(),
        company_name: Some("Eckert-Mauchly".into()),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    store.create_lead(&draft, now).await.unwrap();
    store.close().await;
}

async fn text_of(client: &Client, css: &str) -> String {
    find(client, css)
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn add_field(client: &Client, name: &str, kind: &str, choices: Option<&str>) {
    let form = "[data-testid=custom-fields] [data-testid=add-custom-field]";
    find(
        client,
        &format!("{form} input[aria-label='New field name']"),
    )
    .await
    .send_keys(name)
    .await
    .unwrap();
    find(client, &format!("{form} select"))
        .await
        .select_by_value(kind)
        .await
        .unwrap();
    if let Some(choices) = choices {
        find(client, &format!("{form} input[aria-label^='Choices']"))
            .await
            .send_keys(choices)
            .await
            .unwrap();
    }
    find(client, &format!("{form} button"))
        .await
        .click()
        .await
        .unwrap();
    find(
        client,
        &format!("[data-testid=custom-fields] [data-testid='custom-field-{name}']"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_defined_in_settings_is_set_in_the_drawer_and_found_after_a_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    seed(data_dir.path()).await;
    let shots = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from);
    let mut app = App::launch(setup(data_dir.path())).await;
    {
        let client = app.client.clone();
        find(&client, "[data-testid=open-settings]")
            .await
            .click()
            .await
            .unwrap();
        add_field(&client, "Budget", "number", None).await;
        add_field(&client, "Tier", "choice", Some("Gold, Silver")).await;
        add_field(&client, "Contract", "url", None).await;
        if let Some(dir) = &shots {
            client
                .execute(
                    "document.querySelector('[data-testid=custom-fields]').scrollIntoView()",
                    vec![],
                )
                .await
                .unwrap();
            std::fs::write(
                dir.join("custom-fields-settings.png"),
                client.screenshot().await.unwrap(),
            )
            .unwrap();
        }
        find(
            &client,
            "[data-testid=settings-dialog] footer button.secondary",
        )
        .await
        .click()
        .await
        .unwrap();

        find(&client, "[data-testid=lead-card]")
            .await
            .click()
            .await
            .unwrap();
        find(&client, "[data-testid=custom-fields-section]").await;
        // A fresh folder numbers the fields 1, 2, 3 in the order they were added.
        find(&client, "[data-testid=field-custom-1] button")
            .await
            .click()
            .await
            .unwrap();
        let budget = find(&client, "[data-testid=field-custom-1] input").await;
        budget.send_keys("twelve").await.unwrap();
        budget.send_keys(&Key::Enter.to_string()).await.unwrap();
        let refused = text_of(&client, "[data-testid=field-error-custom-1]").await;
        assert!(refused.contains("Budget must be a number"), "{refused}");
        // The editor keeps what was typed after a refusal: correct it in place.
        budget
            .send_keys(&Key::Backspace.to_string().repeat("twelve".len()))
            .await
            .unwrap();
        budget.send_keys("12500").await.unwrap();
        budget.send_keys(&Key::Enter.to_string()).await.unwrap();
        eventually("the budget saved", || async {
            let text = text_of(&client, "[data-testid=field-custom-1]").await;
            text.contains("12,500").then_some(())
        })
        .await;
        find(&client, "select#custom-2")
            .await
            .select_by_value("Gold")
            .await
            .unwrap();
        find(&client, "[data-testid=field-custom-3] button")
            .await
            .click()
            .await
            .unwrap();
        let contract = find(&client, "[data-testid=field-custom-3] input").await;
        contract
            .send_keys("https://docs.example.com/contracts/42")
            .await
            .unwrap();
        contract.send_keys(&Key::Enter.to_string()).await.unwrap();
        find(&client, "[data-testid=link-custom-3] button").await;
        // The choice is written when the select changes; wait for the database to hold it.
        let database = data_dir.path().join(DATABASE_FILE);
        eventually("the tier in the database", || async {
            let mut conn = leadscout_store::connect_options(&database)
                .connect()
                .await
                .unwrap();
            let tier: Option<String> = sqlx::query_scalar(
                "SELECT value FROM lead_field_values WHERE field_id = 2 AND lead_id = 1",
            )
            .fetch_optional(&mut conn)
            .await
            .unwrap();
            (tier.as_deref() == Some("Gold")).then_some(())
        })
        .await;
        if let Some(dir) = &shots {
            std::fs::write(
                dir.join("custom-fields.png"),
                client.screenshot().await.unwrap(),
            )
            .unwrap();
        }
    }

    // After a restart, search finds the lead by its tier and the drawer shows every value.
    app.restart().await;
    let client = app.client.clone();
    client
        .active_element()
        .await
        .unwrap()
        .send_keys("/")
        .await
        .unwrap();
    let input = find(&client, "[data-testid=search] [name=search]").await;
    input.send_keys("gold").await.unwrap();
    find(&client, "[data-testid=search-result]").await;
    input.send_keys(&Key::Enter.to_string()).await.unwrap();
    eventually("the drawer opened from search", || async {
        let text = text_of(&client, "[data-testid=drawer-name]").await;
        (text == "Grace Hopper").then_some(())
    })
    .await;
    let budget = text_of(&client, "[data-testid=field-custom-1]").await;
    assert!(budget.contains("12,500"), "{budget}");
    let tier = find(&client, "select#custom-2")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(tier.as_deref(), Some("Gold"));
    let contract = text_of(&client, "[data-testid=field-custom-3]").await;
    assert!(
        contract.contains("https://docs.example.com/contracts/42"),
        "{contract}"
    );
    app.close().await;
}
