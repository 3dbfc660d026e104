//! The fetcher: one page at a time, through the SSRF guard, with a user agent that names the app,
//! timeouts, one deadline for the whole fetch (redirects, robots.txt and waits included), at most
//! five redirects each re-checked by the guard, HTML only, and a body cap enforced while
//! streaming (after decompression, so a compression bomb stops at the cap).

use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use url::Url;

use std::collections::HashMap;
use std::sync::Mutex;

use crate::{Guard, Refusal, Robots};

pub const USER_AGENT: &str = concat!(
    "Leadscout/",
    env!("CARGO_PKG_VERSION"),
    " (desktop CRM research; reads public company websites)"
);

#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub connect_timeout: Duration,
    /// For one request and its answer, body included.
    pub timeout: Duration,
    /// For a whole fetch: robots.txt, the waits between requests to one host and every
    /// redirect hop together. A site that answers each request just in time, or drips a byte
    /// now and then, cannot hold a worker longer than this.
    pub deadline: Duration,
    /// Bytes of (decompressed) body kept; the rest is not read.
    pub max_body: usize,
    pub max_redirects: usize,
    /// Politeness: the least time between two requests to one host...
    pub per_host_interval: Duration,
    /// ...and how many may be open to it at once.
    pub per_host_concurrency: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(20),
            deadline: Duration::from_secs(30),
            max_body: 2 * 1024 * 1024,
            max_redirects: 5,
            per_host_interval: Duration::from_secs(1),
            per_host_concurrency: 2,
        }
    }
}

/// A fetched HTML page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Where the page really came from, after redirects.
    pub url: Url,
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// The body was longer than the cap and was cut there.
    pub truncated: bool,
    /// Response headers (names in lowercase), for technology fingerprints.
    pub headers: Vec<(String, String)>,
}

impl Page {
    /// A response header's value (names are lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What an earlier fetch of a page said about its version, for a conditional re-fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn of(page: &Page) -> Validators {
        Validators {
            etag: page.header("etag").map(str::to_owned),
            last_modified: page.header("last-modified").map(str::to_owned),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A conditional fetch's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    Page(Page),
    /// The server says the page is as it was (HTTP 304): keep what was read before.
    NotModified {
        url: Url,
    },
}

/// What is being fetched, which decides the checks applied to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// A web page: robots.txt applies, HTML only.
    Page,
    /// robots.txt itself.
    Robots,
    /// A sitemap: robots.txt applies, XML or text accepted.
    Sitemap,
    /// A news feed: robots.txt applies, XML (RSS, Atom) or JSON accepted.
    Feed,
}

/// Why a page could not be fetched, with what the user should know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{url} is not a web page ({content_type}); skipped")]
    NotHtml { url: String, content_type: String },
    #[error("{url} answered {status}")]
    Status {
        url: String,
        status: u16,
        /// Seconds from a Retry-After header (429, 503).
        retry_after: Option<u64>,
    },
    #[error("the site's robots.txt asks not to read {url}")]
    RobotsDisallowed { url: String },
    /// robots.txt did not answer, answered with a server error, or timed out: RFC 9309 says to
    /// read nothing then, and the user is told that, not that the site said no.
    #[error("the site's robots.txt could not be read ({reason}), so {url} was not read: a site whose crawling rules cannot be read is left alone until they can")]
    RobotsUnreadable { url: String, reason: String },
    #[error("{url} redirected more than {max} times")]
    TooManyRedirects { url: String, max: usize },
    #[error("{url} did not answer in time")]
    Timeout { url: String },
    #[error("reading {url} took longer than {seconds} s, so it was stopped (the site is very slow or stalls)")]
    Deadline { url: String, seconds: u64 },
    #[error("reading {url} was cancelled")]
    Cancelled { url: String },
    #[error("could not reach {url}: {reason}")]
    Connect { url: String, reason: String },
}

