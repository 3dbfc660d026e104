//! The one error every use case returns: a code the caller acts on and a sentence a person can
//! read. The desktop app turns it into its IPC error; the command line prints the sentence.

use leadscout_domain::{CustomFieldError, FieldError, StageInputError};
use leadscout_llm::keys::KeychainError;
use leadscout_store::StoreError;

/// What kind of failure it is, so the caller can decide what to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The input was refused; `field` says which one and `message` how to fix it.
    Validation,
    /// The thing asked for does not exist (any more).
    NotFound,
    /// The database could not be opened, read or written.
    Storage,
    /// The system keychain is missing, locked or refused.
    Keychain,
    /// A model provider refused or failed.
    Provider,
    /// A bug or an unexpected state; the log has the details.
    Internal,
}

/// A use case's failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// The input field the message is about, in the UI's spelling (`email`, `website`, ...).
    pub field: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A refused input, about `field`.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError {
            code: ErrorCode::Validation,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::Internal, message)
    }
}

impl From<FieldError> for AppError {
    fn from(err: FieldError) -> Self {
        AppError::field(err.field.as_str(), err.message)
    }
}

impl From<StageInputError> for AppError {
    fn from(err: StageInputError) -> Self {
        AppError::field(err.field, err.message)
    }
}

impl From<CustomFieldError> for AppError {
    fn from(err: CustomFieldError) -> Self {
        AppError::field(err.field, err.message)
    }
}

impl From<KeychainError> for AppError {
    fn from(err: KeychainError) -> Self {
        tracing::warn!(error = %err, "keychain unavailable");
        AppError::new(ErrorCode::Keychain, err.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::StageNotFound(_) => AppError::field(
                "stageId",
                "That pipeline stage no longer exists; pick another one.",
            ),
            StoreError::PipelineNotFound(_) => AppError::new(
                ErrorCode::NotFound,
                "That pipeline no longer exists; it may have been deleted in another window.",
            ),
            StoreError::LeadNotFound(_) => AppError::new(
                ErrorCode::NotFound,
                "That lead no longer exists; it may have been deleted in another window.",
            ),
            StoreError::ActivityNotFound(_) => {
                AppError::new(ErrorCode::NotFound, "That timeline entry no longer exists.")
            }
            StoreError::CustomFieldNotFound(_) => AppError::new(
                ErrorCode::NotFound,
                "That custom field no longer exists; it may have been deleted in Settings.",
            ),
            StoreError::Invalid { field, message } => AppError::field(field, message),
            StoreError::Conflict(message) => AppError::new(ErrorCode::Validation, message),
            StoreError::NoStages => AppError::new(
                ErrorCode::Validation,
                "The pipeline has no stages yet; add a stage first.",
            ),
            other => {
                tracing::error!(error = %other, "database failure");
                AppError::new(
                    ErrorCode::Storage,
                    format!("Leadscout could not use its database: {other}"),
                )
            }
        }
    }
}
