//! Reading quality on real pages (../shared/eval/pages), per page and overall:
//! - main text against Readability's expected outputs (word precision, recall and F1 over the
//!   bag of words) and against trafilatura's gold snippets (a `with` snippet found is a true
//!   positive, a `without` snippet found a false positive, as trafilatura's own evaluation
//!   counts them);
//! - metadata recall against metascraper's snapshots, and structured-field recall against
//!   extruct's expectations and the organisations in the pages' own JSON-LD;
//! - social-link precision: every profile link read must be one of the page's profile links
//!   (the inventory's social links less the network's own pages, labelled below).
//!
//! `cargo bench -p leadscout-research --bench quality`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use leadscout_bench::Section;
use leadscout_research::{decode, plain_text, read, ReadPage};
use serde_json::Value;
use url::Url;

fn eval_dir() -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared/eval/pages"))
        .find(|dir| dir.join("INVENTORY.json").is_file())
}

fn words(text: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *out.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    out
}

fn prf(got: &str, want: &str) -> (f64, f64, f64) {
    let (g, w) = (words(got), words(want));
    let common: usize = g
        .iter()
        .map(|(k, n)| (*n).min(*w.get(k).unwrap_or(&0)))
        .sum();
    let gn: usize = g.values().sum();
    let wn: usize = w.values().sum();
    let p = if gn == 0 {
        0.0
    } else {
        common as f64 / gn as f64
    };
    let r = if wn == 0 {
        0.0
    } else {
        common as f64 / wn as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_page(path: &Path, url: &str) -> ReadPage {
    let body = std::fs::read(path).unwrap();
    let html = decode(&body, "text/html");
    read(&html, &Url::parse(url).unwrap())
}

/// `key: 'value',` lines of a metascraper AVA snapshot.
fn snapshot_fields(md: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for line in md.lines() {
        let line = line.trim();
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        let value = value.trim_end_matches(',');
        if let Some(v) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            out.insert(key.to_owned(), v.replace("\\'", "'"));
        }
    }
    out
}

fn norm(s: &str) -> String {
    squash(&s.to_lowercase().replace("&amp;", "&"))
}

/// A social link in one comparable form: host without `www.` or a country subdomain,
/// `twitter.com` as `x.com`, path without a trailing slash, lower case.
fn social_key(url: &str) -> String {
    let Ok(u) = Url::parse(url) else {
        return url.to_lowercase();
    };
    let host = u.host_str().unwrap_or("").to_lowercase();
    let parts: Vec<&str> = host.split('.').collect();
    let mut host = parts[parts.len().saturating_sub(2)..].join(".");
    if host == "twitter.com" {
        host = "x.com".into();
    }
    let path = u.path().trim_end_matches('/').to_lowercase();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let keep = if host == "linkedin.com"
        || segs.first() == Some(&"channel")
        || segs.first() == Some(&"user")
    {
        2
    } else {
        1
    };
    format!(
        "{host}/{}",
        segs.iter()
            .take(keep)
            .copied()
            .collect::<Vec<_>>()
            .join("/")
    )
}

/// The address a saved page was served from, where its expectations say it; else a stand-in.
fn page_url(path: &Path) -> String {
    let folder = path.parent().unwrap();
    if let Ok(md) = std::fs::read_to_string(folder.join("expected.metascraper-snapshot.md")) {
        if let Some(url) = snapshot_fields(&md).get("url") {
            return url.clone();
        }
    }
    if let Ok(json) = std::fs::read_to_string(folder.join("expected.evaldata.json")) {
        if let Some(url) = serde_json::from_str::<Value>(&json)
            .ok()
            .and_then(|v| v.as_object().and_then(|o| o.keys().next().cloned()))
        {
            return url;
        }
    }
    "https://example.com/".into()
}

/// Inventory links that are the network's own pages, not an account (labelled by hand).
const NOT_PROFILES: &[&str] = &[
    "x.com/privacy",
    "facebook.com/privacy",
    "instagram.com/legal",
    "github.com/apps",
    "facebook.com/pages",
];

fn main() {
    let report = Section::start(
        "quality",
        "Page reading quality",
        "cargo bench -p leadscout-research --bench quality",
        "Main text against Readability's expected outputs (bag-of-words P/R/F1) and \
         trafilatura's gold snippets (snippet P/R/F1 as trafilatura counts them); metadata \
         recall against metascraper's snapshots; structured-field recall against extruct's \
         expectations and the pages' own JSON-LD organisations; social-link precision against \
         the inventory's profile links.",
    );
    let Some(dir) = eval_dir() else {
        report.note("No ../shared/eval/pages on this machine: nothing was measured.");
        return;
    };

    // Readability's expected outputs.
    let mut rows = Vec::new();
    let mut sums = (0.0, 0.0, 0.0, 0usize);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir.join("readability"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    for case in &cases {
        let page = read_page(&case.join("source.html"), "https://example.com/");
        let expected = dom_query::Document::from(
            std::fs::read_to_string(case.join("expected.html"))
                .unwrap()
                .as_str(),
        )
        .select("body")
        .text()
        .to_string();
        let (p, r, f) = prf(&plain_text(&page.text), &expected);
        rows.push(format!(
            "{}: P {p:.3} R {r:.3} F1 {f:.3}",
            case.file_name().unwrap().to_string_lossy()
        ));
        sums = (sums.0 + p, sums.1 + r, sums.2 + f, sums.3 + 1);
    }
    let n = sums.3.max(1) as f64;
    let readability_f1 = sums.2 / n;
    for row in &rows {
        println!("  readability {row}");
    }
    report.goal(
        "Main text vs Readability's expected outputs (mean word F1)",
        format!(
            "**F1 {readability_f1:.3}** (P {:.3}, R {:.3}; {} pages)",
            sums.0 / n,
            sums.1 / n,
            sums.3
        ),
        "at least 0.95",
        readability_f1 >= 0.95,
    );

    // trafilatura's gold snippets.
    let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir.join("trafilatura"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    for case in &cases {
        let gold: Value = serde_json::from_str(
            &std::fs::read_to_string(case.join("expected.evaldata.json")).unwrap(),
        )
        .unwrap();
        let Some((url, gold)) = gold.as_object().and_then(|o| o.iter().next()) else {
            continue;
        };
        let page = read_page(&case.join("source.html"), url);
        if std::env::var("DUMP").is_ok_and(|d| case.ends_with(d)) {
            println!("{}", page.text);
        }
        let text = squash(&plain_text(&page.text));
        let has = |s: &str| text.contains(&squash(s));
        let (mut t, mut f, mut m) = (0, 0, 0);
        let mut missed = Vec::new();
        for s in gold["with"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if has(s) {
                t += 1;
            } else {
                m += 1;
                missed.push(format!("missing {s:?}"));
            }
        }
        for s in gold["without"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if has(s) {
                f += 1;
                missed.push(format!("kept {s:?}"));
            }
        }
        println!(
            "  trafilatura {}: {t} found, {m} missed, {f} boilerplate kept {}",
            case.file_name().unwrap().to_string_lossy(),
            missed.join("; ")
        );
        tp += t;
        fp += f;
        fneg += m;
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fneg).max(1) as f64;
    let f1 = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    report.goal(
        "Main text vs trafilatura's gold snippets (F1)",
        format!("**F1 {f1:.3}** (P {p:.3}, R {r:.3}; {} pages)", cases.len()),
        "at least 0.95",
        f1 >= 0.95,
    );

    // Metadata against metascraper's snapshots.
    let (mut found, mut wanted) = (0usize, 0usize);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir.join("metascraper"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expected.metascraper-snapshot.md").is_file())
        .collect();
    cases.sort();
    for case in &cases {
        let want = snapshot_fields(
            &std::fs::read_to_string(case.join("expected.metascraper-snapshot.md")).unwrap(),
        );
        let base = want
            .get("url")
            .cloned()
            .unwrap_or("https://example.com/".into());
        let page = read_page(&case.join("input.html"), &base);
        let f = &page.facts;
        let mut misses = Vec::new();
        let (mut hit, mut of) = (0, 0);
        for (key, value) in &want {
            if value.starts_with("data:") {
                continue;
            }
            let got: Option<String> = match key.as_str() {
                "title" => f.title.clone(),
                "description" => f
                    .description
                    .clone()
                    .or(f.og("og:description").map(str::to_owned)),
                "author" => f.author.clone(),
                // metascraper's date is the first of its published or modified rules.
                "date" => {
                    let day = &value[..10.min(value.len())];
                    [&f.published, &f.modified]
                        .into_iter()
                        .flatten()
                        .find(|d| d.contains(day))
                        .or(f.published.as_ref())
                        .cloned()
                }
                "image" => f.image.clone(),
                "logo" => f.logo.clone(),
                "publisher" => f.site_name.clone(),
                "lang" => f.language.clone(),
                "url" => f.canonical.clone().or(f.og("og:url").map(str::to_owned)),
                _ => continue,
            };
            of += 1;
            let ok = got.as_deref().is_some_and(|g| match key.as_str() {
                // Metascraper keeps the site suffix of some titles; the title is the same.
                "title" => norm(value).starts_with(&norm(g)) && !g.is_empty(),
                "date" => {
                    let day = &value[..10.min(value.len())];
                    g.contains(day)
                        || chrono::DateTime::parse_from_rfc3339(g)
                            .or_else(|_| chrono::DateTime::parse_from_rfc2822(g))
                            .is_ok_and(|d| d.to_utc().to_rfc3339().starts_with(day))
                }
                "lang" => norm(g).starts_with(&norm(value)),
                "description" => {
                    norm(g).starts_with(&norm(value).chars().take(60).collect::<String>())
                }
                _ => norm(g) == norm(value),
            });
            if ok {
                hit += 1;
            } else {
                misses.push(format!("{key}: {got:?}"));
            }
        }
        println!(
            "  metascraper {}: {hit}/{of} {}",
            case.file_name().unwrap().to_string_lossy(),
            misses.join("; ")
        );
        found += hit;
        wanted += of;
    }
    let meta_recall = found as f64 / wanted.max(1) as f64;
    report.figure(
        "Metadata recall vs metascraper (title, description, author, date, image, logo, publisher, language, url)",
        format!("**{:.0}%** ({found} of {wanted} fields, {} pages)", meta_recall * 100.0, cases.len()),
    );

    // Structured fields: extruct's expectations and the pages' own JSON-LD organisations.
    let relevant = [
        "name",
        "description",
        "url",
        "sameAs",
        "logo",
        "telephone",
        "email",
        "address",
        "foundingDate",
        "numberOfEmployees",
        "founder",
    ];
    let (mut found, mut wanted) = (0usize, 0usize);
    let inventory: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("INVENTORY.json")).unwrap())
            .unwrap();
    for entry in &inventory {
        let rel = entry["page"].as_str().unwrap().trim_start_matches("pages/");
        let path = dir.join(rel);
        let page = read_page(&path, &page_url(&path));
        let f = &page.facts;
        let mut expected: Vec<(String, String, String)> = Vec::new(); // (type, field, value)
                                                                      // extruct's microdata items (`type` + `properties`).
        let folder = path.parent().unwrap();
        if let Some(expect) = std::fs::read_dir(folder)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("expected.")
                    && p.extension().is_some_and(|e| e == "json")
            })
            .filter(|_| rel.starts_with("extruct/"))
        {
            let v: Value =
                serde_json::from_str(&std::fs::read_to_string(&expect).unwrap()).unwrap();
            let items: Vec<Value> = match &v {
                Value::Array(a) => a.clone(),
                Value::Object(o) => o
                    .get("microdata")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                _ => vec![],
            };
            for item in items {
                let Some(t) = item["type"].as_str() else {
                    continue;
                };
                let t = t.rsplit('/').next().unwrap_or(t).to_owned();
                // Products, offers and events are not what the profile reads.
                if !leadscout_research::structured::is_entity_kind(&t) {
                    continue;
                }
                if let Some(props) = item["properties"].as_object() {
                    for field in relevant {
                        if let Some(value) = props.get(field) {
                            let value = match value {
                                Value::String(s) => s.clone(),
                                Value::Object(o) => o
                                    .get("properties")
                                    .and_then(|p| p.get("streetAddress").or(p.get("name")))
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_owned(),
                                other => other.to_string(),
                            };
                            expected.push((t.clone(), field.to_owned(), value));
                        }
                    }
                }
            }
            // OpenGraph values, every one.
            if let Value::Array(a) = &v {
                for ns in a {
                    for pair in ns["properties"].as_array().into_iter().flatten() {
                        if let (Some(k), Some(val)) = (pair[0].as_str(), pair[1].as_str()) {
                            expected.push(("og".into(), k.to_owned(), val.to_owned()));
                        }
                    }
                }
            }
        }
        // The page's JSON-LD, walked independently: organisations and people.
        let html = decode(&std::fs::read(&path).unwrap(), "text/html");
        let doc = dom_query::Document::from(html.as_str());
        for script in doc.select("script[type=\"application/ld+json\"]").iter() {
            let Ok(v) = serde_json::from_str::<Value>(script.text().trim()) else {
                continue;
            };
            let mut stack = vec![v];
            while let Some(v) = stack.pop() {
                match v {
                    Value::Array(a) => stack.extend(a),
                    Value::Object(o) => {
                        let t = o
                            .get("@type")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned();
                        if [
                            "Organization",
                            "Corporation",
                            "LocalBusiness",
                            "Person",
                            "NewsMediaOrganization",
                        ]
                        .contains(&t.as_str())
                        {
                            for field in relevant {
                                match o.get(field) {
                                    Some(Value::String(s)) if !s.trim().is_empty() => {
                                        expected.push((t.clone(), field.to_owned(), s.clone()))
                                    }
                                    Some(Value::Array(a)) => {
                                        for s in a.iter().filter_map(Value::as_str) {
                                            expected.push((
                                                t.clone(),
                                                field.to_owned(),
                                                s.to_owned(),
                                            ));
                                        }
                                    }
                                    Some(Value::Object(obj)) => {
                                        if let Some(s) = obj
                                            .get("url")
                                            .or(obj.get("name"))
                                            .or(obj.get("streetAddress"))
                                            .and_then(Value::as_str)
                                        {
                                            expected.push((
                                                t.clone(),
                                                field.to_owned(),
                                                s.to_owned(),
                                            ));
                                        }
                                    }
                                    _ => {}
                                }
                            }
                        }
                        stack.extend(o.into_iter().map(|(_, v)| v));
                    }
                    _ => {}
                }
            }
        }
        let (mut hit, mut misses) = (0, Vec::new());
        for (t, field, value) in &expected {
            let value = squash(value);
            let ok = if t == "og" {
                f.opengraph
                    .get(field)
                    .is_some_and(|vs| vs.iter().any(|v| squash(v) == value))
            } else {
                f.entities.iter().filter(|e| e.kind == *t).any(|e| {
                    let one = |o: &Option<String>| {
                        o.as_deref().is_some_and(|g| {
                            squash(g).contains(&value)
                                || value.contains(&squash(g)) && !g.is_empty()
                        })
                    };
                    match field.as_str() {
                        "name" => one(&e.name),
                        "description" => one(&e.description),
                        "url" => one(&e.url),
                        "sameAs" => e.same_as.iter().any(|s| squash(s) == value),
                        "logo" => one(&e.logo),
                        "telephone" => one(&e.telephone),
                        "email" => {
                            one(&e.email.clone())
                                || e.email.as_deref().is_some_and(|g| value.ends_with(g))
                        }
                        "address" => one(&e.address),
                        "foundingDate" => one(&e.founding_date),
                        "numberOfEmployees" => one(&e.number_of_employees),
                        "founder" => e.founder.iter().any(|s| squash(s) == value),
                        _ => false,
                    }
                })
            };
            if ok {
                hit += 1;
            } else {
                misses.push(format!("{t}.{field}={value:.60}"));
            }
        }
        if !expected.is_empty() {
            println!(
                "  structured {rel}: {hit}/{} {}",
                expected.len(),
                misses.join("; ")
            );
        }
        found += hit;
        wanted += expected.len();
    }
    let structured = found as f64 / wanted.max(1) as f64;
    report.goal(
        "Structured fields (schema.org organisations and people, OpenGraph values)",
        format!("**{:.0}%** ({found} of {wanted})", structured * 100.0),
        "at least 90%",
        structured >= 0.90,
    );

    // Social-link precision.
    let (mut good, mut all) = (0usize, 0usize);
    let mut wrong = Vec::new();
    for entry in &inventory {
        let rel = entry["page"].as_str().unwrap().trim_start_matches("pages/");
        let path = dir.join(rel);
        let page = read_page(&path, &page_url(&path));
        let truth: Vec<String> = entry["social_links"]
            .as_object()
            .into_iter()
            .flat_map(|o| o.values())
            .flat_map(|v| v.as_array().cloned().unwrap_or_default())
            .filter_map(|v| v.as_str().map(social_key))
            .filter(|k| !NOT_PROFILES.contains(&k.as_str()))
            .collect();
        for url in page.facts.social.values().flatten() {
            all += 1;
            if truth.contains(&social_key(url)) {
                good += 1;
            } else {
                wrong.push(format!("{rel}: {url}"));
            }
        }
    }
    for w in &wrong {
        println!("  social not a profile: {w}");
    }
    let precision = good as f64 / all.max(1) as f64;
    report.goal(
        "Social-link precision",
        format!(
            "**{:.0}%** ({good} of {all} links are the page's profiles)",
            precision * 100.0
        ),
        "at least 95%",
        precision >= 0.95,
    );
}
