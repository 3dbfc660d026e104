//! The site's own news feed: the RSS, Atom or JSON feeds a page announces with
//! `<link rel="alternate">`, and the dated entries of one, as recent news about the company.

use dom_query::Document;
use serde::{Deserialize, Serialize};
use url::Url;

use leadscout_domain::registrable_domain;

/// Entries kept from a feed: the newest first.
pub const MAX_NEWS: usize = 10;

/// One dated entry of the site's feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewsItem {
    pub title: String,
    pub url: Option<String>,
    /// RFC 3339, as the feed dates it (published, else updated).
    pub published: String,
    /// The feed this came from.
    pub feed: String,
}

const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
];

/// The feeds `doc` announces, as absolute URLs, on the page's own site only (a link to a
/// partner's or a platform's feed is not the company's news); comment feeds last.
pub fn feed_links(doc: &Document, base: &Url) -> Vec<String> {
    let site = registrable_domain(base);
    let mut out: Vec<String> = Vec::new();
    for link in doc.select("link[rel][href][type]").iter() {
        let alternate = link.attr("rel").is_some_and(|r| {
            r.split_whitespace()
                .any(|t| t.eq_ignore_ascii_case("alternate"))
        });
        let kind = link
            .attr("type")
            .map(|t| t.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if !alternate || !FEED_TYPES.contains(&kind.as_str()) {
            continue;
        }
        let Some(href) = link.attr("href") else {
            continue;
        };
        let Ok(url) = base.join(href.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") || registrable_domain(&url) != site {
            continue;
        }
        let url = String::from(url);
        if !out.contains(&url) {
            out.push(url);
        }
        if out.len() >= 5 {
            break;
        }
    }
    out.sort_by_key(|u| u.to_ascii_lowercase().contains("comment"));
    out
}

/// The dated entries of a feed body, newest first; undated entries are left out (news without
/// a date is not a recent signal). `None` when the body is not a feed.
pub fn news(body: &[u8], feed_url: &Url) -> Option<Vec<NewsItem>> {
    let parsed = feed_rs::parser::Builder::new()
        .base_uri(Some(feed_url.as_str()))
        .build()
        .parse(body)
        .ok()?;
    let mut items: Vec<NewsItem> = parsed
        .entries
        .into_iter()
        .filter_map(|entry| {
            let date = entry.published.or(entry.updated)?;
            let title = entry
                .title
                .map(|t| t.content.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|t| !t.is_empty())?;
            let url = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(entry.links.first())
                .and_then(|l| feed_url.join(&l.href).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .map(String::from);
            Some(NewsItem {
                title: title.chars().take(300).collect(),
                url,
                published: date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                feed: feed_url.to_string(),
            })
        })
        .collect();
    items.sort_by(|a, b| b.published.cmp(&a.published));
    items.truncate(MAX_NEWS);
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sites_own_feeds_are_announced() {
        let html = r#"<head>
            <link rel="alternate" type="application/rss+xml" href="/comments/feed/">
            <link rel="alternate" type="application/rss+xml" href="/feed/">
            <link rel="alternate" type="application/atom+xml" href="https://other.example/atom">
            <link rel="alternate" hreflang="de" type="text/html" href="/de/">
            <link rel="stylesheet" type="application/rss+xml" href="/not-a-feed"></head>"#;
        let base = Url::parse("https://www.acme.example/blog/").unwrap();
        assert_eq!(
            feed_links(&Document::from(html), &base),
            [
                "https://www.acme.example/feed/",
                "https://www.acme.example/comments/feed/"
            ]
        );
    }

    #[test]
    fn feed_entries_are_dated_and_newest_first() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Acme</title>
            <item><title>Old news</title><link>https://acme.example/old</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>
            <item><title>No date</title><link>https://acme.example/undated</link></item>
            <item><title>We raised a Series B</title><link>/series-b</link><pubDate>Tue, 01 Oct 2024 09:30:00 +0200</pubDate></item>
            </channel></rss>"#;
        let url = Url::parse("https://acme.example/feed/").unwrap();
        let items = news(rss, &url).unwrap();
        let got: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i.title.as_str(), i.published.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("We raised a Series B", "2024-10-01T07:30:00Z"),
                ("Old news", "2024-01-01T10:00:00Z")
            ]
        );
        assert_eq!(
            items[0].url.as_deref(),
            Some("https://acme.example/series-b")
        );
        assert!(news(b"<html><body>not a feed</body></html>", &url).is_none());
    }
}
