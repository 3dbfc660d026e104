//! The crawl: a company's homepage plus a few key pages (about, pricing, careers, team,
//! customers, contact, blog) chosen from the homepage's links, all on the company's own
//! registrable domain, each read once into text, facts, signals and injection flags.

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Duration;

use leadscout_domain::{registrable_domain, Clock, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::page::{decode, Link};
use crate::signals::{self, Signal};
use crate::{FetchError, Fetched, Fetcher, PageFacts, Validators};

/// The version of how pages are read into text, facts and signals, stored with each page
/// (`reader` in its metadata): a page stored by an older version is never reused unread.
/// 2: hidden elements and blocks aimed at AI assistants are cut out.
/// 3: main text by Readability's scoring, metadata, structured data, canonical profiles,
/// contacts written in the text, feeds.
pub const READER: u64 = 3;

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
    const ALL: [PageKind; 8] = [
        PageKind::Home,
        PageKind::About,
        PageKind::Pricing,
        PageKind::Careers,
        PageKind::Team,
        PageKind::Customers,
        PageKind::Contact,
        PageKind::Blog,
    ];

    pub fn parse(value: &str) -> Option<PageKind> {
        PageKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

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
    /// For the whole crawl. The homepage must be read within it; key pages not read by then
    /// are skipped, and the crawl returns what it has.
    pub deadline: Duration,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            max_pages: 7,
            deadline: Duration::from_secs(90),
        }
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

    fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }
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

/// A page as this crawl got it: read now, or unchanged since `previous`.
enum Got {
    Read(crate::Page),
    Unchanged(Box<CrawledPage>),
}

/// Fetches `url`, conditionally when an earlier crawl read it with validators.
async fn get(
    fetcher: &Fetcher,
    url: &Url,
    previous: &[CrawledPage],
    clock: &dyn Clock,
) -> Result<Got, FetchError> {
    let earlier = previous
        .iter()
        .find(|p| p.url == url.as_str())
        .filter(|p| p.etag.is_some() || p.last_modified.is_some());
    let Some(earlier) = earlier else {
        return fetcher.fetch(url).await.map(Got::Read);
    };
    match fetcher.fetch_if_changed(url, &earlier.validators()).await? {
        Fetched::Page(page) => Ok(Got::Read(page)),
        Fetched::NotModified { .. } => Ok(Got::Unchanged(Box::new(CrawledPage {
            fetched_at: clock.now(),
            unchanged: true,
            ..earlier.clone()
        }))),
    }
}

/// How a step of the crawl ended: done, out of time, or cancelled.
enum Step<T> {
    Done(T),
    OutOfTime,
    Cancelled,
}

/// Runs `work` until it ends, the crawl's deadline passes or `cancel` fires, whichever is first;
/// the work is dropped (its connections closed) in the other two cases.
async fn step<T>(
    work: impl Future<Output = T>,
    until: tokio::time::Instant,
    cancel: &CancellationToken,
) -> Step<T> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => Step::Cancelled,
        () = tokio::time::sleep_until(until) => Step::OutOfTime,
        done = work => Step::Done(done),
    }
}

