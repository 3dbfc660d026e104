//! Leadscout's local database: one SQLite file in WAL mode, opened with foreign keys on and a
//! busy timeout, migrated forward on open. Writes go through a single connection so that two
//! writers never race for SQLite's one write lock; reads use a small pool of their own.

mod activities;
mod companies;
mod custom_fields;
mod error;
mod export;
mod followups;
mod import;
mod insights;
mod leads;
mod merge;
mod pipelines;
mod reminders;
mod reports;
mod research;
mod restore;
mod runs;
mod search;
mod settings;
mod stages;
mod views;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use error::StoreError;
pub use import::{ImportLead, Imported};
pub use leads::Placement;
pub use merge::MERGEABLE;
pub use reminders::{Reminder, Reminders};
pub use reports::ReportInputs;
pub use research::{ResearchRecord, SourceRecord};
pub use restore::{apply_staged_restore, check_backup, stage_restore, BackupCheck, RESTORE_FILE};
pub use runs::{ClaimedRun, StageMeta, StoredOutput};

use leadscout_domain::Timestamp;

/// The database's effective settings, as SQLite reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    pub journal_mode: String,
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
    /// Whether SQL in the schema (triggers, views) may call any function; off on every
    /// connection, writer and readers alike.
    pub trusted_schema: bool,
    pub schema_version: i64,
}

/// Every schema change, oldest first. Files are never edited once released: a change is a new
/// file.
pub static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

/// How long a statement waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const READ_CONNECTIONS: u32 = 4;

/// The database file name inside the app's data folder.
pub const DATABASE_FILE: &str = "leadscout.sqlite3";

/// A handle on the open database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
    path: PathBuf,
}

/// Connection settings every connection to a Leadscout database uses.
pub fn connect_options(path: &Path) -> SqliteConnectOptions {
    untrusting(SqliteConnectOptions::new())
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
}

/// `trusted_schema = OFF`: the schema's own SQL (a trigger, a view, a default) may use only
/// functions and virtual tables SQLite marks harmless, so a schema written by someone else
/// cannot make an ordinary query do more than read and write rows. Leadscout's triggers touch
/// only FTS5, which is marked harmless.
pub(crate) fn untrusting(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options.pragma("trusted_schema", "OFF")
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    #[tracing::instrument]
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect_options(path))
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source,
            })?;
        // Leads from before companies existed (migration 3) are linked once, right after it.
        let had_companies: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'companies')",
        )
        .fetch_one(&writer)
        .await?;
        MIGRATIONS.run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .connect_with(
                connect_options(path)
                    .create_if_missing(false)
                    .read_only(true),
            )
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source,
            })?;
        let store = Store {
            writer,
            reader,
            path: path.to_owned(),
        };
        let merged = store.canonicalize_company_domains(Timestamp::now()).await?;
        if merged > 0 {
            tracing::info!(merged, "merged companies split by the form of their domain");
        }
        if !had_companies {
            let linked = store.link_unlinked_leads(Timestamp::now()).await?;
            if linked > 0 {
                tracing::info!(linked, "linked existing leads to their companies");
            }
        }
        Ok(store)
    }

    /// A write transaction. It takes SQLite's write lock at `BEGIN IMMEDIATE`, waiting for it up
    /// to the busy timeout. A deferred `BEGIN` would take it at the first write instead, and if
    /// another connection (the command line beside the app, or the app beside it) had committed
    /// since this transaction's first read, SQLite could not upgrade it and would fail at once
    /// with SQLITE_BUSY_SNAPSHOT, busy timeout or not.
    pub(crate) async fn write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }

    /// The database file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the connections are actually configured, read back from SQLite, and the schema
    /// version: support information, and proof that the settings took effect.
    pub async fn diagnostics(&self) -> Result<Diagnostics, StoreError> {
        let mut conn = self.writer.acquire().await?;
        let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?;
        let busy_timeout_ms: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await?;
        let writer_trusts: i64 = sqlx::query_scalar("PRAGMA trusted_schema")
            .fetch_one(&mut *conn)
            .await?;
        let reader_trusts: i64 = sqlx::query_scalar("PRAGMA trusted_schema")
            .fetch_one(&self.reader)
            .await?;
        let schema_version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&mut *conn)
                .await?;
        Ok(Diagnostics {
            journal_mode,
            foreign_keys: foreign_keys == 1,
            busy_timeout_ms,
            trusted_schema: writer_trusts != 0 || reader_trusts != 0,
            schema_version: schema_version.unwrap_or(0),
        })
    }

    /// SQLite's own check of the whole file: `"ok"`, or what is damaged.
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.join("; "))
    }

    /// Waits for in-flight work and closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}
