//! The one error type every command returns: a code the UI acts on and a message a person can
//! read. Internal detail stays in the log.

use leadscout_application::{AppError, ErrorCode};
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

impl From<AppError> for IpcError {
    fn from(err: AppError) -> Self {
        IpcError {
            code: match err.code {
                ErrorCode::Validation => IpcErrorCode::Validation,
                ErrorCode::NotFound => IpcErrorCode::NotFound,
                ErrorCode::Storage => IpcErrorCode::Storage,
                ErrorCode::Keychain => IpcErrorCode::Keychain,
                ErrorCode::Provider => IpcErrorCode::Provider,
                ErrorCode::Internal => IpcErrorCode::Internal,
            },
            message: err.message,
            field: err.field,
        }
    }
}

/// The application layer words every failure; these are its rules, for commands that call
/// the store or the domain directly.
impl From<FieldError> for IpcError {
    fn from(err: FieldError) -> Self {
        AppError::from(err).into()
    }
}

impl From<StageInputError> for IpcError {
    fn from(err: StageInputError) -> Self {
        AppError::from(err).into()
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
        AppError::from(err).into()
    }
}
