//! Two pipelines in the real app: the top bar switches boards, a lead moves across from its
//! drawer, and the pipelines dialog lists both (screenshots of the board and the dialog).

use leadscout_domain::{NewLead, Timestamp};
use leadscout_store::{Store, DATABASE_FILE};

use crate::harness::{column_names, eventually, find, lead_names_in, none_match, App};
use crate::{setup, DEFAULT_STAGES};

async fn seed(data_dir: &std::path::Path) {
    let store = Store::open(&data_dir.join(DATABASE_FILE)).await.unwrap();
    let now = Timestamp::now();
    let settings = leadscout_domain::Settings {
        onboarded: true,
        research_on_create: false,
        ..leadscout_domain::Settings::default()
    };
    store.save_settings(&settings, now).await.unwrap();
    let renewals = store.create_pipeline("Renewals", None, now).await.unwrap();
    let open = store
        .stages()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.pipeline_id == renewals.id && s.name == "Open")
        .unwrap();
    for (name, stage) in [("Ada Byron", None), ("Bo Diddley", Some(open.id))] {
        let draft = NewLead {
            full_name: name.into(),
            email: None,
            company_name: None,
            website: None,
            stage_id: stage,
        }
        .validate()
        .unwrap();
        store.create_lead(&draft, now).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_top_bar_switches_pipelines_and_a_lead_moves_between_them() {
    let data_dir = tempfile::tempdir().unwrap();
    seed(data_dir.path()).await;
    let shots = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from);
    let app = App::launch(setup(data_dir.path())).await;
    let client = app.client.clone();

    find(&client, "[data-testid=board]").await;
    // The window remembers the pipeline last shown (in the webview's storage, which test runs
    // share), so start from Sales by choosing it.
    let menu = find(&client, "[data-testid=pipeline-select]").await;
    menu.select_by_label("Sales").await.unwrap();
    eventually("the Sales board", || async {
        (column_names(&client).await == DEFAULT_STAGES).then_some(())
    })
    .await;
    assert_eq!(lead_names_in(&client, "New").await, ["Ada Byron"]);

    // The pipeline menu in the top bar shows Renewals' own board.
    let menu = find(&client, "[data-testid=pipeline-select]").await;
    menu.select_by_label("Renewals").await.unwrap();
    eventually("the Renewals board", || async {
        (column_names(&client).await == ["Open", "Won", "Lost"]).then_some(())
    })
    .await;
    assert_eq!(lead_names_in(&client, "Open").await, ["Bo Diddley"]);
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            dir.join("pipelines-board.png"),
            client.screenshot().await.unwrap(),
        )
        .unwrap();
    }

    // Bo goes to Sales' Qualified from the drawer's stage menu (grouped by pipeline).
    find(&client, "[data-testid=lead-card]")
        .await
        .click()
        .await
        .unwrap();
    let stage = find(&client, "[data-testid=stage-select]").await;
    let groups: Vec<String> = serde_json::from_value(
        client
            .execute(
                "return [...document.querySelectorAll('[data-testid=stage-select] optgroup')].map((g) => g.label)",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(groups, ["Sales", "Renewals"]);
    stage.select_by_label("Qualified").await.unwrap();
    let toast = find(&client, ".toast").await;
    let said = toast.text().await.unwrap();
    assert!(
        said.contains("Moved Bo Diddley to Sales · Qualified"),
        "{said}"
    );
    eventually("Bo off the Renewals board", || async {
        lead_names_in(&client, "Open")
            .await
            .is_empty()
            .then_some(())
    })
    .await;
    find(&client, "[data-testid=close-drawer]")
        .await
        .click()
        .await
        .unwrap();
    none_match(&client, "[data-testid=lead-drawer]", "the drawer closed").await;

    // The pipelines dialog lists both, with their stages and leads.
    find(&client, "[data-testid=open-pipelines]")
        .await
        .click()
        .await
        .unwrap();
    let dialog = find(&client, "[data-testid=pipelines-dialog]").await;
    let rows = dialog.text().await.unwrap();
    assert!(rows.contains("Sales 6 stages · 2 leads"), "{rows}");
    assert!(rows.contains("Renewals 3 stages · 0 leads"), "{rows}");
    if let Some(dir) = &shots {
        std::fs::write(
            dir.join("pipelines-dialog.png"),
            client.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    find(&client, "[data-testid=pipelines-close]")
        .await
        .click()
        .await
        .unwrap();
    none_match(
        &client,
        "[data-testid=pipelines-dialog]",
        "the dialog closed",
    )
    .await;
    let menu = find(&client, "[data-testid=pipeline-select]").await;
    menu.select_by_label("Sales").await.unwrap();
    eventually("Bo in Sales' Qualified", || async {
        (lead_names_in(&client, "Qualified").await == ["Bo Diddley"]).then_some(())
    })
    .await;
    app.close().await;
}
