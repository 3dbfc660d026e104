//! The crawl: a company's homepage plus a few key pages (about, pricing, careers, team,
//! customers, contact, blog) chosen from the homepage's links, all on the company's own
//! registrable domain, each read once into text, facts, signals and injection flags.

//!
//! Here is the crawl itself (what is fetched, in what order, within the deadline); `plan` chooses
//! the key pages from the homepage's links, `page` reads a fetched page into a [`CrawledPage`]
//! and takes one back from the store.

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Duration;

use leadscout_domain::{registrable_domain, Clock};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::signals::{self, Signal};
use crate::{FetchError, Fetched, Fetcher};

mod page;
mod plan;

use page::read_page;
pub use page::CrawledPage;
pub use plan::PageKind;
use plan::{plan, sitemap_links};

/// The version of how pages are read into text, facts and signals, stored with each page
/// (`reader` in its metadata): a page stored by an older version is never reused unread.
/// 2: hidden elements and blocks aimed at AI assistants are cut out.
/// 3: main text by Readability's scoring, metadata, structured data, canonical profiles,
/// contacts written in the text, feeds.
pub const READER: u64 = 3;

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
