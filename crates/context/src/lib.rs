//! The model's context, built and checked. Research decides what to ask; this crate holds how:
//! prompt files with front matter and versions, rendered with the run's variables
//! ([`prompt`]); the page excerpts that fit a token budget, most relevant first ([`excerpts`]);
//! the checks that every quote the model returns is in the source it names and every value is in
//! its quote ([`grounding`]); and the typed outputs of the model steps with their JSON Schemas
//! ([`outputs`]). Nothing here runs a workflow, reads the database or calls a provider.

pub mod excerpts;
pub mod grounding;
pub mod outputs;
pub mod prompt;
