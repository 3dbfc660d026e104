//! The model stages of lead research. `context` reads which model to use and the user's profile;
//! `footprint` asks the model for company facts from the chosen page excerpts, each with a
//! source id and a quote; `insights` judges the lead from the verified facts only. Every answer
//! is validated (JSON Schema, then the stage's own checks; one repair turn sends the errors
//! back) and grounded (cited source in the prompt, quote found in it). Every call is recorded
//! with its three context layers for the context inspector. With no model configured both model
//! stages skip, and research is the deterministic website profile alone.

use std::time::Duration;

mod budget;
mod call;
mod choice;
mod context;
mod failure;
mod footprint;
mod insights;
mod request;
mod validate;

#[cfg(test)]
mod tests;

pub use choice::{KeychainModels, ModelChoice, ModelKit, Models};
pub use context::{Context, ContextStep};
pub use footprint::{footprint_excerpts, Footprint, FootprintStep};
pub use insights::{Insights, InsightsStep};
pub use validate::Cited;

pub(crate) use call::{call_record, CallSite};
pub(crate) use failure::is_unknown;
pub(crate) use request::schema_for;
pub(crate) use validate::restatement_problem;

pub const FOOTPRINT_PROMPT: &str = "lead-research/footprint";
pub const INSIGHTS_PROMPT: &str = "lead-research/insights";

/// Why the model stages skip when no model is set up (research is the website profile alone).
pub const NO_MODEL: &str = "No model is set up (Settings → Model).";

/// How long one model call may take before it counts as a timeout (and is retried).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(180);
/// The fewest words a summary needs to be a sentence.
pub(crate) const SUMMARY_MIN_WORDS: usize = 4;
/// Verified reasons a fit score needs before it becomes the lead's score.
pub(crate) const VERIFIED_REASONS: usize = 3;
