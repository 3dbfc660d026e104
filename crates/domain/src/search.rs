//! Search across leads, companies and notes.

use serde::{Deserialize, Serialize};
use specta::Type;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

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

/// Lower-cases and strips accents, the way the index's `remove_diacritics` tokenizer does.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of `text` as the index sees them: runs of letters and digits, with byte ranges.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// A short excerpt of `text` around the first word matching the query, matched words wrapped in
/// [`MATCH_START`]/[`MATCH_END`]; `None` when no word of `text` matches. The last query word
/// matches as a prefix, like the search itself.
pub fn snippet(text: &str, input: &str, window: usize) -> Option<String> {
    let terms: Vec<String> = words(input)
        .iter()
        .map(|(s, e)| fold(&input[*s..*e]))
        .collect();
    let (last, exact) = terms.split_last()?;
    let spans = words(text);
    let matches = |w: &str| {
        let w = fold(w);
        exact.contains(&w) || w.starts_with(last.as_str())
    };
    let first = spans.iter().position(|(s, e)| matches(&text[*s..*e]))?;
    let from = first.saturating_sub(3);
    let to = (from + window).min(spans.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut cursor = spans[from].0;
    for (s, e) in &spans[from..to] {
        out.push_str(&text[cursor..*s]);
        if matches(&text[*s..*e]) {
            out.push(MATCH_START);
            out.push_str(&text[*s..*e]);
            out.push(MATCH_END);
        } else {
            out.push_str(&text[*s..*e]);
        }
        cursor = *e;
    }
    if to < spans.len() {
        out.push('…');
    }
    // Collapse line breaks: a snippet is one line.
    Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_matches_like_the_index_finds_them() {
        let s = |text: &str, q: &str| snippet(text, q, 8);
        assert_eq!(
            s("Met José at the expo. Wants a pilot in Q3.", "jose pil").as_deref(),
            Some("Met \u{e000}José\u{e001} at the expo. Wants a \u{e000}pilot\u{e001}…")
        );
        assert_eq!(
            s(
                "one two three four five six seven eight nine ten eleven",
                "nine"
            )
            .as_deref(),
            Some("…six seven eight \u{e000}nine\u{e001} ten eleven")
        );
        assert_eq!(s("nothing here", "absent"), None);
        assert_eq!(
            s("line one\n\nline two", "two").as_deref(),
            Some("line one line \u{e000}two\u{e001}")
        );
        assert_eq!(fold("ÅNGSTRÖM Ça"), "angstrom ca");
    }

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
