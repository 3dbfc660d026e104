//! The reports page in the real app: a pipeline with a history, the forecast on the column
//! headers and the page, charts drawn under the release content security policy, light and dark.

use fantoccini::Client;
use leadscout_domain::{LeadEdit, LeadField, NewLead, Timestamp};
use leadscout_store::{Placement, Store, DATABASE_FILE};
use sqlx::ConnectOptions;

use crate::harness::{eventually, find, App};
use crate::setup;

const DAY: i64 = 86_400_000;

/// One lead of the fixture: created `days` ago in New, then moved through `path`, each
/// `(stage, days ago)`.
struct Seed {
    name: &'static str,
    value: Option<&'static str>,
    source: Option<&'static str>,
    tags: &'static [&'static str],
    fit: Option<u8>,
    close_in_days: Option<i64>,
    created: i64,
    path: &'static [(&'static str, i64)],
}

const SEEDS: &[Seed] = &[
    Seed {
        name: "Ada Byron",
        value: Some("12000"),
        source: Some("Referral"),
        tags: &["enterprise"],
        fit: Some(81),
        close_in_days: Some(20),
        created: 40,
        path: &[("Contacted", 30), ("Qualified", 12)],
    },
    Seed {
        name: "Bo Diddley",
        value: Some("8000"),
        source: Some("Website"),
        tags: &["smb"],
        fit: None,
        close_in_days: Some(50),
        created: 30,
        path: &[("Qualified", 8)],
    },
    Seed {
        name: "Cy Young",
        value: Some("30000"),
        source: Some("Conference"),
        tags: &["enterprise"],
        fit: Some(66),
        close_in_days: Some(10),
        created: 60,
        path: &[("Contacted", 50), ("Qualified", 35), ("Proposal", 14)],
    },
    Seed {
        name: "Di Prima",
        value: Some("5000"),
        source: Some("Website"),
        tags: &[],
        fit: None,
        close_in_days: None,
        created: 20,
        path: &[("Contacted", 6)],
    },
    Seed {
        name: "Ed Ruscha",
        value: Some("2000"),
        source: None,
        tags: &["smb"],
        fit: None,
        close_in_days: None,
        created: 3,
        path: &[],
    },
    Seed {
        name: "Flo Kelly",
        value: None,
        source: Some("Referral"),
        tags: &[],
        fit: None,
        close_in_days: None,
        created: 2,
        path: &[],
    },
    Seed {
        name: "Gus Grissom",
        value: Some("40000"),
        source: Some("Referral"),
        tags: &["enterprise"],
        fit: Some(84),
        close_in_days: None,
        created: 95,
        path: &[
            ("Contacted", 88),
            ("Qualified", 70),
            ("Proposal", 55),
            ("Won", 40),
        ],
    },
    Seed {
        name: "Hal Clement",
        value: Some("15000"),
        source: Some("Conference"),
        tags: &["enterprise"],
        fit: Some(71),
        close_in_days: None,
        created: 80,
        path: &[("Contacted", 75), ("Proposal", 60), ("Won", 45)],
    },
    Seed {
        name: "Ivy Compton",
        value: Some("9000"),
        source: Some("Website"),
        tags: &["smb"],
        fit: Some(77),
        close_in_days: None,
        created: 35,
        path: &[("Qualified", 25), ("Won", 10)],
    },
    Seed {
        name: "Jo March",
        value: Some("7000"),
        source: Some("Conference"),
        tags: &["smb"],
        fit: Some(35),
        close_in_days: None,
        created: 70,
        path: &[("Contacted", 62), ("Lost", 50)],
    },
    Seed {
        name: "Kim Novak",
        value: Some("3000"),
        source: Some("Website"),
        tags: &["smb"],
        fit: Some(42),
        close_in_days: None,
        created: 30,
        path: &[("Contacted", 25), ("Qualified", 20), ("Lost", 15)],
    },
    Seed {
        name: "Lu Xun",
        value: Some("6000"),
        source: Some("Referral"),
        tags: &["enterprise"],
        fit: None,
        close_in_days: None,
        created: 90,
        path: &[("Lost", 70)],
    },
];

