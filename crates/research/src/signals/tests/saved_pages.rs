//! Real saved pages (read-only, never copied) must not panic the detector.

use super::*;
use std::path::{Path, PathBuf};

fn eval_pages_dir() -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/eval/pages"))
        .find(|p| p.is_dir())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("html" | "htm" | "response")
        ) {
            out.push(path);
        }
    }
}

/// `.response` files are raw HTTP responses: status line, headers, blank line, body.
fn split_response(raw: &str) -> (Vec<(String, String)>, String) {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or(("", raw));
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (headers, body.to_string())
}

fn crude_text(html: &str) -> String {
    let scripts =
        Regex::new(r"(?is)<(script|style|noscript)\b.*?</(script|style|noscript)\s*>").unwrap();
    let tags = Regex::new(r"(?s)<[^>]*>").unwrap();
    let no_scripts = scripts.replace_all(html, " ");
    let no_tags = tags.replace_all(&no_scripts, " ");
    no_tags.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn real_saved_pages_do_not_panic() {
    let Some(dir) = eval_pages_dir() else {
        println!(
            "skipping: shared/eval/pages not found above {}",
            env!("CARGO_MANIFEST_DIR")
        );
        return;
    };
    let mut files = Vec::new();
    collect_files(&dir, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no pages under {}", dir.display());
    let verbose = std::env::var_os("SIGNALS_VERBOSE").is_some();
    let mut with_tech = 0;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut other_kinds: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let raw = String::from_utf8_lossy(&bytes);
        let (headers, html) = if path.extension().is_some_and(|e| e == "response") {
            split_response(&raw)
        } else {
            (Vec::new(), raw.into_owned())
        };
        let text = crude_text(&html);
        let url = path.to_string_lossy().to_string();
        let signals = detect(&page(&url, &html, &text, &headers));
        let _ = injection_snippets(&text);
        for s in &signals {
            assert!(
                !s.evidence.is_empty() && s.evidence.chars().count() <= 160,
                "{s:?}"
            );
            assert_eq!(s.url, url);
        }
        let techs = tech_names(&signals);
        if !techs.is_empty() {
            with_tech += 1;
        }
        for t in &techs {
            *counts.entry(t.to_string()).or_default() += 1;
        }
        for s in signals.iter().filter(|s| s.kind != SignalKind::Tech) {
            *other_kinds
                .entry(format!("{:?}/{}", s.kind, s.name))
                .or_default() += 1;
        }
        if verbose {
            let rel = path.strip_prefix(&dir).unwrap_or(path);
            println!("{}: {techs:?}", rel.display());
            for s in &signals {
                println!("    {:?} {} {:?} | {}", s.kind, s.name, s.value, s.evidence);
            }
            for snippet in injection_snippets(&text) {
                println!("    INJECTION? {snippet}");
            }
        }
    }
    let mut top: Vec<(String, usize)> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    println!(
        "real pages: {} of {} had >= 1 tech signal; most common: {:?}; text signals: {:?}",
        with_tech,
        files.len(),
        &top[..top.len().min(12)],
        other_kinds
    );
}
