//! The crawl: a company's homepage plus a few key pages (about, pricing, careers, team,
//! customers, contact, blog) chosen from the homepage's links, all on the company's own
//! registrable domain, each read once into text, facts, signals and injection flags.

use std::collections::BTreeSet;

use leadscout_domain::{registrable_domain, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::page::{decode, read, Link};
use crate::signals::{self, Signal, SignalInput};
use crate::{FetchError, Fetcher, PageFacts};

/// What a page is for, as the crawl plan chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PageKind {
    Home,
    About,
    Pricing,
    Careers,
    Team,
    Customers,
    Contact,
    Blog,
}

impl PageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::About => "about",
            PageKind::Pricing => "pricing",
            PageKind::Careers => "careers",
            PageKind::Team => "team",
            PageKind::Customers => "customers",
            PageKind::Contact => "contact",
            PageKind::Blog => "blog",
        }
    }
}

/// Key pages in the order they are worth a request, with the words that name them in URLs and
/// link text.
const PLAN: &[(PageKind, &[&str])] = &[
    (
        PageKind::About,
        &[
            "about",
            "about-us",
            "company",
            "who-we-are",
            "our-story",
            "story",
        ],
    ),
    (PageKind::Pricing, &["pricing", "plans", "prices", "price"]),
    (
        PageKind::Careers,
        &[
            "careers",
            "jobs",
            "join-us",
            "hiring",
            "work-with-us",
            "career",
            "vacancies",
        ],
    ),
    (
        PageKind::Team,
        &["team", "leadership", "people", "founders", "management"],
    ),
    (
        PageKind::Customers,
        &[
            "customers",
            "case-studies",
            "clients",
            "success-stories",
            "testimonials",
        ],
    ),
    (
        PageKind::Contact,
        &[
            "contact",
            "contact-us",
            "get-in-touch",
            "locations",
            "imprint",
            "impressum",
        ],
    ),
    (
        PageKind::Blog,
        &["blog", "news", "press", "newsroom", "updates", "insights"],
    ),
];

#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// Pages per crawl, homepage included.
    pub max_pages: usize,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig { max_pages: 7 }
    }
}

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
    /// Passages that talk to an AI assistant: kept as data, flagged for the model stages.
    pub injection: Vec<String>,
}

/// A page the plan wanted but could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub url: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Crawl {
    /// The registrable domain crawled.
    pub domain: String,
    pub pages: Vec<CrawledPage>,
    pub skipped: Vec<Skipped>,
}

/// Crawls `start` (normally the homepage). Fails only when the start page cannot be read; key
/// pages that fail are listed in `skipped` with the reason.
pub async fn crawl(
    fetcher: &Fetcher,
    start: &Url,
    config: &CrawlConfig,
    cancel: &CancellationToken,
) -> Result<Crawl, FetchError> {
    let home = fetcher.fetch(start).await?;
    // The site may redirect to another host of the same company (www, a country domain):
    // the company is where the homepage finally is.
    let domain = registrable_domain(&home.url)
        .or_else(|| registrable_domain(start))
        .unwrap_or_else(|| home.url.host_str().unwrap_or_default().to_owned());
    let (home_page, links) = read_page(home, PageKind::Home);
    let mut pages = vec![home_page];
    let mut skipped = Vec::new();
    let mut seen: BTreeSet<String> = pages.iter().map(|p| p.url.clone()).collect();
    seen.insert(start.to_string());
    let plan = plan(&links, &domain, &seen, config.max_pages.saturating_sub(1));

    // Two at a time: the fetcher's per-host politeness spaces them.
    let mut queue = plan.into_iter();
    loop {
        if cancel.is_cancelled() {
            break;
        }
        let batch: Vec<(PageKind, Url)> = queue.by_ref().take(2).collect();
        if batch.is_empty() {
            break;
        }
        let fetched =
            futures_util::future::join_all(batch.iter().map(|(_, url)| fetcher.fetch(url))).await;
        for ((kind, url), result) in batch.into_iter().zip(fetched) {
            match result {
                Ok(page) if seen.insert(page.url.to_string()) => {
                    pages.push(read_page(page, kind).0);
                }
                Ok(page) => skipped.push(Skipped {
                    url: url.to_string(),
                    reason: format!("redirected to {}, already read", page.url),
                }),
                Err(err) => skipped.push(Skipped {
                    url: url.to_string(),
                    reason: err.to_string(),
                }),
            }
        }
    }
    Ok(Crawl {
        domain,
        pages,
        skipped,
    })
}

