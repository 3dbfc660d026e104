//! One page as the crawl keeps it: read from a fetched body, or taken back from the store.

use leadscout_domain::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{PageKind, READER};
use crate::page::{decode, Link};
use crate::signals::Signal;
use crate::{PageFacts, Validators};

/// One page as the crawl read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrawledPage {
    pub url: String,
    pub kind: PageKind,
    pub status: u16,
    pub fetched_at: Timestamp,
    /// SHA-256 of the body as received, to tell whether a page changed between crawls.
    pub content_hash: String,
    pub truncated: bool,
    pub title: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub headings: Vec<String>,
    /// Readable main text as Markdown.
    pub text: String,
    pub facts: PageFacts,
    pub signals: Vec<Signal>,
    /// Blocks (paragraph, list item, section...) that talk to an AI assistant, whole, whether
    /// shown or hidden: the page is flagged with them, and since none of their text is in
    /// `text`, `signals` or `facts`, no excerpt, signal or fact comes from them; a quote from
    /// one is refused.
    pub injection: Vec<String>,
    /// The server's validators, for asking next time only whether the page changed.
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    /// The server said the page is unchanged since the last crawl; its content is from then.
    #[serde(default)]
    pub unchanged: bool,
}

impl CrawledPage {
    /// A page as the store kept it from an earlier crawl; `None` for a row this version cannot
    /// read (then the page is simply fetched again).
    pub fn from_stored(source: leadscout_store::SourceRecord) -> Option<CrawledPage> {
        let meta = &source.metadata;
        let text = |key: &str| meta.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        // Read by an older reader (hidden text and planted blocks still in its text and
        // signals): fetched again in full rather than kept.
        if meta.get("reader").and_then(serde_json::Value::as_u64) < Some(READER) {
            return None;
        }
        Some(CrawledPage {
            kind: PageKind::parse(&source.kind)?,
            status: source.status,
            fetched_at: source.fetched_at,
            content_hash: source.content_hash,
            truncated: meta
                .get("truncated")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
            title: source.title,
            description: text("description"),
            language: text("language"),
            headings: serde_json::from_value(meta.get("headings")?.clone()).ok()?,
            facts: serde_json::from_value(meta.get("facts")?.clone()).ok()?,
            signals: source
                .signals
                .into_iter()
                .map(|s| {
                    Some(Signal {
                        kind: crate::signals::SignalKind::parse(&s.kind)?,
                        name: s.name,
                        value: s.value,
                        url: s.url,
                        evidence: s.evidence,
                    })
                })
                .collect::<Option<Vec<_>>>()?,
            injection: source.injection,
            etag: source.etag,
            last_modified: source.last_modified,
            unchanged: false,
            url: source.url,
            text: source.text,
        })
    }

    pub(super) fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }
}

pub(super) fn read_page(
    page: crate::Page,
    kind: PageKind,
    now: Timestamp,
) -> (CrawledPage, Vec<Link>) {
    let html = decode(&page.body, &page.content_type);
    let read = crate::reading::read_with_headers(&html, &page.url, &page.headers);
    let validators = Validators::of(&page);
    let content_hash = Sha256::digest(&page.body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (
        CrawledPage {
            url: read.url,
            kind,
            status: page.status,
            fetched_at: now,
            content_hash,
            truncated: page.truncated,
            title: read.facts.title.clone(),
            description: read
                .facts
                .description
                .clone()
                .or_else(|| read.facts.og("og:description").map(str::to_owned)),
            language: read.facts.language.clone(),
            headings: read.headings,
            text: read.text,
            facts: read.facts,
            signals: read.signals,
            injection: read.injection,
            etag: validators.etag,
            last_modified: validators.last_modified,
            unchanged: false,
        },
        read.links,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_stored_by_an_older_reader_is_not_reused() {
        let stored = |metadata: serde_json::Value| leadscout_store::SourceRecord {
            url: "https://acme.example/".into(),
            kind: "home".into(),
            status: 200,
            fetched_at: Timestamp(0),
            content_hash: "00".into(),
            title: None,
            text: "Hidden text read by an older version.".into(),
            metadata,
            injection: Vec::new(),
            signals: Vec::new(),
            etag: Some("\"v1\"".into()),
            last_modified: None,
        };
        let facts = serde_json::to_value(PageFacts::default()).unwrap();
        let older = serde_json::json!({"headings": [], "facts": facts});
        assert_eq!(CrawledPage::from_stored(stored(older)), None);
        let current = serde_json::json!({"reader": READER, "headings": [], "facts": facts});
        let page = CrawledPage::from_stored(stored(current)).unwrap();
        assert_eq!(page.etag.as_deref(), Some("\"v1\""));
    }
}
