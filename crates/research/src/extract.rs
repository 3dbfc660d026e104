//! What a page says about its company, read from the HTML: title, description, OpenGraph,
//! canonical URL, language, JSON-LD types, social profiles, contact emails and phone numbers.
//! Untrusted input: any byte sequence gives a result, never a panic.

use std::collections::{BTreeMap, BTreeSet};

use dom_query::Document;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageFacts {
    pub title: Option<String>,
    pub description: Option<String>,
    pub canonical: Option<String>,
    pub language: Option<String>,
    /// OpenGraph properties (`og:title`...) and their first values.
    pub opengraph: BTreeMap<String, String>,
    /// Every `@type` in the page's JSON-LD blocks (including `@graph` members).
    pub jsonld_types: BTreeSet<String>,
    /// Profile links by network (`linkedin`, `twitter/x`, `facebook`...).
    pub social: BTreeMap<String, BTreeSet<String>>,
    pub emails: BTreeSet<String>,
    pub phones: BTreeSet<String>,
    /// Postal addresses from JSON-LD `PostalAddress` objects and `<address>` elements.
    pub addresses: BTreeSet<String>,
}

/// The networks we recognise, by host suffix.
const NETWORKS: &[(&str, &[&str])] = &[
    ("linkedin", &["linkedin.com"]),
    ("twitter/x", &["twitter.com", "x.com"]),
    ("facebook", &["facebook.com", "fb.com"]),
    ("instagram", &["instagram.com"]),
    ("youtube", &["youtube.com", "youtu.be"]),
    ("github", &["github.com"]),
    ("crunchbase", &["crunchbase.com"]),
];

fn squash(text: &str) -> Option<String> {
    let s = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// Extracts the facts of one HTML document; `base` resolves relative links.
pub fn extract(html: &str, base: Option<&Url>) -> PageFacts {
    extract_from(&Document::from(html), base)
}

/// [`extract`] on a document already parsed (the crawler parses each page once).
pub(crate) fn extract_from(doc: &Document, base: Option<&Url>) -> PageFacts {
    let mut facts = PageFacts {
        // The document's own title, not an SVG icon's <title> in the body.
        title: squash(&doc.select("head title").first().text())
            .or_else(|| squash(&doc.select("title").first().text())),
        language: doc.select("html").attr("lang").and_then(|l| squash(&l)),
        ..PageFacts::default()
    };
    for meta in doc.select("meta").iter() {
        let content = meta
            .attr("content")
            .map(|c| c.to_string())
            .unwrap_or_default();
        let name = meta.attr("name").map(|n| n.to_ascii_lowercase());
        let property = meta.attr("property").map(|p| p.to_ascii_lowercase());
        if name.as_deref() == Some("description") && facts.description.is_none() {
            facts.description = squash(&content);
        }
        if let Some(p) = property.filter(|p| p.starts_with("og:")) {
            facts.opengraph.entry(p).or_insert(content);
        }
    }
    facts.canonical = doc
        .select("link[rel=canonical]")
        .attr("href")
        .and_then(|h| resolve(base, &h))
        .map(String::from);
    for script in doc.select("script[type]").iter() {
        let kind = script
            .attr("type")
            .map(|t| t.to_ascii_lowercase())
            .unwrap_or_default();
        if kind.trim() != "application/ld+json" {
            continue;
        }
        // Many sites ship JSON-LD with trailing commas or several objects; take what parses.
        if let Ok(value) = serde_json::from_str::<Value>(script.text().trim()) {
            collect_types(&value, &mut facts.jsonld_types, 0);
            collect_addresses(&value, &mut facts.addresses, 0);
        }
    }
    for address in doc.select("address").iter().take(5) {
        let text = squash(&address.text()).unwrap_or_default();
        // A contact block with a street or a city, not a lone email link.
        if (8..=200).contains(&text.chars().count()) && text.chars().any(|c| c.is_ascii_digit()) {
            facts.addresses.insert(text);
        }
    }
    link_facts(doc, base, &mut facts);
    facts
}

/// The contact and profile links of a document (`mailto:`, `tel:`, social networks) into
/// `facts`.
pub(crate) fn link_facts(doc: &Document, base: Option<&Url>, facts: &mut PageFacts) {
    for link in doc.select("a[href]").iter() {
        let Some(href) = link.attr("href") else {
            continue;
        };
        let href = href.trim();
        let lower = href.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("mailto:") {
            let address = rest.split('?').next().unwrap_or("").trim();
            if address.contains('@') {
                facts.emails.insert(address.to_owned());
            }
            continue;
        }
        if let Some(rest) = href
            .strip_prefix("tel:")
            .or_else(|| href.strip_prefix("TEL:"))
        {
            if rest.chars().filter(char::is_ascii_digit).count() >= 5 {
                facts.phones.insert(rest.trim().to_owned());
            }
            continue;
        }
        let Some(url) = resolve(base, href) else {
            continue;
        };
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            continue;
        };
        for (network, hosts) in NETWORKS {
            if hosts
                .iter()
                .any(|h| host == *h || host.ends_with(&format!(".{h}")))
            {
                facts
                    .social
                    .entry((*network).to_owned())
                    .or_default()
                    .insert(href.to_owned());
            }
        }
    }
}