fn read_page(page: crate::Page, kind: PageKind) -> (CrawledPage, Vec<Link>) {
    let html = decode(&page.body, &page.content_type);
    let read = read(&html, &page.url);
    let url = page.url.to_string();
    let headers: Vec<(String, String)> = page.headers.clone();
    let flat_text = read.text.replace('\n', " ");
    let signals = signals::detect(&SignalInput {
        url: &url,
        html: &html,
        text: &flat_text,
        headers: &headers,
    });
    let injection = signals::injection_snippets(&read.text);
    let content_hash = Sha256::digest(&page.body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (
        CrawledPage {
            url,
            kind,
            status: page.status,
            fetched_at: Timestamp::now(),
            content_hash,
            truncated: page.truncated,
            title: read.facts.title.clone(),
            description: read
                .facts
                .description
                .clone()
                .or_else(|| read.facts.opengraph.get("og:description").cloned()),
            language: read.facts.language.clone(),
            headings: read.headings,
            text: read.text,
            facts: read.facts,
            signals,
            injection,
        },
        read.links,
    )
}

/// Picks at most one page per kind, best match first: a path segment equal to a keyword beats a
/// path containing it, which beats link text naming it; shorter paths win ties.
fn plan(
    links: &[Link],
    domain: &str,
    seen: &BTreeSet<String>,
    budget: usize,
) -> Vec<(PageKind, Url)> {
    let mut chosen: Vec<(PageKind, Url)> = Vec::new();
    let mut taken: BTreeSet<String> = seen.clone();
    for (kind, words) in PLAN {
        if chosen.len() >= budget {
            break;
        }
        let mut best: Option<(u32, usize, Url)> = None;
        for link in links {
            let Ok(url) = Url::parse(&link.url) else {
                continue;
            };
            if taken.contains(url.as_str())
                || registrable_domain(&url).as_deref() != Some(domain)
                || looks_like_a_file(&url)
            {
                continue;
            }
            let score = score(&url, &link.text, words);
            if score == 0 {
                continue;
            }
            let len = url.path().len();
            if best
                .as_ref()
                .is_none_or(|(s, l, _)| score > *s || (score == *s && len < *l))
            {
                best = Some((score, len, url));
            }
        }
        if let Some((_, _, url)) = best {
            taken.insert(url.to_string());
            chosen.push((*kind, url));
        }
    }
    chosen
}

fn score(url: &Url, text: &str, words: &[&str]) -> u32 {
    let path = url.path().to_ascii_lowercase();
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches(".html").trim_end_matches(".htm"))
        .collect();
    // Deep article pages (a blog post about pricing) are not the pricing page.
    if segments.len() > 3 {
        return 0;
    }
    let text = text.to_lowercase();
    let mut best = 0;
    for word in words {
        if segments.iter().any(|s| s == word) {
            // 6 for /about, 5 for /en/about, 4 for /en/company/about.
            best = best.max(7 - u32::try_from(segments.len()).unwrap_or(3));
        } else if segments.iter().any(|s| s.contains(word)) {
            best = best.max(2);
        } else if text
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .any(|t| t == *word)
        {
            best = best.max(1);
        }
    }
    best
}

fn looks_like_a_file(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    [
        ".pdf", ".jpg", ".jpeg", ".png", ".gif", ".svg", ".zip", ".mp4", ".xml", ".json", ".css",
        ".js",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str, text: &str) -> Link {
        Link {
            url: url.into(),
            text: text.into(),
        }
    }

    #[test]
    fn the_plan_takes_one_page_per_kind_on_the_company_domain() {
        let links = [
            link(
                "https://acme.example/blog/2024/05/why-pricing-matters",
                "Pricing matters",
            ),
            link("https://acme.example/pricing", "Plans"),
            link("https://acme.example/en/company/about-us", "About"),
            link("https://careers.acme.example/jobs", "Jobs"),
            link("https://acme.example/about", "Who we are"),
            link("https://other.example/about", "About them"),
            link("https://acme.example/brochure.pdf", "About (PDF)"),
            link("https://acme.example/", "Home"),
            link("https://acme.example/get-in-touch", "Talk to us"),
            link("https://acme.example/blog", "Blog"),
        ];
        let seen = BTreeSet::from(["https://acme.example/".to_owned()]);
        let chosen = plan(&links, "acme.example", &seen, 6);
        let got: Vec<(PageKind, &str)> = chosen.iter().map(|(k, u)| (*k, u.as_str())).collect();
        assert_eq!(
            got,
            [
                (PageKind::About, "https://acme.example/about"),
                (PageKind::Pricing, "https://acme.example/pricing"),
                (PageKind::Careers, "https://careers.acme.example/jobs"),
                (PageKind::Contact, "https://acme.example/get-in-touch"),
                (PageKind::Blog, "https://acme.example/blog"),
            ]
        );
        assert_eq!(plan(&links, "acme.example", &seen, 2).len(), 2);
    }
}
