//! Input tokens per lead: the layered prompts the model stages send, against a monolithic
//! baseline that puts every instruction and all page text in every call. Sites: the fixture
//! sites of the research tests, and every saved real page under ../shared/eval/pages (each
//! folder one site). Tokens are counted the way the budgets are (about four characters a token).
//!
//! With `LEADSCOUT_DB=<data folder>/leadscout.sqlite3` it also reports, from that database's
//! recorded model calls, the share of footprint quotes that verified.
//!
//! `cargo bench -p leadscout-research --bench tokens`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leadscout_bench::Section;
use leadscout_context::excerpts::Page;
use leadscout_context::prompt::{assemble, tokens, Excerpt, Prompts};
use leadscout_research::model::{footprint_excerpts, FOOTPRINT_PROMPT, INSIGHTS_PROMPT};
use leadscout_research::{decode, read};
use url::Url;

fn vars() -> BTreeMap<&'static str, String> {
    [
        ("today", "2026-11-30"),
        ("user_company", "Forge & Co"),
        (
            "user_offering",
            "Inventory software for workshops and logistics firms",
        ),
        (
            "user_ideal_customer",
            "Companies of 20-500 people that ship physical goods",
        ),
        ("lead_name", "Dana Whitfield"),
        ("lead_title", "Head of Operations"),
        ("lead_company", "Acme"),
        ("lead_domain", "acme.example"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// Sites as (name, pages): fixture folders, then each folder of saved real pages.
fn sites() -> Vec<(String, Vec<Page>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sites = Vec::new();
    let mut add = |name: String, files: Vec<PathBuf>| {
        let pages: Vec<Page> = files
            .iter()
            .map(|f| {
                let html = decode(&std::fs::read(f).unwrap(), "text/html");
                let url = Url::parse("https://site.example/").unwrap();
                Page {
                    url: format!(
                        "https://site.example/{}",
                        f.file_stem().unwrap().to_string_lossy()
                    ),
                    text: read(&html, &url).text,
                }
            })
            .filter(|p| !p.text.trim().is_empty())
            .collect();
        if !pages.is_empty() {
            sites.push((name, pages));
        }
    };
    let html_in = |dir: &Path| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        // Readability's `expected.html` is the extraction answer, not a page of the site.
        files.retain(|p| {
            p.extension().is_some_and(|e| e == "html" || e == "htm")
                && !p
                    .file_stem()
                    .is_some_and(|s| s.to_string_lossy().starts_with("expected"))
        });
        files.sort();
        // The homepage first, as a crawl reads it.
        files.sort_by_key(|p| p.file_stem().is_none_or(|s| s != "index"));
        files
    };
    for site in ["acme", "injected", "shell"] {
        add(
            format!("fixture: {site}"),
            html_in(&root.join("tests/fixtures/sites").join(site)),
        );
    }
    let eval = root.join("../../../shared/eval/pages");
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut stack = vec![eval.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path());
            }
        }
        if !html_in(&dir).is_empty() {
            folders.push(dir);
        }
    }
    folders.sort();
    for dir in folders {
        let name = dir
            .strip_prefix(&eval)
            .unwrap_or(&dir)
            .display()
            .to_string();
        add(format!("real: {name}"), html_in(&dir));
    }
    sites
}

/// Facts as the footprint stage passes them on: a value and a quote (at most 30 words) per
/// fact, up to eight, taken from the first sentences of the excerpts.
fn facts_from(excerpts: &[Excerpt]) -> Vec<Excerpt> {
    excerpts
        .iter()
        .filter_map(|e| {
            let sentence = e
                .text
                .split(['.', '\n'])
                .find(|s| s.split_whitespace().count() >= 5)?;
            let quote: String = sentence
                .split_whitespace()
                .take(30)
                .collect::<Vec<_>>()
                .join(" ");
            let value: String = quote
                .split_whitespace()
                .take(8)
                .collect::<Vec<_>>()
                .join(" ");
            Some((e.url.clone(), value, quote))
        })
        .take(8)
        .enumerate()
        .map(|(i, (url, value, quote))| Excerpt {
            id: format!("F{}", i + 1),
            url,
            text: format!("what_they_do: {value}\nQuote: \"{quote}\""),
        })
        .collect()
}

fn verify_share(report: &Section, db: &str) {
    let conn = std::process::Command::new("sqlite3")
        .arg(db)
        .arg(
            "SELECT COALESCE(SUM(CASE WHEN json_extract(g.value, '$.verified') THEN 1 ELSE 0 END), 0), \
             COUNT(*) FROM model_calls m, json_each(m.grounding) g \
             WHERE m.stage = 'footprint' AND m.outcome = 'valid'",
        )
        .output();
    match conn {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let (verified, all) = text.trim().split_once('|').unwrap_or(("0", "0"));
            report.figure(
                "Footprint quotes that verified in the recorded model calls",
                format!("{verified} of {all} ({db})"),
            );
        }
        _ => report.note(&format!(
            "Could not read {db} for the share of verified quotes (is the sqlite3 command \
             installed?)."
        )),
    }
}

