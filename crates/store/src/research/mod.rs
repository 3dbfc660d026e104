//! Research results: the pages read for a company, the signals they gave and the profile built
//! from them, written once per run together with the run's timeline entry.
//!
//! The records research hands over to be written are here; `write` stores them, `read` answers
//! the views of them (the drawer's research, the pages for the next crawl), and `proposals`
//! holds the values research found that wait for the user.

use leadscout_domain::{CompanyProfile, FactView, InsightsView, SignalView, Timestamp};
use serde_json::Value;

mod proposals;
mod read;
mod write;

/// One page as research read it, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    pub url: String,
    pub kind: String,
    pub status: u16,
    pub fetched_at: Timestamp,
    pub content_hash: String,
    pub title: Option<String>,
    pub text: String,
    pub metadata: Value,
    pub injection: Vec<String>,
    pub signals: Vec<SignalView>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A finished research run's effect on the data.
#[derive(Debug, Clone, PartialEq)]
pub struct ResearchRecord {
    pub profile: CompanyProfile,
    pub sources: Vec<SourceRecord>,
    /// The timeline entry on the lead.
    pub summary: String,
    /// The footprint stage's facts; `None` when no model ran (the company keeps its earlier
    /// facts).
    pub facts: Option<Vec<FactView>>,
    /// The insights stage's judgement of the lead; `None` when no model ran.
    pub insights: Option<InsightsView>,
}
