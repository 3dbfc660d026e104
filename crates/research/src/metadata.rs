//! A page's metadata: its title without the site's name, the site's name, author, publication
//! and modification dates, logo and image as absolute URLs, and every OpenGraph, `article:*`
//! and `product:*` value. Each field is read from the page's own markup in the order the
//! common extractors (metascraper, Readability) trust them: OpenGraph, then JSON-LD, then
//! plain HTML.

use std::collections::BTreeMap;

use dom_query::Document;
use serde_json::Value;
use url::Url;

use crate::extract::resolve;

/// Values kept per OpenGraph property (a page may list several images).
const MAX_VALUES: usize = 10;

/// What the metadata of a page says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub title: Option<String>,
    pub site_name: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub logo: Option<String>,
    pub image: Option<String>,
    /// `og:*`, `article:*` and `product:*` properties, every value in page order.
    pub opengraph: BTreeMap<String, Vec<String>>,
}

fn squash(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// JSON-LD nodes (top level, `@graph` members and lists), flattened, up to a bound.
fn nodes(jsonld: &[Value]) -> Vec<&serde_json::Map<String, Value>> {
    fn walk<'v>(v: &'v Value, out: &mut Vec<&'v serde_json::Map<String, Value>>, depth: usize) {
        if depth > 8 || out.len() > 100 {
            return;
        }
        match v {
            Value::Array(items) => items.iter().for_each(|i| walk(i, out, depth + 1)),
            Value::Object(map) => {
                out.push(map);
                if let Some(graph) = map.get("@graph") {
                    walk(graph, out, depth + 1);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for v in jsonld {
        walk(v, &mut out, 0);
    }
    out
}

fn has_type(map: &serde_json::Map<String, Value>, wanted: &[&str]) -> bool {
    let is = |t: &str| wanted.iter().any(|w| t.eq_ignore_ascii_case(w));
    match map.get("@type") {
        Some(Value::String(t)) => is(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is),
        _ => false,
    }
}

fn name_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => squash(s),
        Value::Array(items) => items.iter().find_map(|i| name_of(Some(i))),
        Value::Object(map) => name_of(map.get("name")),
        _ => None,
    }
}

fn url_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => squash(s),
        Value::Array(items) => items.iter().find_map(|i| url_of(Some(i))),
        Value::Object(map) => url_of(map.get("url")).or_else(|| url_of(map.get("contentUrl"))),
        _ => None,
    }
}

const ARTICLES: &[&str] = &[
    "Article",
    "NewsArticle",
    "BlogPosting",
    "TechArticle",
    "Report",
    "WebPage",
    "AboutPage",
    "ContactPage",
    "Product",
    "PressRelease",
    "ScholarlyArticle",
    "SocialMediaPosting",
];

const PUBLISHERS: &[&str] = &[
    "Organization",
    "Corporation",
    "NewsMediaOrganization",
    "LocalBusiness",
];

