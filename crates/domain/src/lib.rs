//! Leadscout's domain: the types every other crate speaks in, and the rules that decide whether
//! user input is acceptable. No I/O lives here, so everything is testable as plain values.

mod ids;
mod lead;
mod stage;
mod time;
mod validation;

pub use ids::{LeadId, StageId};
pub use lead::{Lead, LeadDraft, NewLead};
pub use stage::{Stage, StageKind};
pub use time::Timestamp;
pub use validation::{FieldError, LeadField};
mod board;
pub use board::{Board, BoardColumn};