async fn seed_pipeline(data_dir: &std::path::Path) {
    let store = Store::open(&data_dir.join(DATABASE_FILE)).await.unwrap();
    let now = Timestamp::now().0;
    let settings = leadscout_domain::Settings {
        onboarded: true,
        research_on_create: false,
        ..leadscout_domain::Settings::default()
    };
    store
        .save_settings(&settings, Timestamp(now))
        .await
        .unwrap();
    let stages = store.stages().await.unwrap();
    let stage = |name: &str| stages.iter().find(|s| s.name == name).unwrap().id;
    let mut conn = leadscout_store::connect_options(store.path())
        .connect()
        .await
        .unwrap();
    for seed in SEEDS {
        let at = Timestamp(now - seed.created * DAY);
        let draft = NewLead {
            full_name: seed.name.into(),
            ..NewLead::default()
        }
        .validate()
        .unwrap();
        let id = store.create_lead(&draft, at).await.unwrap().id;
        let close = seed.close_in_days.map(|d| Timestamp(now + d * DAY).date());
        for (field, value) in [
            (LeadField::DealValue, seed.value.map(str::to_owned)),
            (LeadField::Source, seed.source.map(str::to_owned)),
            (LeadField::ExpectedClose, close),
        ] {
            if let Some(value) = value {
                let edit = LeadEdit {
                    field,
                    value: Some(value),
                }
                .validate()
                .unwrap();
                store.update_lead(id, &edit, at).await.unwrap();
            }
        }
        let tags: Vec<String> = seed.tags.iter().map(|t| (*t).to_owned()).collect();
        store.set_tags(id, &tags, at).await.unwrap();
        for (name, days) in seed.path {
            store
                .move_lead(
                    id,
                    Placement {
                        stage_id: stage(name),
                        before: None,
                    },
                    Timestamp(now - days * DAY),
                )
                .await
                .unwrap();
        }
        if let Some(fit) = seed.fit {
            // What a finished research run with a model leaves: a verified fit score.
            sqlx::query(
                "INSERT INTO insights (lead_id, summary, fit_score, fit_verified, body, model, \
                 created_at) VALUES (?, 'Seeded for the reports test.', ?, 1, '{}', 'fixture', ?)",
            )
            .bind(id.0)
            .bind(i64::from(fit))
            .bind(now)
            .execute(&mut conn)
            .await
            .unwrap();
        }
    }
    store.close().await;
}

async fn js<T: serde::de::DeserializeOwned>(client: &Client, script: &str) -> T {
    serde_json::from_value(client.execute(script, vec![]).await.unwrap()).unwrap()
}

