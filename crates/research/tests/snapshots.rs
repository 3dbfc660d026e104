//! Snapshot tests of what a page read gives: facts, Markdown text, headings, links, signals and
//! the blocks flagged as aimed at AI assistants, for every fixture page. A change in extraction
//! shows up as a diff in tests/snapshots/; after checking it, `LEADSCOUT_UPDATE_SNAPSHOTS=1 cargo
//! test -p leadscout-research --test snapshots` rewrites them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use leadscout_research::signals::{detect, SignalInput};
use leadscout_research::{decode, plain_text, read};
use serde_json::json;
use url::Url;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn snapshot_of(site: &str, file: &Path) -> serde_json::Value {
    let bytes = std::fs::read(file).unwrap();
    let html = decode(&bytes, "text/html");
    let name = file.file_stem().unwrap().to_string_lossy();
    let path = if name == "index" {
        String::new()
    } else {
        name.into_owned()
    };
    let base = Url::parse(&format!("https://{site}.example/{path}")).unwrap();
    let page = read(&html, &base);
    let flat = plain_text(&page.text);
    let signals = detect(&SignalInput {
        url: base.as_str(),
        html: &html,
        text: &flat,
        headers: &[],
    });
    json!({
        "url": base.as_str(),
        "facts": page.facts,
        "headings": page.headings,
        "text": page.text.lines().collect::<Vec<_>>(),
        "links": page.links.iter().map(|l| format!("{} [{}]", l.url, l.text)).collect::<Vec<_>>(),
        "signals": signals.iter().map(|s| json!({
            "kind": s.kind.as_str(),
            "name": s.name,
            "value": s.value,
            "evidence": s.evidence,
        })).collect::<Vec<_>>(),
        "injection": page.flagged,
    })
}

#[test]
fn every_fixture_page_reads_as_its_snapshot() {
    let update = std::env::var_os("LEADSCOUT_UPDATE_SNAPSHOTS").is_some();
    let mut checked = 0;
    let mut mismatched = Vec::new();
    for site in ["acme", "shell", "closed"] {
        let dir = root().join("fixtures/sites").join(site);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .collect();
        files.sort();
        for file in files {
            let got = snapshot_of(site, &file);
            let pretty = serde_json::to_string_pretty(&got).unwrap() + "\n";
            let parsed = |text: &str| serde_json::from_str::<serde_json::Value>(text).ok();
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            let snap = root().join("snapshots").join(format!("{site}-{stem}.json"));
            if update {
                std::fs::create_dir_all(snap.parent().unwrap()).unwrap();
                std::fs::write(&snap, &pretty).unwrap();
            } else {
                let want = std::fs::read_to_string(&snap).unwrap_or_else(|_| {
                    panic!(
                        "{} has no snapshot; run with LEADSCOUT_UPDATE_SNAPSHOTS=1",
                        snap.display()
                    )
                });
                // Compared as values: key order is not part of what a page says.
                if parsed(&want) != Some(got.clone()) {
                    mismatched.push(format!("{}:\n{pretty}", snap.display()));
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} fixture pages found");
    assert!(
        mismatched.is_empty(),
        "extraction changed:\n{}",
        mismatched.join("\n")
    );
}
