//! Search across leads, companies and notes.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{CompanyId, LeadId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SearchKind {
    Lead,
    Company,
    Note,
}

/// One search result; `lead_id` is the lead to open (for a company, its most recent lead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub kind: SearchKind,
    pub lead_id: Option<LeadId>,
    pub company_id: Option<CompanyId>,
    pub title: String,
    /// A short excerpt around the match; matched words are wrapped in U+E000 / U+E001 so the
    /// UI can highlight them without parsing HTML.
    pub snippet: String,
}

pub const MATCH_START: char = '\u{e000}';
pub const MATCH_END: char = '\u{e001}';

/// Turns what the user typed into an FTS5 query that cannot be a syntax error: every word is
/// quoted (so `AND`, `-`, `"` and `*` are plain text) and the last one matches as a prefix, so
/// results appear while typing. `None` when there is nothing to search for.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !(c.is_alphanumeric() || c == '@' || c == '.' || c == '_' || c == '-'))
        .map(|w| w.trim_matches(|c: char| c == '.' || c == '-'))
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| format!("\"{}\"", w.replace('"', "")))
        .collect();
    let (last, rest) = words.split_last()?;
    let mut query = rest.join(" ");
    if !query.is_empty() {
        query.push(' ');
    }
    query.push_str(last);
    query.push('*');
    Some(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_quoted_words_with_a_prefix_on_the_last() {
        assert_eq!(fts_query("ada love").as_deref(), Some("\"ada\" \"love\"*"));
        assert_eq!(
            fts_query("  \"OR\" NEAR(x -y) ").as_deref(),
            Some("\"OR\" \"NEAR\" \"x\" \"y\"*")
        );
        assert_eq!(
            fts_query("ada@acme.com").as_deref(),
            Some("\"ada@acme.com\"*")
        );
        assert_eq!(fts_query(" *** "), None);
    }
}