/// Opens the reports with its key and waits until every chart has drawn.
async fn open_reports(client: &Client) {
    find(client, "[data-testid=board]").await;
    client
        .active_element()
        .await
        .unwrap()
        .send_keys("r")
        .await
        .unwrap();
    find(client, "[data-testid=forecast-tiles]").await;
    eventually("every chart drawn", || async {
        let painted: Vec<u64> = js(
            client,
            "return [...document.querySelectorAll('[data-testid=reports] canvas')].map((c) => { \
               if (!c.width || !c.height) return 0; \
               const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
               let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })",
        )
        .await;
        (painted.len() == 8 && painted.iter().all(|&n| n > 0)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reports_page_shows_the_forecast_and_every_chart_in_light_and_dark() {
    let data_dir = tempfile::tempdir().unwrap();
    seed_pipeline(data_dir.path()).await;
    let shots = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from);
    let mut app = App::launch(setup(data_dir.path())).await;
    {
        let client = app.client.clone();
        // Anything the content security policy refuses from here on is recorded.
        let _: serde_json::Value = js(
            &client,
            "window.__violations = []; \
             document.addEventListener('securitypolicyviolation', \
               (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI)); \
             return null;",
        )
        .await;

        // The open columns say what they are worth weighted: Qualified holds $20,000 at 40%.
        let weighted = eventually("the weighted value on Qualified", || async {
            let text: String = js(
                &client,
                "return document.querySelector('[data-testid=column][data-stage-name=Qualified] \
                 [data-testid=column-weighted]')?.textContent ?? ''",
            )
            .await;
            (!text.is_empty()).then_some(text)
        })
        .await;
        assert!(weighted.contains("$8,000 at 40%"), "{weighted:?}");

        open_reports(&client).await;
        // Open deals weighed by hand: $20,000 x 40% + $30,000 x 60% + $5,000 x 20% +
        // $2,000 x 10% = $27,200.
        let tile: String = js(
            &client,
            "return document.querySelector('[data-testid=open-weighted]').textContent",
        )
        .await;
        assert_eq!(tile.trim(), "$27,200");
        let rows: Vec<String> = js(
            &client,
            "return [...document.querySelectorAll('[data-testid=table-stages] tbody tr')] \
               .map((r) => [...r.children].map((c) => c.textContent.trim()).join('|'))",
        )
        .await;
        assert_eq!(
            rows,
            [
                "New|10%|2|$2,000|$200",
                "Contacted|20%|1|$5,000|$1,000",
                "Qualified|40%|2|$20,000|$8,000",
                "Proposal|60%|1|$30,000|$18,000",
                "Won|100%|3|$64,000|$64,000",
                "Lost|0%|3|$16,000|—",
            ]
        );
        let sources: Vec<String> = js(
            &client,
            "return [...document.querySelectorAll('[data-testid=table-sources] tbody tr')] \
               .map((r) => [...r.children].map((c) => c.textContent.trim()).join('|'))",
        )
        .await;
        assert_eq!(
            sources,
            ["Conference|1|1|50%", "Referral|1|1|50%", "Website|1|1|50%"]
        );

        // The charts drew without the policy refusing anything, and the policy is in force: a
        // style attribute set by script is refused.
        let violations: Vec<String> = js(&client, "return window.__violations").await;
        assert!(violations.is_empty(), "{violations:?}");
        let _: serde_json::Value = js(
            &client,
            "document.body.appendChild(document.createElement('i')).setAttribute('style', 'color: red'); \
             return null;",
        )
        .await;
        let violations = eventually("the probe refused", || async {
            let v: Vec<String> = js(&client, "return window.__violations").await;
            (!v.is_empty()).then_some(v)
        })
        .await;
        assert!(violations[0].starts_with("style-src"), "{violations:?}");

        let dark: bool = js(
            &client,
            "return matchMedia('(prefers-color-scheme: dark)').matches",
        )
        .await;
        assert!(!dark, "the first window is light");
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(
                dir.join("reports-light.png"),
                client.screenshot().await.unwrap(),
            )
            .unwrap();
        }
    }

    // The same page with the desktop in dark mode: the charts take the dark palette.
    app.restart_with(setup(data_dir.path()).env("GTK_THEME", "Adwaita:dark"))
        .await;
    let client = app.client.clone();
    open_reports(&client).await;
    let dark: bool = js(
        &client,
        "return matchMedia('(prefers-color-scheme: dark)').matches",
    )
    .await;
    assert!(dark, "GTK_THEME=Adwaita:dark puts the window in dark mode");
    let background: String = js(
        &client,
        "return getComputedStyle(document.querySelector('[data-testid=reports]')).backgroundColor",
    )
    .await;
    assert_eq!(background, "rgb(15, 17, 21)");
    find(&client, "[data-testid=forecast-tiles]").await;
    if let Some(dir) = &shots {
        std::fs::write(
            dir.join("reports-dark.png"),
            client.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    app.close().await;
}
