//! Company signals from one fetched page: the types, [`detect`] and the limits here; the
//! char-safe string helpers in `signals/evidence.rs`; the technology rules file in
//! `signals/rules.rs` and the matching in `signals/tech.rs`; text signals in
//! `signals/text.rs`; text aimed at AI assistants in `signals/injection.rs`.
//!
//! [`detect`] reports the technologies a site runs (from `rules/tech.json`: script sources,
//! other resource URLs, raw-HTML markers, response headers, cookies and the generator meta tag)
//! and what its visible text says about hiring, the pricing model, the founding year, the
//! headcount and the headquarters. [`injection_snippets`] finds text written to steer an AI that
//! reads the page, so callers can drop or flag it before the page reaches a model.
//!
//! Everything here is meant for hostile input: scanning is capped (1 MB of HTML, 300 KB of
//! text, cut on char boundaries), the `regex` crate matches in linear time, and evidence windows
//! are cut with char indices only, so no input can make this module panic.
//!
//! Built-in patterns are compiled once ([`LazyLock`]) into `Option<Regex>`: they are constants
//! and a test checks each compiles, but a failure would only silence that one signal instead of
//! panicking, which keeps the module free of `unwrap`/`expect` (the workspace denies both).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use regex::bytes::{
    Regex as BytesRegex, RegexBuilder as BytesRegexBuilder, RegexSet, RegexSetBuilder,
};
use regex::{Regex, RegexBuilder};
use serde::Deserialize;

mod evidence;
mod injection;
mod rules;
mod tech;
mod text;

use evidence::*;
pub(crate) use injection::injection_ranges;
pub use injection::injection_snippets;
use rules::*;
use tech::*;
use text::*;

/// One fetched page as the crawler saw it.
pub struct SignalInput<'a> {
    pub url: &'a str,
    /// Raw HTML (already decoded to UTF-8).
    pub html: &'a str,
    /// The page's visible text (scripts/styles removed), whitespace-collapsed.
    pub text: &'a str,
    /// Response headers, names lowercase.
    pub headers: &'a [(String, String)],
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignalKind {
    Tech,
    Hiring,
    Pricing,
    Founded,
    Size,
    Location,
    /// A dated entry of the site's own feed: `value` is its date (RFC 3339), `evidence` its
    /// title, `url` the entry.
    News,
}

impl SignalKind {
    pub fn parse(value: &str) -> Option<SignalKind> {
        [
            SignalKind::Tech,
            SignalKind::Hiring,
            SignalKind::Pricing,
            SignalKind::Founded,
            SignalKind::Size,
            SignalKind::Location,
            SignalKind::News,
        ]
        .into_iter()
        .find(|k| k.as_str() == value)
    }