/// Reads the metadata of `doc`; `jsonld` are its parsed JSON-LD blocks.
pub fn read(doc: &Document, base: &Url, jsonld: &[Value]) -> Metadata {
    let mut opengraph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut named: BTreeMap<String, String> = BTreeMap::new();
    for meta in doc.select("meta").iter() {
        let Some(content) = meta.attr("content").and_then(|c| squash(&c)) else {
            continue;
        };
        let key = meta
            .attr("property")
            .or_else(|| meta.attr("name"))
            .or_else(|| meta.attr("itemprop"))
            .map(|k| k.trim().to_ascii_lowercase());
        let Some(key) = key else { continue };
        if ["og:", "article:", "product:"]
            .iter()
            .any(|p| key.starts_with(p))
        {
            let values = opengraph.entry(key).or_default();
            if values.len() < MAX_VALUES && !values.contains(&content) {
                values.push(content);
            }
        } else {
            named.entry(key).or_insert(content);
        }
    }
    let og = |k: &str| opengraph.get(k).and_then(|v| v.first()).cloned();
    let meta = |k: &str| named.get(k).cloned();
    let ld = nodes(jsonld);
    let article = ld.iter().find(|m| has_type(m, ARTICLES));
    let from_article = |k: &str| article.and_then(|m| m.get(k));
    let publisher = article
        .and_then(|m| m.get("publisher"))
        .and_then(Value::as_object)
        .or_else(|| ld.iter().copied().find(|m| has_type(m, PUBLISHERS)));
    let website = ld.iter().find(|m| has_type(m, &["WebSite"]));

    let site_name = og("og:site_name")
        .or_else(|| meta("application-name"))
        .or_else(|| publisher.and_then(|p| name_of(p.get("name"))))
        .or_else(|| website.and_then(|w| name_of(w.get("name"))));
    let html_title = doc
        .head()
        .and_then(|head| {
            squash(
                &dom_query::Selection::from(head)
                    .select_single("title")
                    .text(),
            )
        })
        .or_else(|| squash(&doc.select_single("title").text()));
    let title = og("og:title")
        .or_else(|| name_of(from_article("headline")))
        .or_else(|| meta("twitter:title"))
        .or_else(|| html_title.clone());
    let (title, site_part) = match title {
        Some(t) => {
            let (title, site) = split_site_name(&t, site_name.as_deref(), base);
            (Some(title), site)
        }
        None => (None, None),
    };
    // The part of the title that names the site names it when nothing else does.
    let site_name = site_name.or(site_part).or_else(|| {
        html_title
            .as_deref()
            .and_then(|t| split_site_name(t, None, base).1)
    });

    let absolute = |s: String| {
        resolve(Some(base), s.trim())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(String::from)
    };
    // The page's markup is searched only when the metadata names no author.
    let author_link = || {
        doc.select("a[rel~=author], [itemprop=author] [itemprop=name], [itemprop=author]")
            .iter()
            .find_map(|a| squash(&a.text()))
    };
    let author = meta("author")
        .or_else(|| name_of(from_article("author")))
        .or_else(|| og("article:author").filter(|a| !a.contains("://")))
        .or_else(author_link)
        .filter(|a| a.chars().count() <= 100);
    let time_attr = |sel: &str| {
        doc.select(sel)
            .iter()
            .find_map(|t| t.attr("datetime").or_else(|| t.attr("content")))
            .and_then(|d| squash(&d))
    };
    let published = og("article:published_time")
        .or_else(|| name_of(from_article("datePublished")))
        .or_else(|| meta("date"))
        .or_else(|| meta("pubdate"))
        .or_else(|| meta("dc.date"))
        .or_else(|| meta("dc.date.issued"))
        .or_else(|| meta("datepublished"))
        .or_else(|| time_attr("[itemprop=datePublished], time[pubdate]"));
    let modified = og("article:modified_time")
        .or_else(|| og("og:updated_time"))
        .or_else(|| name_of(from_article("dateModified")))
        .or_else(|| meta("last-modified"))
        .or_else(|| meta("datemodified"))
        .or_else(|| time_attr("[itemprop=dateModified]"));
    // The page's icons, read once and only when no logo is named: (rel, href) in page order.
    let icons = std::cell::OnceCell::new();
    let icon = |rel: &str| {
        icons
            .get_or_init(|| {
                doc.select("link[rel][href]")
                    .iter()
                    .filter_map(|l| Some((l.attr("rel")?.to_string(), l.attr("href")?.to_string())))
                    .collect::<Vec<(String, String)>>()
            })
            .iter()
            .find(|(rels, _)| {
                rels.split_whitespace()
                    .any(|token| token.eq_ignore_ascii_case(rel))
            })
            .map(|(_, href)| href.clone())
    };
    let logo = og("og:logo")
        .or_else(|| publisher.and_then(|p| url_of(p.get("logo"))))
        .or_else(|| {
            ld.iter()
                .find_map(|m| m.get("logo").and_then(|l| url_of(Some(l))))
        })
        .or_else(|| {
            doc.select("[itemprop=logo]").iter().find_map(|l| {
                l.attr("src")
                    .or_else(|| l.attr("content"))
                    .or_else(|| l.attr("href"))
                    .map(|s| s.to_string())
            })
        })
        .or_else(|| icon("apple-touch-icon"))
        .or_else(|| icon("icon"))
        .or_else(|| icon("shortcut"))
        .and_then(absolute);
    let image = og("og:image")
        .or_else(|| og("og:image:url"))
        .or_else(|| og("og:image:secure_url"))
        .or_else(|| meta("twitter:image"))
        .or_else(|| meta("twitter:image:src"))
        .or_else(|| url_of(from_article("image")))
        .and_then(absolute);
    for key in ["og:image", "og:image:url", "og:image:secure_url", "og:url"] {
        if let Some(values) = opengraph.get_mut(key) {
            for v in values.iter_mut() {
                if let Some(a) = absolute(v.clone()) {
                    *v = a;
                }
            }
        }
    }
    Metadata {
        title,
        site_name,
        author,
        published,
        modified,
        logo,
        image,
        opengraph,
    }
}

