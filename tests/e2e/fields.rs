//! Custom fields in the real app: defined in Settings, set in the lead's drawer with the input
//! each kind calls for, and still there after a restart, where search finds the lead by one.

use fantoccini::key::Key;
use fantoccini::Client;
use leadscout_domain::{NewLead, Timestamp};
use leadscout_store::{Store, DATABASE_FILE};
use sqlx::ConnectOptions;

use crate::harness::{eventually, find, none_match, open_settings, App};
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
        open_settings(&client).await;
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

/// A file whose columns the mapping leaves out: each becomes a new field of the kind its values
/// suggest, chosen in the import preview, and every value lands in its field.
#[tokio::test(flavor = "multi_thread")]
async fn an_imported_column_becomes_a_field_of_the_kind_its_values_suggest() {
    let data_dir = tempfile::tempdir().unwrap();
    seed(data_dir.path()).await;
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("expo-leads.csv");
    std::fs::write(
        &file,
        "Name,Email,Seats,Industry,Zip\n\
         Ada Lovelace,ada@engines.example,\"1,200\",SaaS,02134\n\
         Edsger Dijkstra,edsger@go.example,40,Retail,10001\n\
         Barbara Liskov,barbara@clu.example,12,saas,94105\n\
         Alan Kay,alan@parc.example,7,Retail,00501\n",
    )
    .unwrap();
    let answers = out.path().join("answers");
    std::fs::write(&answers, format!("{}\n", file.display())).unwrap();
    let shots = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from);
    let app = App::launch(
        setup(data_dir.path()).env("LEADSCOUT_TEST_FILE_ANSWERS", answers.display().to_string()),
    )
    .await;
    let client = app.client.clone();
    find(&client, "[data-testid=open-import]")
        .await
        .click()
        .await
        .unwrap();
    find(
        &client,
        "[data-testid=import-dialog] [data-testid=choose-file]",
    )
    .await
    .click()
    .await
    .unwrap();
    let left_out = text_of(&client, "[data-testid=import-left-out]").await;
    for told in [
        "Seats (4 rows of numbers)",
        "Industry (4 rows, 2 different values)",
        "Zip (4 rows)",
    ] {
        assert!(left_out.contains(told), "{left_out}");
    }
    if let Some(dir) = &shots {
        std::fs::write(
            dir.join("import-fields.png"),
            client.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    for (column, option) in [
        ("Seats", "New number field “Seats”"),
        ("Industry", "New choice field “Industry” (2 choices)"),
        ("Zip", "New text field “Zip”"),
    ] {
        let select = find(
            &client,
            &format!("[data-testid=import-mapping] select[aria-label='Import {column} as']"),
        )
        .await;
        select.select_by_label(option).await.unwrap();
        // The field is made at once and the column now names it.
        eventually("the column mapped to its new field", || async {
            let value = select.prop("value").await.ok()??;
            value.starts_with("field:").then_some(())
        })
        .await;
        let shown = client
            .execute(
                "return arguments[0].selectedOptions[0].text;",
                vec![serde_json::to_value(&select).unwrap()],
            )
            .await
            .unwrap();
        assert_eq!(shown, column, "the select shows the new field by its name");
    }

    // Every column now goes into a field: none is said to be left out.
    none_match(
        &client,
        "[data-testid=import-left-out]",
        "the left-out columns to be gone",
    )
    .await;
    find(&client, "[data-testid=run-import]")
        .await
        .click()
        .await
        .unwrap();
    let summary = text_of(&client, "[data-testid=import-summary]").await;
    assert!(summary.contains("4 created"), "{summary}");

    let database = data_dir.path().join(DATABASE_FILE);
    let mut conn = leadscout_store::connect_options(&database)
        .connect()
        .await
        .unwrap();
    let fields: Vec<(String, String, String)> =
        sqlx::query_as("SELECT name, kind, choices FROM custom_fields ORDER BY position")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        fields,
        [
            ("Seats".to_owned(), "number".to_owned(), "[]".to_owned()),
            (
                "Industry".to_owned(),
                "choice".to_owned(),
                r#"["SaaS","Retail"]"#.to_owned()
            ),
            ("Zip".to_owned(), "text".to_owned(), "[]".to_owned()),
        ]
    );
    let values: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT l.full_name, f.name, v.value FROM lead_field_values v \
         JOIN leads l ON l.id = v.lead_id JOIN custom_fields f ON f.id = v.field_id \
         WHERE l.full_name = 'Barbara Liskov' ORDER BY f.position",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let values: Vec<(&str, &str)> = values
        .iter()
        .map(|(_, f, v)| (f.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        values,
        [("Seats", "12"), ("Industry", "SaaS"), ("Zip", "94105")]
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM lead_field_values")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(count, 12, "every value of the four rows");
    app.close().await;
}
