//! The prompts the model stages use, and the user's overrides of them in the data folder.

use leadscout_context::prompt::{parse, Prompts};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{AppError, ErrorCode, Leadscout};

/// The folder under the data folder where prompt overrides live (`<id>.md`).
pub const PROMPTS_FOLDER: &str = "prompts";

/// A prompt the model stages use, and whether the user's own file replaces it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PromptInfo {
    pub id: String,
    pub version: u32,
    pub description: String,
    /// A file in the data folder replaces the shipped prompt.
    pub overridden: bool,
    /// Where an override goes (or is).
    pub path: String,
    /// Why the override cannot be used; research fails until it is fixed or reset.
    pub problem: Option<String>,
}

fn shipped() -> Result<Prompts, AppError> {
    Prompts::load_set(&leadscout_research::draft::every_prompt(), None)
        .map_err(|e| AppError::internal(e.to_string()))
}

impl Leadscout {
    /// The prompts with their override state.
    pub fn prompts(&self) -> Result<Vec<PromptInfo>, AppError> {
        let dir = self.prompts_dir();
        let mut out = Vec::new();
        for prompt in shipped()?.all() {
            let path = dir.join(format!("{}.md", prompt.id));
            let (mut info, problem) = match std::fs::read_to_string(&path) {
                Ok(text) => match parse(&prompt.id, &text) {
                    Ok(custom) => (custom, None),
                    Err(err) => (prompt.clone(), Some(err.to_string())),
                },
                Err(_) => (prompt.clone(), None),
            };
            info.overridden = path.exists();
            // Partials have no front matter; say what the shared one is.
            let description = if info.description.is_empty() {
                "The shared context every call starts with: today's date, your profile and the lead."
                    .to_owned()
            } else {
                info.description
            };
            out.push(PromptInfo {
                id: info.id,
                version: info.version,
                description,
                overridden: info.overridden,
                path: path.display().to_string(),
                problem,
            });
        }
        Ok(out)
    }

    /// Removes the user's override of a prompt, so the shipped one is used again. The file is
    /// kept beside it as `<id>.md.bak`, never deleted.
    pub fn reset_prompt(&self, id: &str) -> Result<Vec<PromptInfo>, AppError> {
        if !shipped()?.all().any(|p| p.id == id) {
            return Err(AppError::new(
                ErrorCode::Validation,
                format!("{id} is not a prompt Leadscout uses."),
            ));
        }
        let path = self.prompts_dir().join(format!("{id}.md"));
        if path.exists() {
            let kept = path.with_extension("md.bak");
            std::fs::rename(&path, &kept).map_err(|e| {
                AppError::new(
                    ErrorCode::Storage,
                    format!("Could not move {} aside: {e}", path.display()),
                )
            })?;
        }
        self.prompts()
    }
}
