//! Everything research reads from one page, in one serialisable value: what the command line's
//! `leadscout extract` prints and what the crawl keeps of each page.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::page::{plain_text, read, Link};
use crate::signals::{detect, Signal, SignalInput};
use crate::PageFacts;

/// What one page says: main text, metadata, structured data, social profiles, contacts, feeds
/// (all in `facts`), headings, links, signals and the blocks aimed at AI assistants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageReading {
    pub url: String,
    /// The main content as Markdown.
    pub text: String,
    pub headings: Vec<String>,
    /// Metadata, schema.org entities, social profiles, emails, phones, addresses and feeds.
    pub facts: PageFacts,
    pub links: Vec<Link>,
    pub signals: Vec<Signal>,
    /// Blocks that talk to an AI assistant, cut out of everything above.
    pub injection: Vec<String>,
}

/// Reads one page (`html` already decoded, see [`crate::decode`]) served from `url`.
pub fn read_page(html: &str, url: &Url) -> PageReading {
    read_with_headers(html, url, &[])
}

/// [`read_page`] with the response headers, which some technology signals read.
pub fn read_with_headers(html: &str, url: &Url, headers: &[(String, String)]) -> PageReading {
    let page = read(html, url);
    let signals = detect(&SignalInput {
        url: url.as_str(),
        html,
        text: &plain_text(&page.text),
        headers,
    });
    PageReading {
        url: url.to_string(),
        text: page.text,
        headings: page.headings,
        facts: page.facts,
        links: page.links,
        signals,
        injection: page.flagged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_call_reads_everything_and_serialises() {
        let html = r#"<html lang="en"><head><title>About | Acme</title>
            <link rel="alternate" type="application/rss+xml" href="/feed.xml">
            <script type="application/ld+json">{"@type":"Organization","name":"Acme","foundingDate":"2014"}</script>
            </head><body><main><h1>About Acme</h1><p>We forge anvils in Austin, Texas, since 2014.
            Start your free trial today.</p></main>
            <footer>Phone: +1 512 555 0100 · <a href="https://x.com/acme">X</a>
            · <a href="https://twitter.com/intent/tweet?url=x">Share</a></footer></body></html>"#;
        let reading = read_page(html, &Url::parse("https://acme.example/about").unwrap());
        assert_eq!(reading.facts.title.as_deref(), Some("About"));
        assert!(reading.text.contains("We forge anvils"), "{}", reading.text);
        assert_eq!(
            reading.facts.entities[0].founding_date.as_deref(),
            Some("2014")
        );
        assert_eq!(reading.facts.feeds, ["https://acme.example/feed.xml"]);
        assert_eq!(
            reading.facts.social["twitter/x"].iter().collect::<Vec<_>>(),
            ["https://x.com/acme"]
        );
        assert!(reading.signals.iter().any(|s| s.name == "free_trial"));
        let json = serde_json::to_value(&reading).unwrap();
        assert_eq!(json["facts"]["title"], "About");
        let back: PageReading = serde_json::from_value(json).unwrap();
        assert_eq!(back, reading);
    }
}