/// "Pricing | Acme" → ("Pricing", "Acme"): a last (or first) part of the title that is the site's name or
/// its domain is dropped; a title that is only the site's name stays.
/// Returns the title and the part dropped.
fn split_site_name(title: &str, site_name: Option<&str>, base: &Url) -> (String, Option<String>) {
    let squashed = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let label = base
        .host_str()
        .map(|h| h.trim_start_matches("www."))
        .and_then(|h| h.split('.').next())
        .map(squashed)
        .unwrap_or_default();
    let site = site_name.map(squashed).unwrap_or_default();
    let is_site = |part: &str| {
        let p = squashed(part);
        !p.is_empty()
            && ((!site.is_empty() && (p == site || site.contains(&p) && p.len() >= 4))
                || (label.len() >= 3
                    && (p == label || p.contains(&label) && p.len() <= label.len() + 4)))
    };
    for sep in [" | ", " - ", " – ", " — ", " · ", " :: ", " » ", " / "] {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            if is_site(tail) && !head.trim().is_empty() {
                return (head.trim().to_owned(), Some(tail.trim().to_owned()));
            }
        }
        if let Some((head, tail)) = title.split_once(sep) {
            if is_site(head) && !tail.trim().is_empty() {
                return (tail.trim().to_owned(), Some(head.trim().to_owned()));
            }
        }
    }
    (title.to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_title_author_dates_logo_image_and_every_og_value() {
        let html = r#"<html><head><title>Anvils get lighter | Acme Blog</title>
            <meta property="og:site_name" content="Acme Blog">
            <meta property="og:image" content="/img/a.png"><meta property="og:image" content="/img/b.png">
            <meta property="article:published_time" content="2024-05-01T10:00:00Z">
            <meta property="article:tag" content="anvils"><meta property="article:tag" content="forging">
            <meta property="product:price:amount" content="10">
            <link rel="icon" href="/favicon.png">
            <script type="application/ld+json">{"@type":"BlogPosting","author":{"@type":"Person","name":"Jane Doe"},
              "dateModified":"2024-05-02","publisher":{"@type":"Organization","name":"Acme","logo":{"@type":"ImageObject","url":"/logo.png"}}}</script>
            </head><body></body></html>"#;
        let doc = Document::from(html);
        let jsonld: Vec<Value> = doc
            .select("script[type=\"application/ld+json\"]")
            .iter()
            .filter_map(|s| serde_json::from_str(&s.text()).ok())
            .collect();
        let base = Url::parse("https://blog.acme.example/post").unwrap();
        let m = read(&doc, &base, &jsonld);
        assert_eq!(m.title.as_deref(), Some("Anvils get lighter"));
        assert_eq!(m.site_name.as_deref(), Some("Acme Blog"));
        assert_eq!(m.author.as_deref(), Some("Jane Doe"));
        assert_eq!(m.published.as_deref(), Some("2024-05-01T10:00:00Z"));
        assert_eq!(m.modified.as_deref(), Some("2024-05-02"));
        assert_eq!(
            m.logo.as_deref(),
            Some("https://blog.acme.example/logo.png")
        );
        assert_eq!(
            m.image.as_deref(),
            Some("https://blog.acme.example/img/a.png")
        );
        assert_eq!(
            m.opengraph["og:image"],
            [
                "https://blog.acme.example/img/a.png",
                "https://blog.acme.example/img/b.png"
            ]
        );
        assert_eq!(m.opengraph["article:tag"], ["anvils", "forging"]);
        assert_eq!(m.opengraph["product:price:amount"], ["10"]);
    }

    fn without_site_name(title: &str, site: Option<&str>, base: &Url) -> String {
        split_site_name(title, site, base).0
    }

    #[test]
    fn the_site_suffix_is_dropped_from_titles() {
        let base = Url::parse("https://www.techcrunch.com/x").unwrap();
        assert_eq!(
            without_site_name("HackerRank Makes Hiring Clear | TechCrunch", None, &base),
            "HackerRank Makes Hiring Clear"
        );
        assert_eq!(
            without_site_name("Acme Anvils - Home", Some("Acme Anvils"), &base),
            "Home"
        );
        assert_eq!(without_site_name("TechCrunch", None, &base), "TechCrunch");
        assert_eq!(
            without_site_name("Rust - a language", None, &base),
            "Rust - a language"
        );
    }
}