pub(crate) fn resolve(base: Option<&Url>, href: &str) -> Option<Url> {
    Url::parse(href)
        .ok()
        .or_else(|| base.and_then(|b| b.join(href).ok()))
}

/// `PostalAddress` objects anywhere in a JSON-LD document, as one line each.
fn collect_addresses(value: &Value, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 32 || out.len() >= 10 {
        return;
    }
    match value {
        Value::Array(items) => items
            .iter()
            .for_each(|v| collect_addresses(v, out, depth + 1)),
        Value::Object(map) => {
            let is_address = map.get("@type").and_then(Value::as_str) == Some("PostalAddress")
                || map.contains_key("streetAddress")
                || map.contains_key("addressLocality");
            if is_address {
                let part = |key: &str| match map.get(key) {
                    Some(Value::String(s)) => squash(s),
                    // addressCountry is sometimes a Country object with a name.
                    Some(Value::Object(o)) => {
                        o.get("name").and_then(Value::as_str).and_then(squash)
                    }
                    _ => None,
                };
                let line: Vec<String> = [
                    "streetAddress",
                    "postalCode",
                    "addressLocality",
                    "addressRegion",
                    "addressCountry",
                ]
                .iter()
                .filter_map(|k| part(k))
                .collect();
                if !line.is_empty() {
                    out.insert(line.join(", "));
                }
                return;
            }
            for v in map.values() {
                collect_addresses(v, out, depth + 1);
            }
        }
        _ => {}
    }
    // An organisation's `address` given as plain text is kept as written.
    if let Value::Object(map) = value {
        if let Some(Value::String(address)) = map.get("address") {
            if let Some(line) = squash(address) {
                out.insert(line);
            }
        }
    }
}

fn collect_types(value: &Value, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect_types(v, out, depth + 1)),
        Value::Object(map) => {
            match map.get("@type") {
                Some(Value::String(t)) => {
                    out.insert(t.clone());
                }
                Some(Value::Array(ts)) => {
                    out.extend(ts.iter().filter_map(Value::as_str).map(str::to_owned))
                }
                _ => {}
            }
            if let Some(graph) = map.get("@graph") {
                collect_types(graph, out, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_come_from_json_ld_and_address_blocks() {
        let html = r#"<script type="application/ld+json">{"@type":"LocalBusiness","address":
            {"@type":"PostalAddress","streetAddress":"Hauptstraße 5","postalCode":"10115",
             "addressLocality":"Berlin","addressCountry":"DE"}}</script>
            <script type="application/ld+json">{"@type":"Organization","address":"1 Infinite Loop, Cupertino, CA"}</script>
            <footer><address>Acme Ltd, 12 Dock Street, Leeds LS10 1JF</address>
            <address><a href="mailto:hi@acme.example">hi@acme.example</a></address></footer>"#;
        let f = extract(html, None);
        let got: Vec<&str> = f.addresses.iter().map(String::as_str).collect();
        assert_eq!(
            got,
            [
                "1 Infinite Loop, Cupertino, CA",
                "Acme Ltd, 12 Dock Street, Leeds LS10 1JF",
                "Hauptstraße 5, 10115, Berlin, DE",
            ]
        );
    }

    #[test]
    fn reads_the_basics_and_survives_garbage() {
        let html = r#"<html lang="en"><head><title>  Acme
            Anvils </title><meta name="Description" content="We make anvils.">
            <meta property="og:title" content="Acme"><link rel="canonical" href="/home">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"Organization"},{"@type":["WebSite","Thing"]}]}</script>
            <script type="application/ld+json">{ broken json</script></head>
            <body><a href="https://www.linkedin.com/company/acme">in</a><a href="mailto:sales@acme.example?subject=hi">mail</a>
            <a href="tel:+1 415 555 0100">call</a><a href="https://x.com/acme">x</a></body></html>"#;
        let base = Url::parse("https://acme.example/about").unwrap();
        let f = extract(html, Some(&base));
        assert_eq!(f.title.as_deref(), Some("Acme Anvils"));
        assert_eq!(f.description.as_deref(), Some("We make anvils."));
        assert_eq!(f.canonical.as_deref(), Some("https://acme.example/home"));
        assert_eq!(f.language.as_deref(), Some("en"));
        assert_eq!(f.opengraph["og:title"], "Acme");
        assert_eq!(
            f.jsonld_types
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["Organization", "Thing", "WebSite"]
        );
        assert!(f.social["linkedin"].contains("https://www.linkedin.com/company/acme"));
        assert!(f.social.contains_key("twitter/x"));
        assert!(f.emails.contains("sales@acme.example"));
        assert!(f.phones.contains("+1 415 555 0100"));

        for garbage in [
            "",
            "\u{0}\u{fffd}<<<>>>",
            "<html><html><body><title>",
            &"<div>".repeat(3_000),
        ] {
            let _ = extract(garbage, None);
        }
    }
}
