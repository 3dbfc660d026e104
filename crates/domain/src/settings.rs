//! The user's preferences. Never secrets: API keys live in the OS keychain only.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::StageInputError;

/// Most research runs at once.
pub const MAX_WORKERS: u8 = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Start research as soon as a lead with a website or work email is added.
    pub research_on_create: bool,
    /// A desktop notification when research finishes or fails.
    pub notifications: bool,
    /// Research runs at the same time (1 to 8).
    pub workers: u8,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            research_on_create: true,
            notifications: true,
            workers: 4,
        }
    }
}

impl Settings {
    /// The settings the user may save: out-of-range numbers are refused, not clamped.
    pub fn validate(self) -> Result<Settings, StageInputError> {
        if self.workers == 0 || self.workers > MAX_WORKERS {
            return Err(StageInputError {
                field: "workers",
                message: format!("Choose between 1 and {MAX_WORKERS} research runs at once."),
            });
        }
        Ok(self)
    }
}
