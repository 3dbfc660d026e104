//! What can go wrong with the database, in variants callers act on.

use std::path::PathBuf;

use leadscout_domain::{ActivityId, LeadId, PipelineId, StageId};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the database at {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error("could not bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("pipeline stage {0} does not exist")]
    StageNotFound(StageId),
    #[error("pipeline {0} does not exist")]
    PipelineNotFound(PipelineId),
    #[error("lead {0} does not exist or was deleted")]
    LeadNotFound(LeadId),
    #[error("timeline entry {0} does not exist")]
    ActivityNotFound(ActivityId),
    /// A request that contradicts the data, e.g. placing a card next to one in another column.
    #[error("{0}")]
    Conflict(String),
    #[error("custom field {0} does not exist")]
    CustomFieldNotFound(leadscout_domain::CustomFieldId),
    /// A value refused by the domain's rules, checked inside the write transaction: which input
    /// (`value`, `choices`) and a message naming the field.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("the pipeline has no stages")]
    NoStages,
    /// A row holds a value the schema should have made impossible (edited by hand, or written by
    /// a newer version of the app).
    #[error("unexpected data in the database: {0}")]
    Corrupt(String),
    /// A file outside the database (a backup's destination) could not be written.
    #[error("{0}")]
    Io(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}