fn main() {
    let report = Section::start(
        "tokens",
        "Context tokens per lead",
        "cargo bench -p leadscout-research --bench tokens",
        "Input tokens of one lead's model calls (footprint, then insights) built by the app's own \
         prompt loader, excerpt selector and layer builder, against a monolithic baseline: both \
         stages' instructions and every page whole, in each of the two calls. Sites: the \
         research test fixtures and every saved real page under `../shared/eval/pages` (each \
         folder one site). About four characters a token, as the budgets count.",
    );
    let prompts = Prompts::load(None).unwrap();
    let footprint = prompts.get(FOOTPRINT_PROMPT).unwrap();
    let vars = vars();
    let shared = tokens(&prompts.render("shared/context", &vars).unwrap());
    let stage_footprint = tokens(&prompts.render(FOOTPRINT_PROMPT, &vars).unwrap());
    let stage_insights = tokens(&prompts.render(INSIGHTS_PROMPT, &vars).unwrap());

    println!(
        "{:<44} {:>6} {:>10} {:>10} {:>7}",
        "site", "pages", "layered", "monolithic", "share"
    );
    let mut total_layered = 0usize;
    let mut total_mono = 0usize;
    let mut shares = Vec::new();
    let mut per_site: Vec<(String, usize, usize)> = Vec::new();
    for (name, pages) in sites() {
        let excerpts = footprint_excerpts(footprint, &pages);
        let f = assemble(
            &prompts,
            FOOTPRINT_PROMPT,
            &vars,
            &BTreeMap::from([("sources".to_owned(), excerpts.clone())]),
        )
        .unwrap();
        let facts = facts_from(&f.included);
        let i = assemble(
            &prompts,
            INSIGHTS_PROMPT,
            &vars,
            &BTreeMap::from([("facts".to_owned(), facts)]),
        )
        .unwrap();
        let layered = tokens(&f.shared)
            + tokens(&f.stage)
            + tokens(&f.task)
            + tokens(&i.shared)
            + tokens(&i.stage)
            + tokens(&i.task);
        // The baseline: both stages' instructions and every page whole, in each of the two calls.
        let all_text: usize = pages
            .iter()
            .enumerate()
            .map(|(n, p)| {
                tokens(&format!(
                    "<source id=\"S{}\" url=\"{}\">\n{}\n</source>\n",
                    n + 1,
                    p.url,
                    p.text
                ))
            })
            .sum();
        let monolithic = 2 * (shared + stage_footprint + stage_insights + all_text);
        let share = layered as f64 / monolithic as f64;
        shares.push(share);
        total_layered += layered;
        total_mono += monolithic;
        per_site.push((name.clone(), layered, monolithic));
        println!(
            "{:<44} {:>6} {:>10} {:>10} {:>6.0}%",
            name.chars().take(44).collect::<String>(),
            pages.len(),
            layered,
            monolithic,
            share * 100.0
        );
    }
    shares.sort_by(f64::total_cmp);
    let median = shares.get(shares.len() / 2).copied().unwrap_or(0.0);
    let overall = total_layered as f64 / total_mono.max(1) as f64;
    report.goal(
        &format!("Layered / monolithic, all {} sites", shares.len()),
        format!(
            "{total_layered} / {total_mono} tokens = **{:.0}%**",
            overall * 100.0
        ),
        "at most 50%",
        overall <= 0.5,
    );
    report.goal(
        "Median per lead",
        format!("**{:.0}%**", median * 100.0),
        "at most 50%",
        median <= 0.5,
    );
    let above = shares.iter().filter(|s| **s > 0.5).count();
    report.figure(
        "Sites above 50% (small sites: the fixed instructions outweigh their text)",
        format!("{above} of {}", shares.len()),
    );
    let share = |(name, layered, mono): &(String, usize, usize)| {
        format!(
            "{name}: {layered} / {mono} = {:.0}%",
            *layered as f64 / *mono as f64 * 100.0
        )
    };
    if let Some(largest) = per_site.iter().max_by_key(|s| s.2) {
        report.figure("Largest site", share(largest));
    }
    if let Some(smallest) = per_site.iter().min_by_key(|s| s.2) {
        report.figure("Smallest site", share(smallest));
    }
    if let Ok(db) = std::env::var("LEADSCOUT_DB") {
        verify_share(&report, &db);
    }
}
