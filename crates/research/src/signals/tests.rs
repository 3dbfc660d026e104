//! Shared helpers of the signal tests; the tests are in one file per signal family.

use super::*;

mod hostile;
mod injection;
mod saved_pages;
mod tech;
mod text;

fn page<'a>(
    url: &'a str,
    html: &'a str,
    text: &'a str,
    headers: &'a [(String, String)],
) -> SignalInput<'a> {
    SignalInput {
        url,
        html,
        text,
        headers,
    }
}

fn text_page(text: &str) -> Vec<Signal> {
    detect(&page("https://example.com/", "", text, &[]))
}

fn find<'s>(signals: &'s [Signal], kind: SignalKind, name: &str) -> Option<&'s Signal> {
    signals.iter().find(|s| s.kind == kind && s.name == name)
}

fn tech_names(signals: &[Signal]) -> Vec<&str> {
    signals
        .iter()
        .filter(|s| s.kind == SignalKind::Tech)
        .map(|s| s.name.as_str())
        .collect()
}

fn hdr(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}
