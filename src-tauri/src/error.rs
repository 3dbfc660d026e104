//! The one error type every command returns: a code the UI acts on and a message a person can
//! read. Internal detail stays in the log.

use leadscout_domain::{FieldError, StageInputError, ViewInputError};
use leadscout_store::StoreError;
use serde::Serialize;
use specta::Type;

/// What kind of failure the UI is looking at, so it can decide what to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum IpcErrorCode {
    /// The input was refused; `field` says which one and `message` how to fix it.
    Validation,
    /// The thing asked for does not exist (any more).
    NotFound,
    /// The database could not be opened, read or written.
    Storage,
    /// The system keychain is missing, locked or refused; `message` says what to do.
    Keychain,
    /// A model provider refused or failed (bad key, unknown model, unreachable server).
    Provider,
    /// A bug or an unexpected state; the log has the details.
    Internal,
}

/// A command failure as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub code: IpcErrorCode,
    pub message: String,
    /// The input field the message is about, in the UI's spelling (`email`, `website`, ...).
    pub field: Option<String>,
}

impl IpcError {
    pub fn new(code: IpcErrorCode, message: impl Into<String>) -> Self {
        IpcError {
            code,
            message: message.into(),
            field: None,
        }
    }
}

impl From<FieldError> for IpcError {
    fn from(err: FieldError) -> Self {
        IpcError {
            code: IpcErrorCode::Validation,
            message: err.message,
            field: Some(err.field.as_str().to_owned()),
        }
    }
}

impl From<StageInputError> for IpcError {
    fn from(err: StageInputError) -> Self {
        IpcError {
            code: IpcErrorCode::Validation,
            message: err.message,
            field: Some(err.field.to_owned()),
        }
    }
}

impl From<ViewInputError> for IpcError {
    fn from(err: ViewInputError) -> Self {
        IpcError {
            code: IpcErrorCode::Validation,
            message: err.message,
            field: Some(err.field.to_owned()),
        }
    }
}

impl From<StoreError> for IpcError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::StageNotFound(_) => IpcError {
                code: IpcErrorCode::Validation,
                message: "That pipeline stage no longer exists; pick another one.".into(),
                field: Some("stageId".into()),
            },
            StoreError::LeadNotFound(_) => IpcError::new(
                IpcErrorCode::NotFound,
                "That lead no longer exists; it may have been deleted in another window.",
            ),
            StoreError::ActivityNotFound(_) => IpcError::new(
                IpcErrorCode::NotFound,
                "That timeline entry no longer exists.",
            ),
            StoreError::Conflict(message) => IpcError::new(IpcErrorCode::Validation, message),
            StoreError::NoStages => IpcError::new(
                IpcErrorCode::Validation,
                "The pipeline has no stages yet; add a stage first.",
            ),
            other => {
                tracing::error!(error = %other, "database failure");
                IpcError::new(
                    IpcErrorCode::Storage,
                    format!("Leadscout could not use its database: {other}"),
                )
            }
        }
    }
}
