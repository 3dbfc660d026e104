//! The store against real SQLite files in temporary folders.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;

use leadscout_domain::{NewLead, StageId, StageKind, Timestamp};
use leadscout_store::{connect_options, Store, StoreError, DATABASE_FILE, MIGRATIONS};
use sqlx::migrate::Migrator;
use sqlx::Connection;

const NOW: Timestamp = Timestamp(1_764_000_000_000);

fn draft(name: &str) -> leadscout_domain::LeadDraft {
    NewLead {
        full_name: name.into(),
        email: Some(format!(
            "{}@acme.com",
            name.to_lowercase().replace(' ', ".")
        )),
        company_name: Some("Acme".into()),
        website: Some("acme.com".into()),
        stage_id: None,
    }
    .validate()
    .unwrap()
}

#[tokio::test]
async fn a_new_database_uses_wal_foreign_keys_a_busy_timeout_and_an_untrusted_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let diag = store.diagnostics().await.unwrap();
    assert_eq!(diag.journal_mode, "wal");
    assert!(diag.foreign_keys);
    assert_eq!(diag.busy_timeout_ms, 5000);
    assert!(!diag.trusted_schema, "the schema's SQL is not trusted");
    let newest = MIGRATIONS.iter().map(|m| m.version).max().unwrap();
    assert_eq!(diag.schema_version, newest);
}

#[tokio::test]
async fn a_new_database_starts_with_the_default_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let stages = store.stages().await.unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["New", "Contacted", "Qualified", "Proposal", "Won", "Lost"]
    );
    assert_eq!(stages[4].kind, StageKind::Won);
    assert_eq!(stages[5].kind, StageKind::Lost);
    assert!(stages[..4].iter().all(|s| s.kind == StageKind::Open));
}

#[tokio::test]
async fn migrates_a_database_created_by_the_first_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);

    // A database exactly as the first released schema left it, with a user's own pipeline.
    let first_only = Migrator {
        migrations: Cow::Owned(MIGRATIONS.migrations[..1].to_vec()),
        ..Migrator::DEFAULT
    };
    let mut conn = sqlx::SqliteConnection::connect_with(&connect_options(&path))
        .await
        .unwrap();
    first_only.run(&mut conn).await.unwrap();
    sqlx::query(
        "INSERT INTO pipeline_stages (id, name, kind, color, position, created_at, updated_at) \
         VALUES (7, 'Inbox', 'open', '#123456', 0, 1, 1)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO leads (full_name, email, company_name, website, stage_id, position, \
         created_at, updated_at) VALUES ('Grace Hopper', 'grace@navy.mil', 'US Navy', \
         'https://www.navy.mil/', 7, 0, 1, 1)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let store = Store::open(&path).await.unwrap();
    let board = store.board().await.unwrap();
    // The user's pipeline is kept as it was: no default stages are mixed into it.
    assert_eq!(board.columns.len(), 1);
    assert_eq!(board.columns[0].stage.name, "Inbox");
    assert_eq!(board.columns[0].leads[0].full_name, "Grace Hopper");
    assert_eq!(
        board.columns[0].leads[0].email.as_deref(),
        Some("grace@navy.mil")
    );
    // Later migrations' features work on the old rows: the lead got its company (keyed by the
    // registrable domain) and is searchable.
    let grace = &board.columns[0].leads[0];
    let company = store
        .company(grace.company_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(company.domain.as_deref(), Some("navy.mil"));
    assert_eq!(company.name.as_deref(), Some("US Navy"));
    assert_eq!(
        store.search("hopp", 5).await.unwrap()[0].lead_id,
        Some(grace.id)
    );
    assert_eq!(grace.currency, "USD");
    assert!(grace.tags.is_empty());
    let newest = MIGRATIONS.iter().map(|m| m.version).max().unwrap();
    assert_eq!(store.diagnostics().await.unwrap().schema_version, newest);
}

#[tokio::test]
async fn new_leads_go_on_top_of_the_first_stage() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let first = store
        .create_lead(&draft("Ada Lovelace"), NOW)
        .await
        .unwrap();
    let second = store
        .create_lead(&draft("Alan Turing"), Timestamp(NOW.0 + 1))
        .await
        .unwrap();
    assert_eq!(first.website.as_deref(), Some("https://acme.com/"));
    assert_eq!(first.created_at, NOW);

    let board = store.board().await.unwrap();
    let new_column = &board.columns[0];
    assert_eq!(new_column.stage.name, "New");
    let order: Vec<_> = new_column.leads.iter().map(|l| l.id).collect();
    assert_eq!(order, [second.id, first.id]);
    assert_eq!(board.lead_count(), 2);
}