/// Crawls `start` (normally the homepage). Fails only when the start page cannot be read (in
/// time, or before `cancel`); key pages that fail, or that the deadline leaves unread, are
/// listed in `skipped` with the reason, and a cancel ends the crawl with the pages read so far.
/// Pages in `previous` (the last crawl of this site) are re-fetched conditionally: an unchanged
/// page is not downloaded again. Pages are stamped with `clock`'s time when read.
pub async fn crawl(
    fetcher: &Fetcher,
    start: &Url,
    config: &CrawlConfig,
    cancel: &CancellationToken,
    previous: &[CrawledPage],
    clock: &dyn Clock,
) -> Result<Crawl, FetchError> {
    let until = tokio::time::Instant::now() + config.deadline;
    let out_of_time = |url: &Url| FetchError::Deadline {
        url: url.to_string(),
        seconds: config.deadline.as_secs_f64().ceil() as u64,
    };
    let budget = config.max_pages.saturating_sub(1);
    let home = match step(get(fetcher, start, previous, clock), until, cancel).await {
        Step::Done(home) => home?,
        Step::OutOfTime => return Err(out_of_time(start)),
        Step::Cancelled => {
            return Err(FetchError::Cancelled {
                url: start.to_string(),
            })
        }
    };
    let (home_page, plan_from) = match home {
        Got::Read(home) => {
            let (page, links) = read_page(home, PageKind::Home, clock.now());
            (page, Some(links))
        }
        Got::Unchanged(page) => (*page, None),
    };
    let home_url = Url::parse(&home_page.url).unwrap_or_else(|_| start.clone());
    // The site may redirect to another host of the same company (www, a country domain):
    // the company is where the homepage finally is.
    let domain = registrable_domain(&home_url)
        .or_else(|| registrable_domain(start))
        .unwrap_or_else(|| home_url.host_str().unwrap_or_default().to_owned());
    let mut home_page = home_page;
    // The site's own feed, when the homepage (read now) announces one: its dated entries are
    // recent news about the company.
    if plan_from.is_some() {
        if let Some(feed_url) = home_page
            .facts
            .feeds
            .first()
            .and_then(|f| Url::parse(f).ok())
        {
            if let Step::Done(Some(body)) = step(fetcher.feed(&feed_url), until, cancel).await {
                home_page.signals.extend(
                    crate::feed::news(&body, &feed_url)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|item| Signal {
                            kind: signals::SignalKind::News,
                            name: "news".into(),
                            value: Some(item.published),
                            url: item.url.unwrap_or(item.feed),
                            evidence: item.title,
                        }),
                );
            }
        }
    }
    let mut pages = vec![home_page];
    let mut skipped = Vec::new();
    let mut seen: BTreeSet<String> = pages.iter().map(|p| p.url.clone()).collect();
    seen.insert(start.to_string());
    let plan = match plan_from {
        Some(mut links) => {
            // Key pages the homepage does not link to are often in the sitemap.
            if plan(&links, &domain, &seen, budget).len() < budget {
                if let Step::Done(Some(sitemap)) =
                    step(fetcher.sitemap(&home_url), until, cancel).await
                {
                    links.extend(sitemap_links(&sitemap));
                }
            }
            plan(&links, &domain, &seen, budget)
        }
        // An unchanged homepage links to the same key pages as last time.
        None => previous
            .iter()
            .filter(|p| p.kind != PageKind::Home)
            .filter_map(|p| Some((p.kind, Url::parse(&p.url).ok()?)))
            .take(budget)
            .collect(),
    };

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
        let all = futures_util::future::join_all(
            batch
                .iter()
                .map(|(_, url)| get(fetcher, url, previous, clock)),
        );
        let fetched = match step(all, until, cancel).await {
            Step::Done(fetched) => fetched,
            Step::Cancelled => break,
            Step::OutOfTime => {
                let seconds = config.deadline.as_secs_f64().ceil();
                skipped.extend(
                    batch
                        .iter()
                        .chain(queue.as_slice())
                        .map(|(_, url)| Skipped {
                            url: url.to_string(),
                            reason: format!(
                                "not read: the crawl of the site ran out of its {seconds} s"
                            ),
                        }),
                );
                break;
            }
        };
        for ((kind, url), result) in batch.into_iter().zip(fetched) {
            match result {
                Ok(Got::Unchanged(page)) if seen.insert(page.url.clone()) => {
                    pages.push(CrawledPage { kind, ..*page });
                }
                Ok(Got::Read(page)) if seen.insert(page.url.to_string()) => {
                    pages.push(read_page(page, kind, clock.now()).0);
                }
                Ok(_) => skipped.push(Skipped {
                    url: url.to_string(),
                    reason: "the same page as one already read".into(),
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

fn read_page(page: crate::Page, kind: PageKind, now: Timestamp) -> (CrawledPage, Vec<Link>) {
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

/// The page addresses a sitemap lists (`<loc>` entries), at most a few thousand.
fn sitemap_links(xml: &str) -> Vec<Link> {
    xml.split("<loc>")
        .skip(1)
        .filter_map(|rest| rest.split("</loc>").next())
        .map(|loc| loc.trim().replace("&amp;", "&"))
        .filter(|loc| loc.starts_with("http"))
        .take(5_000)
        .map(|url| Link {
            url,
            text: String::new(),
        })
        .collect()
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
