//! Runs written by an older Leadscout read back with typed step keys: the stored step texts
//! never changed, so a database from before the keys were typed loads as it is.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;

use leadscout_domain::{LeadId, RunStatus, StepKey};
use leadscout_store::{connect_options, Store, StoreError, DATABASE_FILE, MIGRATIONS};
use sqlx::migrate::Migrator;
use sqlx::Connection;

/// A database at the schema that introduced runs (migration 4), with one lead and one
/// finished run whose steps are stored as that version wrote them.
async fn old_database(dir: &std::path::Path, last_step: &str) -> std::path::PathBuf {
    let path = dir.join(DATABASE_FILE);
    let up_to_runs = Migrator {
        migrations: Cow::Owned(MIGRATIONS.migrations[..4].to_vec()),
        ..Migrator::DEFAULT
    };
    let mut conn = sqlx::SqliteConnection::connect_with(&connect_options(&path))
        .await
        .unwrap();
    up_to_runs.run(&mut conn).await.unwrap();
    let mut sql = String::from(
        "INSERT INTO leads (id, full_name, website, stage_id, position, created_at, updated_at) \
         VALUES (1, 'Ada Lovelace', 'https://acme.example/', \
                 (SELECT MIN(id) FROM pipeline_stages), 1, 1000, 1000); \
         INSERT INTO runs (id, lead_id, workflow, status, trigger, claims, created_at, \
                           started_at, finished_at, updated_at) \
         VALUES (1, 1, 'lead-research', 'succeeded', 'created', 1, 1000, 1000, 9000, 9000);",
    );
    let steps = [
        "resolve",
        "crawl",
        "profile",
        "context",
        "footprint",
        "insights",
        last_step,
    ];
    for (i, step) in steps.iter().enumerate() {
        sql.push_str(&format!(
            "INSERT INTO stage_runs (run_id, stage, attempt, status, input_hash, output, \
             started_at, finished_at) VALUES (1, '{step}', 1, 'succeeded', 'h{i}', 'null', \
             {start}, {end});",
            start = 1000 + i * 1000,
            end = 1500 + i * 1000,
        ));
    }
    sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    path
}

#[tokio::test]
async fn an_old_databases_runs_load_with_typed_steps() {
    let dir = tempfile::tempdir().unwrap();
    let path = old_database(dir.path(), "write").await;
    let store = Store::open(&path).await.unwrap();

    let latest = store.latest_runs(Some(LeadId(1))).await.unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].status, RunStatus::Succeeded);
    assert_eq!(latest[0].step, Some(StepKey::Write));

    let history = store.lead_run_history(LeadId(1)).await.unwrap();
    let steps: Vec<StepKey> = history[0].steps.iter().map(|s| s.step).collect();
    assert_eq!(
        steps,
        [
            StepKey::Resolve,
            StepKey::Crawl,
            StepKey::Profile,
            StepKey::Context,
            StepKey::Footprint,
            StepKey::Insights,
            StepKey::Write
        ]
    );
    assert!(history[0].steps.iter().all(|s| s.duration_ms == Some(500)));
    // The engine finds what the old version committed under the same text.
    let reused = store
        .reusable_output(leadscout_domain::RunId(2), StepKey::Crawl, "h1")
        .await
        .unwrap();
    assert!(reused.is_some());
}

#[tokio::test]
async fn a_step_this_version_does_not_know_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = old_database(dir.path(), "summarise").await;
    let store = Store::open(&path).await.unwrap();
    let err = store.latest_runs(Some(LeadId(1))).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt(m) if m.contains("run 1")),
        "{err}"
    );
    let err = store.lead_run_history(LeadId(1)).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt(m) if m.contains("summarise")),
        "{err}"
    );
}