#[tokio::test]
async fn a_lead_can_be_created_in_a_chosen_stage() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let qualified = store.stages().await.unwrap()[2].id;
    let mut d = draft("Katherine Johnson");
    d.stage_id = Some(qualified);
    let lead = store.create_lead(&d, NOW).await.unwrap();
    assert_eq!(lead.stage_id, qualified);
    assert_eq!(store.lead(lead.id).await.unwrap(), Some(lead.clone()));
    let board = store.board().await.unwrap();
    assert_eq!(board.columns[2].leads, vec![lead]);
}

#[tokio::test]
async fn a_missing_stage_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let mut d = draft("Nobody");
    d.stage_id = Some(StageId(999));
    let err = store.create_lead(&d, NOW).await.unwrap_err();
    assert!(
        matches!(err, StoreError::StageNotFound(StageId(999))),
        "{err}"
    );
    assert_eq!(store.board().await.unwrap().lead_count(), 0);
}

#[tokio::test]
async fn the_schema_enforces_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    Store::open(&path).await.unwrap().close().await;
    let mut conn = sqlx::SqliteConnection::connect_with(&connect_options(&path))
        .await
        .unwrap();
    let err = sqlx::query(
        "INSERT INTO leads (full_name, stage_id, position, created_at, updated_at) \
         VALUES ('Orphan', 424242, 0, 1, 1)",
    )
    .execute(&mut conn)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}

#[tokio::test]
async fn leads_survive_closing_and_reopening_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let store = Store::open(&path).await.unwrap();
    let lead = store.create_lead(&draft("Hedy Lamarr"), NOW).await.unwrap();
    store.close().await;

    let reopened = Store::open(&path).await.unwrap();
    assert_eq!(reopened.lead(lead.id).await.unwrap(), Some(lead));
    // Reopening applies no migration twice and adds no second set of default stages.
    assert_eq!(reopened.stages().await.unwrap().len(), 6);
}

#[tokio::test]
async fn opening_a_file_that_is_not_a_database_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    std::fs::write(&path, b"this is a text file, not SQLite\n".repeat(200)).unwrap();
    let err = Store::open(&path).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("not a database"), "{message}");
    // The file is left as it was for the user to recover.
    assert!(std::fs::read(&path)
        .unwrap()
        .starts_with(b"this is a text file"));
}