    /// The kind as stored and shown: `tech`, `hiring`...
    pub fn as_str(&self) -> &'static str {
        match self {
            SignalKind::Tech => "tech",
            SignalKind::Hiring => "hiring",
            SignalKind::Pricing => "pricing",
            SignalKind::Founded => "founded",
            SignalKind::Size => "size",
            SignalKind::Location => "location",
            SignalKind::News => "news",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signal {
    pub kind: SignalKind,
    /// Tech: the technology name ("HubSpot"); Hiring: "hiring"; Pricing: one of "free_trial",
    /// "free_plan", "self_serve_pricing", "contact_sales"; Founded: "founded"; Size:
    /// "employees"; Location: "headquarters".
    pub name: String,
    /// Tech: its category (see [`CATEGORIES`]); Founded: the year ("2014"); Size: the figure as
    /// written ("250+", "11-50"); Location: the place text; Hiring: number of job postings if
    /// counted, else None; Pricing: None.
    pub value: Option<String>,
    /// The page this came from (SignalInput.url).
    pub url: String,
    /// The evidence: the exact matched snippet from the page (HTML attribute value, header, or
    /// a text window of at most 160 chars around the match, trimmed at word boundaries). Never
    /// empty.
    pub evidence: String,
}

/// Every signal found on the page, deduplicated by (kind, name), in a stable order (kind, then
/// name).
pub fn detect(page: &SignalInput<'_>) -> Vec<Signal> {
    let html = cap_at_char_boundary(page.html, MAX_HTML_BYTES);
    let text = cap_at_char_boundary(page.text, MAX_TEXT_BYTES);
    let headers = &page.headers[..page.headers.len().min(MAX_HEADERS)];

    let mut found: Vec<(SignalKind, String, Option<String>, String)> = Vec::new();
    for (name, category, evidence) in detect_tech(html, headers) {
        found.push((SignalKind::Tech, name, Some(category), evidence));
    }
    if let Some((value, evidence)) = detect_hiring(page.url, html, text) {
        found.push((SignalKind::Hiring, "hiring".into(), value, evidence));
    }
    for (name, evidence) in detect_pricing(text) {
        found.push((SignalKind::Pricing, name.into(), None, evidence));
    }
    if let Some((year, evidence)) = detect_founded(text) {
        found.push((SignalKind::Founded, "founded".into(), Some(year), evidence));
    }
    if let Some((figure, evidence)) = detect_size(text) {
        found.push((SignalKind::Size, "employees".into(), Some(figure), evidence));
    }
    if let Some((place, evidence)) = detect_location(text) {
        found.push((
            SignalKind::Location,
            "headquarters".into(),
            Some(place),
            evidence,
        ));
    }

    let mut seen = HashSet::new();
    let mut signals: Vec<Signal> = found
        .into_iter()
        .filter(|(kind, name, _, evidence)| {
            !evidence.trim().is_empty() && seen.insert((kind_rank(kind), name.clone()))
        })
        .map(|(kind, name, value, evidence)| Signal {
            kind,
            name,
            value,
            url: page.url.to_string(),
            evidence,
        })
        .collect();
    signals.sort_by(|a, b| {
        kind_rank(&a.kind)
            .cmp(&kind_rank(&b.kind))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.name.cmp(&b.name))
    });
    signals
}

/// How many technology rules the rules file holds.
pub fn tech_rule_count() -> usize {
    RULES.declared
}

// ---------------------------------------------------------------------------------------------
// Limits and constants

const MAX_HTML_BYTES: usize = 1024 * 1024;
const MAX_TEXT_BYTES: usize = 300 * 1024;
const MAX_EVIDENCE_CHARS: usize = 160;
const MAX_INJECTION_SNIPPETS: usize = 5;
/// Tags (script/link/iframe/…) examined per page; a real page has a few hundred.
const MAX_TAGS: usize = 5_000;
const MAX_HEADERS: usize = 256;
/// Counting JSON-LD job postings stops here; the figure is a signal, not an inventory.
const MAX_JOB_POSTINGS: usize = 10_000;
const MIN_YEAR: u32 = 1800;
/// The latest founding year accepted is the current year, never less than this.
const BASE_YEAR: u32 = 2026;

/// The categories a technology rule may use.
pub const CATEGORIES: [&str; 16] = [
    "analytics",
    "crm",
    "marketing_automation",
    "payments",
    "hosting_cdn",
    "web_framework",
    "cms",
    "chat",
    "ecommerce",
    "tag_manager",
    "ab_testing",
    "error_tracking",
    "fonts",
    "video",
    "scheduling",
    "security",
];

const RULES_JSON: &str = include_str!("../rules/tech.json");

fn kind_rank(kind: &SignalKind) -> u8 {
    match kind {
        SignalKind::Tech => 0,
        SignalKind::Hiring => 1,
        SignalKind::Pricing => 2,
        SignalKind::Founded => 3,
        SignalKind::Size => 4,
        SignalKind::Location => 5,
        SignalKind::News => 6,
    }
}

#[cfg(test)]
mod tests;
