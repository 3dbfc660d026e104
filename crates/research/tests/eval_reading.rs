//! How real saved pages (../shared/eval/pages) are read: main text against trafilatura's gold
//! snippets, a microdata LocalBusiness, every OpenGraph value, and social links that are
//! profiles only. Skips with a message when the eval set is not on this machine.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use leadscout_research::{decode, plain_text, read_page, PageReading};
use serde_json::Value;
use url::Url;

fn eval_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let found = dir
        .ancestors()
        .map(|d| d.join("shared/eval/pages"))
        .find(|d| d.join("INVENTORY.json").is_file());
    if found.is_none() {
        eprintln!("skipped: ../shared/eval/pages is not present on this machine");
    }
    found
}

fn reading(path: &std::path::Path, url: &str) -> PageReading {
    let html = decode(&std::fs::read(path).unwrap(), "text/html");
    read_page(&html, &Url::parse(url).unwrap())
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn real_articles_keep_their_content_and_lose_their_boilerplate() {
    let Some(dir) = eval_dir() else { return };
    let (mut found, mut wanted, mut kept) = (0, 0, Vec::new());
    for case in std::fs::read_dir(dir.join("trafilatura"))
        .unwrap()
        .flatten()
    {
        let gold: Value = serde_json::from_str(
            &std::fs::read_to_string(case.path().join("expected.evaldata.json")).unwrap(),
        )
        .unwrap();
        let (url, gold) = gold.as_object().unwrap().iter().next().unwrap();
        let page = reading(&case.path().join("source.html"), url);
        let text = squash(&plain_text(&page.text));
        for s in gold["with"].as_array().unwrap() {
            wanted += 1;
            found += usize::from(text.contains(&squash(s.as_str().unwrap())));
        }
        for s in gold["without"].as_array().unwrap() {
            if text.contains(&squash(s.as_str().unwrap())) {
                kept.push(format!("{}: {s}", case.file_name().to_string_lossy()));
            }
        }
    }
    // Measured 32 of 34 (the two missed are in a product page's hero that Readability leaves).
    assert!(
        found * 100 >= wanted * 90,
        "{found} of {wanted} gold snippets"
    );
    assert!(kept.is_empty(), "boilerplate kept: {kept:?}");
}

#[test]
fn a_microdata_restaurant_and_every_opengraph_value_are_read() {
    let Some(dir) = eval_dir() else { return };
    let page = reading(
        &dir.join("extruct/LocalBusiness.002/LocalBusiness.002.html"),
        "http://www.dishdash.com/",
    );
    let restaurant = page
        .facts
        .entities
        .iter()
        .find(|e| e.kind == "Restaurant")
        .expect("the Restaurant item");
    assert_eq!(restaurant.name.as_deref(), Some("GreatFood"));
    assert_eq!(restaurant.telephone.as_deref(), Some("(408) 714-1489"));
    assert_eq!(restaurant.url.as_deref(), Some("http://www.dishdash.com"));
    assert!(restaurant
        .address
        .as_deref()
        .is_some_and(|a| a.contains("1901 Lemur Ave") && a.contains("Sunnyvale")));

    let page = reading(
        &dir.join("extruct/opengraph_ns_product_test/opengraph_ns_product_test.html"),
        "https://www.fye.com/",
    );
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.join("extruct/opengraph_ns_product_test/expected.opengraph_ns_product_test.json"),
        )
        .unwrap(),
    )
    .unwrap();
    for pair in expected[0]["properties"].as_array().unwrap() {
        let (k, v) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        assert!(
            page.facts
                .opengraph
                .get(k)
                .is_some_and(|vs| vs.iter().any(|x| squash(x) == squash(v))),
            "{k} = {v}: {:?}",
            page.facts.opengraph.get(k)
        );
    }
}

#[test]
fn social_links_on_real_pages_are_profiles_only() {
    let Some(dir) = eval_dir() else { return };
    let inventory: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("INVENTORY.json")).unwrap())
            .unwrap();
    let mut links = 0;
    for entry in &inventory {
        let rel = entry["page"].as_str().unwrap().trim_start_matches("pages/");
        let page = reading(&dir.join(rel), "https://example.com/");
        for url in page.facts.social.values().flatten() {
            links += 1;
            let lower = url.to_ascii_lowercase();
            for bad in [
                "share", "intent", "/status/", "hashtag", "watch", "#", "/p/", "privacy", "/pages",
            ] {
                assert!(!lower.contains(bad), "{rel}: {url}");
            }
            assert!(url.starts_with("https://"), "{rel}: {url}");
        }
    }
    assert!(links >= 80, "only {links} profile links read");
}