impl FetchError {
    /// Worth trying again later (the engine's backoff decides when).
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout { .. }
            | FetchError::Deadline { .. }
            | FetchError::Connect { .. }
            | FetchError::RobotsUnreadable { .. } => true,
            FetchError::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// Resolves names through the guard, so the connection goes only to vetted addresses.
struct GuardedResolver(Guard);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.0.clone();
        Box::pin(async move {
            let url = Url::parse(&format!("http://{}/", name.as_str()))
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            let addrs = guard
                .resolve(&url)
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            // reqwest replaces port 80 with the URL's own port.
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

pub struct Fetcher {
    client: reqwest::Client,
    guard: Guard,
    config: FetchConfig,
    /// robots.txt per origin, fetched once per fetcher; a failure to read it is kept briefly.
    robots: Mutex<HashMap<String, RobotsRead>>,
    hosts: Mutex<HashMap<String, Arc<HostSlot>>>,
}

/// One host's share of the fetcher: a few connections at a time, starts spaced out.
struct HostSlot {
    open: tokio::sync::Semaphore,
    next: Mutex<Option<tokio::time::Instant>>,
}

/// What asking an origin for its robots.txt gave.
#[derive(Clone)]
enum RobotsRead {
    Rules(Robots),
    /// Nothing may be read from the origin until `retry_at`; then robots.txt is asked again.
    Unreadable {
        reason: String,
        retry_at: tokio::time::Instant,
    },
}

/// How long an unreadable robots.txt keeps a site closed before it is asked again: long enough
/// that one crawl asks once, short enough that the engine's retries ask afresh.
const ROBOTS_RETRY: Duration = Duration::from_secs(60);

/// Headers kept per page; a response with more is unusual and the rest are not fingerprints.
const MAX_HEADERS: usize = 64;

/// robots.txt is small; anything past this is ignored.
const ROBOTS_MAX: usize = 512 * 1024;

impl Fetcher {
    pub fn new(guard: Guard, config: FetchConfig) -> Result<Fetcher, reqwest::Error> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            // Redirects are followed by hand so every hop goes through the guard.
            .redirect(Policy::none())
            .dns_resolver(Arc::new(GuardedResolver(guard.clone())))
            .no_proxy()
            .build()?;
        Ok(Fetcher {
            client,
            guard,
            config,
            robots: Mutex::new(HashMap::new()),
            hosts: Mutex::new(HashMap::new()),
        })
    }

    /// Fetches one HTML page, following redirects through the guard and obeying robots.txt.
    pub async fn fetch(&self, url: &Url) -> Result<Page, FetchError> {
        match self.get_within(url, Want::Page, None).await? {
            Fetched::Page(page) => Ok(page),
            // Only a conditional request can be answered 304.
            Fetched::NotModified { url } => Err(FetchError::Status {
                url: url.to_string(),
                status: 304,
                retry_after: None,
            }),
        }
    }

    /// Fetches a page again only if it changed since `validators` were read (ETag,
    /// Last-Modified).
    pub async fn fetch_if_changed(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<Fetched, FetchError> {
        self.get_within(url, Want::Page, Some(validators)).await
    }

    /// The site's sitemap.xml (robots.txt applies), as text; `None` when it has none.
    pub async fn sitemap(&self, origin: &Url) -> Option<String> {
        let url = origin.join("/sitemap.xml").ok()?;
        match self.get_within(&url, Want::Sitemap, None).await {
            Ok(Fetched::Page(page)) => Some(String::from_utf8_lossy(&page.body).into_owned()),
            _ => None,
        }
    }

    /// A feed the site announces (RSS, Atom or JSON Feed; robots.txt applies), as bytes; `None`
    /// when it cannot be read.
    pub async fn feed(&self, url: &Url) -> Option<Vec<u8>> {
        match self.get_within(url, Want::Feed, None).await {
            Ok(Fetched::Page(page)) => Some(page.body),
            _ => None,
        }
    }

    /// [`Fetcher::get`] within the fetch deadline.
    async fn get_within(
        &self,
        url: &Url,
        want: Want,
        validators: Option<&Validators>,
    ) -> Result<Fetched, FetchError> {
        let deadline = self.config.deadline;
        match tokio::time::timeout(deadline, self.get(url, want, validators)).await {
            Ok(result) => result,
            // Dropping the request closes its connection.
            Err(_) => Err(FetchError::Deadline {
                url: url.to_string(),
                seconds: deadline.as_secs_f64().ceil() as u64,
            }),
        }
    }

    /// The rules of `url`'s origin, fetched on first use: a 4xx means none; a server error or
    /// no answer means read nothing (RFC 9309), said as such, for [`ROBOTS_RETRY`].
    /// A refusal by the guard is passed on: the site itself is off-limits.
    async fn robots_for(&self, url: &Url) -> Result<Robots, FetchError> {
        let origin = url.origin().ascii_serialization();
        let known = self
            .robots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&origin)
            .cloned();
        match known {
            Some(RobotsRead::Rules(robots)) => return Ok(robots),
            Some(RobotsRead::Unreadable { reason, retry_at })
                if tokio::time::Instant::now() < retry_at =>
            {
                return Err(FetchError::RobotsUnreadable {
                    url: url.to_string(),
                    reason,
                })
            }
            _ => {}
        }
        let read = match url.join("/robots.txt") {
            Err(_) => RobotsRead::Rules(Robots::allow_all()),
            Ok(robots_url) => match Box::pin(self.get(&robots_url, Want::Robots, None)).await {
                Ok(Fetched::Page(page)) => RobotsRead::Rules(Robots::parse_bytes(
                    &page.body[..page.body.len().min(ROBOTS_MAX)],
                )),
                Ok(Fetched::NotModified { .. }) => RobotsRead::Rules(Robots::allow_all()),
                Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                    RobotsRead::Rules(Robots::allow_all())
                }
                Err(refused @ FetchError::Refused(_)) => return Err(refused),
                Err(err) => {
                    tracing::info!(%origin, error = %err, "robots.txt unreadable; not reading the site");
                    RobotsRead::Unreadable {
                        reason: robots_failure(&err),
                        retry_at: tokio::time::Instant::now() + ROBOTS_RETRY,
                    }
                }
            },
        };
        self.robots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(origin, read.clone());
        match read {
            RobotsRead::Rules(robots) => Ok(robots),
            RobotsRead::Unreadable { reason, .. } => Err(FetchError::RobotsUnreadable {
                url: url.to_string(),
                reason,
            }),
        }
    }

    async fn get(
        &self,
        url: &Url,
        want: Want,
        validators: Option<&Validators>,
    ) -> Result<Fetched, FetchError> {
        let mut current = url.clone();
        for _ in 0..=self.config.max_redirects {
            // IP literals never reach the resolver: check every hop here. Names are vetted by
            // the guarded resolver when reqwest connects, so DNS is asked once per connection.
            self.guard.check_url(&current)?;
            if want != Want::Robots {
                let path = match current.query() {
                    Some(q) => format!("{}?{q}", current.path()),
                    None => current.path().to_owned(),
                };
                if !self.robots_for(&current).await?.allows(&path) {
                    return Err(FetchError::RobotsDisallowed {
                        url: current.to_string(),
                    });
                }
            }
            let slot = self.host_slot(&current);
            // Held until the body is read: the host sees at most `per_host_concurrency` at once.
            let _open = slot.open.acquire().await.ok();
            let start = {
                let mut next = slot.next.lock().unwrap_or_else(|p| p.into_inner());
                let now = tokio::time::Instant::now();
                let start = next.filter(|at| *at > now).unwrap_or(now);
                *next = Some(start + self.config.per_host_interval);
                start
            };
            tokio::time::sleep_until(start).await;
            let mut request = self
                .client
                .get(current.clone())
                .header("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1");
            // Validators belong to the URL they were read from, not to a redirect target.
            if let Some(v) = validators.filter(|_| current == *url) {
                if let Some(etag) = &v.etag {
                    request = request.header("If-None-Match", etag);
                }
                if let Some(date) = &v.last_modified {
                    request = request.header("If-Modified-Since", date);
                }
            }
            let response = request
                .send()
                .await
                .map_err(|e| self.transport(&current, e))?;
            let status = response.status();
            if status == StatusCode::NOT_MODIFIED && validators.is_some() {
                return Ok(Fetched::NotModified { url: current });
            }
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| current.join(l).ok());
                match location {
                    Some(next) => {
                        current = next;
                        continue;
                    }
                    None => {
                        return Err(FetchError::Status {
                            url: current.to_string(),
                            status: status.as_u16(),
                            retry_after: None,
                        })
                    }
                }
            }
            if !status.is_success() {
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                return Err(FetchError::Status {
                    url: current.to_string(),
                    status: status.as_u16(),
                    retry_after: retry_after.filter(|_| {
                        status == StatusCode::TOO_MANY_REQUESTS
                            || status == StatusCode::SERVICE_UNAVAILABLE
                    }),
                });
            }
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase();
            let is_html = content_type.is_empty()
                || content_type.starts_with("text/html")
                || content_type.starts_with("application/xhtml+xml");
            let is_sitemap = content_type.contains("xml") || content_type.starts_with("text/plain");
            let is_feed = content_type.contains("xml") || content_type.contains("json");
            if (want == Want::Page && !is_html)
                || (want == Want::Sitemap && !is_sitemap && !is_html)
                || (want == Want::Feed && !is_feed)
            {
                return Err(FetchError::NotHtml {
                    url: current.to_string(),
                    content_type,
                });
            }
            let headers = response
                .headers()
                .iter()
                .take(MAX_HEADERS)
                .filter_map(|(name, value)| {
                    Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
                })
                .collect();
            let (body, truncated) = self.read_capped(&current, response).await?;
            return Ok(Fetched::Page(Page {
                url: current,
                status: status.as_u16(),
                content_type,
                body,
                truncated,
                headers,
            }));
        }
        Err(FetchError::TooManyRedirects {
            url: url.to_string(),
            max: self.config.max_redirects,
        })
    }

    fn host_slot(&self, url: &Url) -> Arc<HostSlot> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(hosts.entry(host).or_insert_with(|| {
            Arc::new(HostSlot {
                open: tokio::sync::Semaphore::new(self.config.per_host_concurrency.max(1)),
                next: Mutex::new(None),
            })
        }))
    }

    async fn read_capped(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<(Vec<u8>, bool), FetchError> {
        let cap = self.config.max_body;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(url, e))? {
            let room = cap - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                // Dropping the response closes the connection: the rest is never read.
                return Ok((body, true));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, false))
    }

    fn transport(&self, url: &Url, err: reqwest::Error) -> FetchError {
        // A refusal from the guarded resolver arrives wrapped in the connect error.
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
        while let Some(e) = source {
            if let Some(refusal) = e.downcast_ref::<Refusal>() {
                return FetchError::Refused(refusal.clone());
            }
            source = e.source();
        }
        if err.is_timeout() {
            FetchError::Timeout {
                url: url.to_string(),
            }
        } else {
            FetchError::Connect {
                url: url.to_string(),
                reason: err.to_string(),
            }
        }
    }
}

/// Why robots.txt could not be read, in a few words for the user.
fn robots_failure(err: &FetchError) -> String {
    match err {
        FetchError::Status { status, .. } => format!("it answered {status}"),
        FetchError::Timeout { .. } => "it did not answer in time".to_owned(),
        FetchError::Connect { .. } => "the connection failed".to_owned(),
        FetchError::TooManyRedirects { max, .. } => format!("it redirected more than {max} times"),
        other => other.to_string(),
    }
}
