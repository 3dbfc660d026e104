//! What a page says about its company, read from the HTML: metadata (see [`crate::metadata`]),
//! canonical URL, language, structured data, social profiles, contact emails and phone numbers,
//! postal addresses and feeds.
//! Untrusted input: any byte sequence gives a result, never a panic.

use std::collections::{BTreeMap, BTreeSet};

use dom_query::Document;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use crate::structured::{self, Entity};
use crate::{contacts, feed, metadata, socials};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageFacts {
    /// The page's own title: OpenGraph, JSON-LD headline or `<title>`, without the site name.
    pub title: Option<String>,
    pub description: Option<String>,
    pub canonical: Option<String>,
    pub language: Option<String>,
    pub site_name: Option<String>,
    pub author: Option<String>,
    /// Publication and modification dates as the page writes them.
    pub published: Option<String>,
    pub modified: Option<String>,
    /// Absolute URLs.
    pub logo: Option<String>,
    pub image: Option<String>,
    /// OpenGraph (`og:*`), `article:*` and `product:*` properties, every value in page order.
    pub opengraph: BTreeMap<String, Vec<String>>,
    /// Every `@type` in the page's JSON-LD blocks (including `@graph` members).
    pub jsonld_types: BTreeSet<String>,
    /// Organisations, businesses and people from JSON-LD, microdata and RDFa.
    pub entities: Vec<Entity>,
    /// Profile links by network (`linkedin`, `twitter/x`, `facebook`...), canonical.
    pub social: BTreeMap<String, BTreeSet<String>>,
    pub emails: BTreeSet<String>,
    /// Phone numbers in international form where libphonenumber knows them.
    pub phones: BTreeSet<String>,
    /// Postal addresses from JSON-LD `PostalAddress` objects and `<address>` elements.
    pub addresses: BTreeSet<String>,
    /// The site's RSS/Atom/JSON feeds this page announces.
    pub feeds: Vec<String>,
}

impl PageFacts {
    /// The first value of an OpenGraph property.
    pub fn og(&self, property: &str) -> Option<&str> {
        self.opengraph
            .get(property)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
}

fn squash(text: &str) -> Option<String> {
    let s = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// Extracts the facts of one HTML document; `base` resolves relative links.
pub fn extract(html: &str, base: Option<&Url>) -> PageFacts {
    let doc = Document::from(html);
    let jsonld = parse_jsonld(&jsonld_blocks(&doc));
    let mut facts = extract_from(&doc, base, &jsonld);
    link_facts(&doc, base, &mut facts);
    facts
}

/// The raw text of every JSON-LD block of a document.
pub(crate) fn jsonld_blocks(doc: &Document) -> Vec<String> {
    doc.select("script[type]")
        .iter()
        .filter(|s| {
            s.attr("type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
        })
        .map(|s| s.text().trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The JSON-LD blocks that parse (many sites ship one with a trailing comma: it is skipped).
pub(crate) fn parse_jsonld(blocks: &[String]) -> Vec<Value> {
    blocks
        .iter()
        .filter_map(|b| serde_json::from_str(b).ok())
        .collect()
}

/// [`extract`] on a document already parsed (the crawler parses each page once), without its
/// links (see [`link_facts`]).
pub(crate) fn extract_from(doc: &Document, base: Option<&Url>, jsonld: &[Value]) -> PageFacts {
    let fallback = Url::parse("https://page.invalid/").ok();
    let meta_base = base.cloned().or(fallback);
    let metadata = meta_base
        .as_ref()
        .map(|b| metadata::read(doc, b, jsonld))
        .unwrap_or_default();
    let mut facts = PageFacts {
        title: metadata.title,
        site_name: metadata.site_name,
        author: metadata.author,
        published: metadata.published,
        modified: metadata.modified,
        logo: metadata.logo,
        image: metadata.image,
        opengraph: metadata.opengraph,
        language: doc
            .root()
            .first_element_child()
            .and_then(|html| html.attr("lang"))
            .and_then(|l| squash(&l)),
        entities: structured::entities(doc, jsonld),
        feeds: meta_base
            .as_ref()
            .map(|b| feed::feed_links(doc, b))
            .unwrap_or_default(),
        ..PageFacts::default()
    };
    for meta in doc.select("meta[name]").iter() {
        if meta
            .attr("name")
            .is_some_and(|n| n.trim().eq_ignore_ascii_case("description"))
        {
            facts.description = meta.attr("content").and_then(|c| squash(&c));
            if facts.description.is_some() {
                break;
            }
        }
    }
    facts.canonical = doc
        .select("link[rel=canonical]")
        .attr("href")
        .and_then(|h| resolve(base, &h))
        .map(String::from);
    for value in jsonld {
        collect_types(value, &mut facts.jsonld_types, 0);
        collect_addresses(value, &mut facts.addresses, 0);
    }
    for entity in &facts.entities {
        if let Some(address) = &entity.address {
            if facts.addresses.len() < 10 {
                facts.addresses.insert(address.clone());
            }
        }
    }
    for address in doc.select("address").iter().take(5) {
        let text = squash(&address.text()).unwrap_or_default();
        // A contact block with a street or a city, not a lone email link.
        if (8..=200).contains(&text.chars().count()) && text.chars().any(|c| c.is_ascii_digit()) {
            facts.addresses.insert(text);
        }
    }
    facts
}

/// The contact and profile links of a document (`mailto:`, `tel:`, social network profiles)
/// into `facts`; national `tel:` numbers are read in the site's country.
pub(crate) fn link_facts(doc: &Document, base: Option<&Url>, facts: &mut PageFacts) {
    let country = base.and_then(|b| contacts::site_country(b, facts.language.as_deref()));
    for link in doc.select("a[href]").iter() {
        let Some(href) = link.attr("href") else {
            continue;
        };
        let href = href.trim();
        let lower = href.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("mailto:") {
            let address = rest.split('?').next().unwrap_or("").trim();
            let address = url::form_urlencoded::parse(format!("a={address}").as_bytes())
                .next()
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default();
            if address.contains('@') && facts.emails.len() < 20 {
                facts.emails.insert(address);
            }
            continue;
        }
        if lower.starts_with("tel:") {
            if let Some(number) = contacts::tel_number(href, country) {
                if facts.phones.len() < 20 {
                    facts.phones.insert(number);
                }
            }
            continue;
        }
        if let Some((network, url)) = socials::profile(href) {
            if base.is_some_and(|b| socials::served_by_network(b, &url)) {
                continue;
            }
            let known = facts.social.entry(network.to_owned()).or_default();
            if known.len() < 10 && !known.iter().any(|k| socials::same_account(k, &url)) {
                known.insert(url);
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
        // OpenGraph's title first.
        assert_eq!(f.title.as_deref(), Some("Acme"));
        assert_eq!(f.description.as_deref(), Some("We make anvils."));
        assert_eq!(f.canonical.as_deref(), Some("https://acme.example/home"));
        assert_eq!(f.language.as_deref(), Some("en"));
        assert_eq!(f.og("og:title"), Some("Acme"));
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
        assert!(f.phones.contains("+1 415-555-0100"), "{:?}", f.phones);

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