#[tokio::test]
async fn companies_split_by_unicode_and_punycode_domains_are_merged_on_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    // A database as migration 8 left it: an email's company keyed in Unicode, the website's in
    // punycode, for the same firm; and a Unicode-keyed company with no twin.
    let before = Migrator {
        migrations: Cow::Owned(
            MIGRATIONS
                .migrations
                .iter()
                .filter(|m| m.version <= 8)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    let mut conn = sqlx::SqliteConnection::connect_with(&connect_options(&path))
        .await
        .unwrap();
    before.run(&mut conn).await.unwrap();
    for sql in [
        "INSERT INTO companies (id, domain, name, website, created_at, updated_at) \
         VALUES (1, 'müller.de', 'Müller GmbH', 'https://müller.de/', 1, 1)",
        "INSERT INTO companies (id, domain, description, website, created_at, updated_at) \
         VALUES (2, 'xn--mller-kva.de', 'Makes valves', 'https://www.xn--mller-kva.de/', 1, 1)",
        "INSERT INTO companies (id, domain, name, website, created_at, updated_at) \
         VALUES (3, 'Bücher.de', 'Bücher', 'https://Bücher.de/', 1, 1)",
        "INSERT INTO leads (full_name, email, company_name, company_id, stage_id, position, \
         created_at, updated_at) VALUES ('Jürgen', 'jürgen@müller.de', 'Müller GmbH', 1, \
         (SELECT MIN(id) FROM pipeline_stages), 0, 1, 1)",
        "INSERT INTO leads (full_name, website, company_id, stage_id, position, created_at, \
         updated_at) VALUES ('Anna', 'https://www.xn--mller-kva.de/', 2, \
         (SELECT MIN(id) FROM pipeline_stages), 1024, 1, 1)",
        "INSERT INTO sources (company_id, url, kind, status, fetched_at, content_hash, text, \
         metadata) VALUES (1, 'https://xn--mller-kva.de/', 'home', 200, 1, 'a', 'Home', '{}'), \
         (1, 'https://xn--mller-kva.de/team', 'team', 200, 1, 'b', 'Team', '{}'), \
         (2, 'https://xn--mller-kva.de/', 'home', 200, 2, 'c', 'Home again', '{}')",
        "INSERT INTO facts (company_id, key, field, value, quote, confidence, verified) \
         VALUES (1, 'F1', 'founded', '1950', 'since 1950', 0.9, 1)",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();

    let store = Store::open(&path).await.unwrap();
    let merged = store
        .company(leadscout_domain::CompanyId(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(merged.domain.as_deref(), Some("xn--mller-kva.de"));
    assert_eq!(merged.domain_display.as_deref(), Some("müller.de"));
    assert_eq!(
        merged.name.as_deref(),
        Some("Müller GmbH"),
        "the name it lacked"
    );
    assert_eq!(merged.description.as_deref(), Some("Makes valves"));
    assert!(store
        .company(leadscout_domain::CompanyId(1))
        .await
        .unwrap()
        .is_none());
    let board = store.board().await.unwrap();
    let leads: Vec<_> = board.columns.iter().flat_map(|c| &c.leads).collect();
    assert_eq!(leads.len(), 2);
    assert!(leads
        .iter()
        .all(|l| l.company_id == Some(leadscout_domain::CompanyId(2))));
    let mut conn = sqlx::SqliteConnection::connect_with(&connect_options(&path))
        .await
        .unwrap();
    let sources: Vec<(i64, String)> =
        sqlx::query_as("SELECT company_id, text FROM sources ORDER BY url")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        sources,
        [(2, "Home again".to_owned()), (2, "Team".to_owned())],
        "the page both had keeps the surviving company's copy"
    );
    let facts: i64 = sqlx::query_scalar("SELECT count(*) FROM facts WHERE company_id = 2")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(facts, 1);
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM company_domain_fixes")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(pending, 0);
    conn.close().await.unwrap();

    // A company without a twin gets the canonical key, and its derived website with it.
    let books = store
        .company(leadscout_domain::CompanyId(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(books.domain.as_deref(), Some("xn--bcher-kva.de"));
    assert_eq!(books.website.as_deref(), Some("https://xn--bcher-kva.de/"));

    // From now on, a new lead's Unicode email lands on the same company.
    let draft = NewLead {
        full_name: "Klaus".into(),
        email: Some("klaus@müller.de".into()),
        company_name: None,
        website: None,
        stage_id: None,
    }
    .validate()
    .unwrap();
    let klaus = store.create_lead(&draft, NOW).await.unwrap();
    assert_eq!(klaus.company_id, Some(leadscout_domain::CompanyId(2)));
}

#[tokio::test]
async fn settings_saved_with_provider_names_read_back_and_an_unknown_one_is_a_clear_error() {
    use leadscout_domain::ModelProvider;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    assert_eq!(store.settings().await.unwrap().model.provider, None);
    for provider in ModelProvider::ALL {
        // A row as every earlier version wrote it: the provider as a plain string.
        let saved = serde_json::json!({
            "workers": 3,
            "model": { "provider": provider.as_str(), "baseUrl": null, "model": "m" }
        });
        store.save_setting("app", &saved, NOW).await.unwrap();
        let settings = store.settings().await.unwrap();
        assert_eq!(settings.model.provider, Some(provider));
        assert_eq!(settings.workers, 3);
    }
    let unknown = serde_json::json!({ "workers": 3, "model": { "provider": "skynet" } });
    store.save_setting("app", &unknown, NOW).await.unwrap();
    match store.settings().await {
        Err(StoreError::Corrupt(why)) => assert!(why.contains("skynet"), "{why}"),
        other => panic!("expected a clear error, got {other:?}"),
    }
    // The saved row is left as it was.
    assert_eq!(store.setting("app").await.unwrap(), Some(unknown));
}
