//! The fetcher against a real HTTP server on 127.0.0.1. The SSRF guard stays on: only the
//! fixture server's exact address is allowed, so every other local address is still refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use leadscout_research::steps::step_error;
use leadscout_research::{
    crawl, decode, AllowList, CrawlConfig, FetchConfig, FetchError, Fetched, Fetcher, Guard,
    Refusal, Validators, USER_AGENT,
};
use leadscout_workflow::StepError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use url::Url;

fn gzip_of_zeros(len: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 16];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        enc.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    enc.finish().unwrap()
}

type Shared<T> = std::sync::Arc<std::sync::Mutex<T>>;

/// The fixture server and what it saw.
struct Fixture {
    addr: SocketAddr,
    /// Each request's user agent.
    agents: Shared<Vec<String>>,
    /// Each request's path and arrival time.
    arrivals: Shared<Vec<(String, std::time::Instant)>>,
    /// The most requests it was answering at once.
    peak: Shared<(usize, usize)>,
}

/// Serves the fixture routes until the test ends.
async fn serve() -> Fixture {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let fixture = Fixture {
        addr,
        agents: Shared::default(),
        arrivals: Shared::default(),
        peak: Shared::default(),
    };
    let (seen, arrivals, peak) = (
        fixture.agents.clone(),
        fixture.arrivals.clone(),
        fixture.peak.clone(),
    );
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (seen, arrivals, peak) = (seen.clone(), arrivals.clone(), peak.clone());
            tokio::spawn(async move {
                let mut buf = vec![0; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                arrivals
                    .lock()
                    .unwrap()
                    .push((path.clone(), std::time::Instant::now()));
                if let Some(ua) = request.lines().find_map(|l| l.strip_prefix("user-agent: ")) {
                    seen.lock().unwrap().push(ua.to_owned());
                }
                let etag_matches = request
                    .lines()
                    .any(|l| l.eq_ignore_ascii_case("if-none-match: \"v1\""));
                let html = |body: &str| {
                    format!("HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes()
                };
                let redirect = |to: &str| {
                    format!("HTTP/1.1 302 Found\r\nlocation: {to}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").into_bytes()
                };
                let response: Vec<u8> = match path.as_str() {
                    "/" => html("<html><title>Acme</title><h1>We make anvils</h1></html>"),
                    "/robots.txt" => {
                        let body = "User-agent: *\nDisallow: /private\nAllow: /private/ok\n";
                        format!("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes()
                    }
                    "/private/team" | "/private/ok" => html("<p>private</p>"),
                    "/redirect" => redirect("/"),
                    "/to-private" => redirect("http://10.0.0.1/admin"),
                    "/to-metadata" => redirect("http://169.254.169.254/latest/meta-data/"),
                    "/loop" => redirect("/loop"),
                    "/pdf" => b"HTTP/1.1 200 OK\r\ncontent-type: application/pdf\r\ncontent-length: 4\r\nconnection: close\r\n\r\n%PDF".to_vec(),
                    "/busy" => b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 30\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
                    "/big" => {
                        let body = "<p>".to_owned() + &"x".repeat(5 * 1024 * 1024);
                        html(&body)
                    }
                    "/bomb" => {
                        static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
                        let bomb = BOMB.get_or_init(|| gzip_of_zeros(50 * 1024 * 1024));
                        let mut r = format!("HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", bomb.len()).into_bytes();
                        r.extend_from_slice(bomb);
                        r
                    }
                    "/drip" => {
                        // Headers at once, then a byte now and then, for ever.
                        let _ = socket
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 100000\r\n\r\n<p>")
                            .await;
                        loop {
                            if socket.write_all(b"x").await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                    "/limited" => b"HTTP/1.1 429 Too Many Requests\r\nretry-after: 7\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
                    "/mislabelled" => {
                        // The header says UTF-8; the bytes are Windows-1252, as the page's own meta says.
                        let body: &[u8] = b"<meta charset=windows-1252><title>Caf\xe9 \x93Zur M\xfchle\x94</title>";
                        let mut r = format!("HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len()).into_bytes();
                        r.extend_from_slice(body);
                        r
                    }
                    "/etag" if etag_matches => b"HTTP/1.1 304 Not Modified\r\netag: \"v1\"\r\nconnection: close\r\n\r\n".to_vec(),
                    "/etag" => b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\netag: \"v1\"\r\nlast-modified: Tue, 24 Nov 2026 10:00:00 GMT\r\ncontent-length: 9\r\nconnection: close\r\n\r\n<p>v1</p>".to_vec(),
                    "/wait" => {
                        {
                            let mut p = peak.lock().unwrap();
                            p.0 += 1;
                            p.1 = p.1.max(p.0);
                        }
                        tokio::time::sleep(Duration::from_millis(150)).await;
                        peak.lock().unwrap().0 -= 1;
                        html("<p>waited</p>")
                    }
                    p if p.starts_with("/hop/") => {
                        // Each hop answers in time, after a pause; together they take seconds.
                        let n: u32 = p["/hop/".len()..].parse().unwrap_or(0);
                        tokio::time::sleep(Duration::from_millis(400)).await;
                        redirect(&format!("/hop/{}", n + 1))
                    }
                    "/drip-head" => {
                        // Even the headers come a byte at a time.
                        for byte in b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 10\r\n\r\n" {
                            if socket.write_all(&[*byte]).await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        b"<p>late</p>".to_vec()
                    }
                    "/slow" => {
                        // Headers never come.
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        Vec::new()
                    }
                    _ => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
                };
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    fixture
}

fn fetcher(addr: SocketAddr, config: FetchConfig) -> Fetcher {
    Fetcher::new(Guard::new(AllowList::exact([addr])), config).unwrap()
}

fn url(addr: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://{addr}{path}")).unwrap()
}

#[tokio::test]
async fn pages_are_fetched_with_redirects_checked_and_the_app_named() {
    let Fixture { addr, agents, .. } = serve().await;
    let f = fetcher(addr, FetchConfig::default());
    let page = f.fetch(&url(addr, "/redirect")).await.unwrap();
    assert_eq!(page.url, url(addr, "/"));
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("We make anvils"));
    assert!(!page.truncated);
    assert!(agents.lock().unwrap().iter().all(|ua| ua == USER_AGENT));

    for (path, what) in [
        ("/to-private", "10.0.0.1"),
        ("/to-metadata", "169.254.169.254"),
    ] {
        let err = f.fetch(&url(addr, path)).await.unwrap_err();
        assert!(
            matches!(err, FetchError::Refused(Refusal::NotPublic { .. })),
            "{path}: {err}"
        );
        assert!(err.to_string().contains(what), "{err}");
    }
    let err = f.fetch(&url(addr, "/loop")).await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { max: 5, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn other_local_addresses_stay_refused_even_with_a_test_allow_list() {
    let Fixture { addr, .. } = serve().await;
    let f = fetcher(addr, FetchConfig::default());
    let other_port = Url::parse(&format!("http://127.0.0.1:{}/", addr.port() + 1)).unwrap();
    for target in [
        other_port,
        Url::parse("http://localhost/").unwrap(),
        Url::parse("http://[::1]/").unwrap(),
    ] {
        let err = f.fetch(&target).await.unwrap_err();
        assert!(matches!(err, FetchError::Refused(_)), "{target}: {err}");
    }
}

#[tokio::test]
async fn bodies_are_capped_even_when_compressed_and_non_html_is_skipped() {
    let Fixture { addr, .. } = serve().await;
    let f = fetcher(
        addr,
        FetchConfig {
            max_body: 256 * 1024,
            ..FetchConfig::default()
        },
    );
    let big = f.fetch(&url(addr, "/big")).await.unwrap();
    assert_eq!(big.body.len(), 256 * 1024);
    assert!(big.truncated);
    let bomb = f.fetch(&url(addr, "/bomb")).await.unwrap();
    assert_eq!(
        bomb.body.len(),
        256 * 1024,
        "decompressed bytes count against the cap"
    );
    assert!(bomb.truncated);
    let err = f.fetch(&url(addr, "/pdf")).await.unwrap_err();
    assert!(
        matches!(err, FetchError::NotHtml { ref content_type, .. } if content_type == "application/pdf"),
        "{err}"
    );
    assert!(err.to_string().contains("not a web page"));
}

#[tokio::test]
async fn busy_and_silent_servers_end_with_a_clear_transient_status() {
    let Fixture { addr, .. } = serve().await;
    let f = fetcher(
        addr,
        FetchConfig {
            timeout: Duration::from_millis(500),
            ..FetchConfig::default()
        },
    );
    let err = f.fetch(&url(addr, "/busy")).await.unwrap_err();
    assert_eq!(
        err,
        FetchError::Status {
            url: url(addr, "/busy").to_string(),
            status: 503,
            retry_after: Some(30)
        }
    );
    assert!(err.is_transient());
    let err = f.fetch(&url(addr, "/slow")).await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    assert!(err.is_transient());
    let err = f.fetch(&url(addr, "/missing")).await.unwrap_err();
    assert!(!err.is_transient());
}

#[tokio::test]
async fn robots_txt_is_obeyed_and_fetched_once_per_site() {
    let Fixture { addr, agents, .. } = serve().await;
    let f = fetcher(addr, FetchConfig::default());
    let err = f.fetch(&url(addr, "/private/team")).await.unwrap_err();
    assert!(matches!(err, FetchError::RobotsDisallowed { .. }), "{err}");
    assert!(err.to_string().contains("robots.txt"));
    assert!(!err.is_transient());
    f.fetch(&url(addr, "/private/ok")).await.unwrap();
    f.fetch(&url(addr, "/")).await.unwrap();
    // robots.txt once, then the two allowed pages: the disallowed one was never requested.
    assert_eq!(agents.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_dripping_body_and_a_rate_limit_end_in_time_with_a_transient_status() {
    let Fixture { addr, .. } = serve().await;
    let f = fetcher(
        addr,
        FetchConfig {
            timeout: Duration::from_millis(700),
            ..FetchConfig::default()
        },
    );
    // The total timeout covers the body: a server trickling bytes cannot hold a worker.
    let err = f.fetch(&url(addr, "/drip")).await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    let err = f.fetch(&url(addr, "/limited")).await.unwrap_err();
    assert_eq!(
        err,
        FetchError::Status {
            url: url(addr, "/limited").to_string(),
            status: 429,
            retry_after: Some(7)
        }
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_page_in_another_charset_than_its_header_says_reads_correctly() {
    let Fixture { addr, .. } = serve().await;
    let f = fetcher(addr, FetchConfig::default());
    let page = f.fetch(&url(addr, "/mislabelled")).await.unwrap();
    let html = decode(&page.body, &page.content_type);
    assert!(html.contains("Café \u{201c}Zur Mühle\u{201d}"), "{html}");
}

#[tokio::test]
async fn an_unchanged_page_is_not_downloaded_again() {
    let Fixture { addr, .. } = serve().await;
    let f = fetcher(addr, FetchConfig::default());
    let first = f.fetch(&url(addr, "/etag")).await.unwrap();
    let validators = Validators::of(&first);
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        validators.last_modified.as_deref(),
        Some("Tue, 24 Nov 2026 10:00:00 GMT")
    );
    let again = f
        .fetch_if_changed(&url(addr, "/etag"), &validators)
        .await
        .unwrap();
    assert_eq!(
        again,
        Fetched::NotModified {
            url: url(addr, "/etag")
        }
    );
    // Without validators the page comes whole.
    let fresh = f
        .fetch_if_changed(&url(addr, "/etag"), &Validators::default())
        .await
        .unwrap();
    assert!(matches!(fresh, Fetched::Page(ref p) if p.body == b"<p>v1</p>"));
}

#[tokio::test]
async fn requests_to_one_host_are_spaced_and_at_most_two_are_open() {
    let Fixture {
        addr,
        arrivals,
        peak,
        ..
    } = serve().await;
    let interval = Duration::from_millis(100);
    let f = fetcher(
        addr,
        FetchConfig {
            per_host_interval: interval,
            per_host_concurrency: 2,
            ..FetchConfig::default()
        },
    );
    let target = url(addr, "/wait");
    let pages = futures_util::future::join_all((0..5).map(|_| f.fetch(&target))).await;
    assert!(pages.iter().all(Result::is_ok));
    let mut starts: Vec<std::time::Instant> = arrivals
        .lock()
        .unwrap()
        .iter()
        .filter(|(path, _)| path == "/wait")
        .map(|(_, at)| *at)
        .collect();
    starts.sort();
    assert_eq!(starts.len(), 5);
    // Lower bounds only, with room for network jitter: unpaced, requests two at a time would
    // arrive together; a slow machine spaces them more, never less.
    for pair in starts.windows(2) {
        assert!(pair[1] - pair[0] >= interval / 2, "{:?}", pair[1] - pair[0]);
    }
    assert!(
        peak.lock().unwrap().1 <= 2,
        "at most two requests open at once"
    );
}

#[tokio::test]
async fn one_deadline_covers_a_whole_fetch_with_its_redirects() {
    let Fixture { addr, .. } = serve().await;
    // Every request is answered well within its own timeout; the fetch as a whole is not.
    let f = fetcher(
        addr,
        FetchConfig {
            timeout: Duration::from_secs(60),
            deadline: Duration::from_secs(1),
            ..FetchConfig::default()
        },
    );
    let bounded = Duration::from_secs(30);
    for path in ["/hop/0", "/drip-head"] {
        let err = tokio::time::timeout(bounded, f.fetch(&url(addr, path)))
            .await
            .unwrap_or_else(|_| panic!("{path} held the fetch past {bounded:?}"))
            .unwrap_err();
        assert_eq!(
            err,
            FetchError::Deadline {
                url: url(addr, path).to_string(),
                seconds: 1
            }
        );
        assert!(err.is_transient());
        assert!(err.to_string().contains("took longer than 1 s"), "{err}");
    }
}

/// How a tiny test server answers one path.
#[derive(Clone)]
enum Answer {
    Html(&'static str),
    /// An RSS feed.
    Rss(&'static str),
    Status(u16),
    /// Close the connection without a word.
    Hang,
    /// Headers, then a byte every 200 ms for ever.
    Drip,
    /// Never answer.
    Silence,
}

/// A server on 127.0.0.1 that answers by `route`, reached as `drip.example` (a pinned name, so
/// the crawl plan sees a registrable domain) through a fetcher with `config`; every path asked
/// for is sent to the receiver.
async fn tiny(
    route: fn(&str) -> Answer,
    config: FetchConfig,
) -> (Fetcher, Url, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tell, requested) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let tell = tell.clone();
            tokio::spawn(async move {
                let mut buf = vec![0; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let _ = tell.send(path.clone());
                let head = |status: u16, len: usize| {
                    format!("HTTP/1.1 {status} X\r\ncontent-type: text/html\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n")
                };
                match route(&path) {
                    Answer::Html(body) => {
                        let _ = socket.write_all(head(200, body.len()).as_bytes()).await;
                        let _ = socket.write_all(body.as_bytes()).await;
                    }
                    Answer::Rss(body) => {
                        let head =
                            head(200, body.len()).replace("text/html", "application/rss+xml");
                        let _ = socket.write_all(head.as_bytes()).await;
                        let _ = socket.write_all(body.as_bytes()).await;
                    }
                    Answer::Status(status) => {
                        let _ = socket.write_all(head(status, 0).as_bytes()).await;
                    }
                    Answer::Hang => return,
                    Answer::Drip => {
                        let _ = socket.write_all(head(200, 100_000).as_bytes()).await;
                        while socket.write_all(b"x").await.is_ok() {
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        return;
                    }
                    Answer::Silence => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    let fetcher = Fetcher::new(
        Guard::new(AllowList::none().resolve_as("drip.example", addr)),
        config,
    )
    .unwrap();
    let home = Url::parse(&format!("http://drip.example:{}/", addr.port())).unwrap();
    (fetcher, home, requested)
}

/// Time enough for anything but a site that never finishes.
fn patient() -> FetchConfig {
    FetchConfig {
        timeout: Duration::from_secs(60),
        deadline: Duration::from_secs(60),
        per_host_interval: Duration::from_millis(10),
        ..FetchConfig::default()
    }
}

const HOME: &str = "<html><head><title>Drip</title></head><body><main><h1>Drip Analytics</h1>\
    <p>Dashboards for warehouse teams.</p><a href=\"/about\">About</a> \
    <a href=\"/pricing\">Pricing</a></main></body></html>";

#[tokio::test]
async fn an_unreadable_robots_txt_is_reported_as_unreadable_not_as_a_refusal() {
    for (route, why) in [
        (
            (|p: &str| match p {
                "/robots.txt" => Answer::Status(503),
                _ => Answer::Html(HOME),
            }) as fn(&str) -> Answer,
            "it answered 503",
        ),
        (
            |p: &str| match p {
                "/robots.txt" => Answer::Hang,
                _ => Answer::Html(HOME),
            },
            "the connection failed",
        ),
    ] {
        let (f, home, _) = tiny(route, patient()).await;
        let err = f.fetch(&home).await.unwrap_err();
        assert_eq!(
            err,
            FetchError::RobotsUnreadable {
                url: home.to_string(),
                reason: why.into()
            }
        );
        let message = err.to_string();
        assert!(
            message.contains("robots.txt could not be read"),
            "{message}"
        );
        assert!(!message.contains("asks"), "{message}");
        // The run is told the truth, and tries again later.
        match step_error("drip.example", err) {
            StepError::Transient { message, .. } => {
                assert!(message.contains("could not be read"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
    // A robots.txt that never answers times out the same way.
    let (f, home, _) = tiny(
        |p| match p {
            "/robots.txt" => Answer::Silence,
            _ => Answer::Html(HOME),
        },
        FetchConfig {
            timeout: Duration::from_millis(300),
            ..patient()
        },
    )
    .await;
    let err = f.fetch(&home).await.unwrap_err();
    assert_eq!(
        err,
        FetchError::RobotsUnreadable {
            url: home.to_string(),
            reason: "it did not answer in time".into()
        }
    );
}

fn dripping_key_pages(path: &str) -> Answer {
    match path {
        "/" => Answer::Html(HOME),
        "/about" | "/pricing" => Answer::Drip,
        _ => Answer::Status(404),
    }
}

fn dripping_home(path: &str) -> Answer {
    match path {
        "/" => Answer::Drip,
        _ => Answer::Status(404),
    }
}

#[tokio::test]
async fn a_crawl_ends_at_its_deadline_with_the_pages_it_read() {
    let (f, home, _) = tiny(dripping_key_pages, patient()).await;
    let config = CrawlConfig {
        deadline: Duration::from_secs(2),
        ..CrawlConfig::default()
    };
    let cancel = CancellationToken::new();
    let done = tokio::time::timeout(
        Duration::from_secs(30),
        crawl(
            &f,
            &home,
            &config,
            &cancel,
            &[],
            &leadscout_domain::SystemClock,
        ),
    )
    .await
    .expect("the crawl outlived its deadline")
    .unwrap();
    assert_eq!(done.pages.len(), 1, "{:?}", done.skipped);
    let mut skipped: Vec<&str> = done.skipped.iter().map(|s| s.url.as_str()).collect();
    skipped.sort_unstable();
    assert_eq!(
        skipped,
        [
            home.join("/about").unwrap().as_str(),
            home.join("/pricing").unwrap().as_str()
        ]
    );
    assert!(done
        .skipped
        .iter()
        .all(|s| s.reason.contains("ran out of its 2 s")));

    // A homepage that drips fails the crawl at the deadline.
    let (f, home, _) = tiny(dripping_home, patient()).await;
    let err = tokio::time::timeout(
        Duration::from_secs(30),
        crawl(
            &f,
            &home,
            &config,
            &cancel,
            &[],
            &leadscout_domain::SystemClock,
        ),
    )
    .await
    .expect("the crawl outlived its deadline")
    .unwrap_err();
    assert!(matches!(err, FetchError::Deadline { .. }), "{err}");
}

#[tokio::test]
async fn cancel_ends_a_crawl_held_by_a_dripping_site() {
    let (f, home, mut requested) = tiny(dripping_key_pages, patient()).await;
    let config = CrawlConfig::default();
    let cancel = CancellationToken::new();
    let crawling = {
        let (f, home, cancel) = (std::sync::Arc::new(f), home.clone(), cancel.clone());
        tokio::spawn(async move {
            crawl(
                &f,
                &home,
                &config,
                &cancel,
                &[],
                &leadscout_domain::SystemClock,
            )
            .await
        })
    };
    // Cancel once a dripping page holds the crawl.
    while let Some(path) = requested.recv().await {
        if path == "/about" || path == "/pricing" {
            break;
        }
    }
    let cancelled = std::time::Instant::now();
    cancel.cancel();
    let done = tokio::time::timeout(Duration::from_secs(10), crawling)
        .await
        .expect("cancel did not end the crawl")
        .unwrap()
        .unwrap();
    let took = cancelled.elapsed();
    eprintln!("the crawl ended {took:?} after cancel");
    assert_eq!(done.pages.len(), 1);
    // Both deadlines are a minute or more away: only the cancel can have ended it.
    assert!(took < Duration::from_secs(10));

    // Cancelled while the homepage drips: the crawl fails as cancelled.
    let (f, home, mut requested) = tiny(dripping_home, patient()).await;
    let cancel = CancellationToken::new();
    let crawling = {
        let (f, home, cancel) = (std::sync::Arc::new(f), home.clone(), cancel.clone());
        tokio::spawn(async move {
            crawl(
                &f,
                &home,
                &CrawlConfig::default(),
                &cancel,
                &[],
                &leadscout_domain::SystemClock,
            )
            .await
        })
    };
    while let Some(path) = requested.recv().await {
        if path == "/" {
            break;
        }
    }
    cancel.cancel();
    let err = tokio::time::timeout(Duration::from_secs(10), crawling)
        .await
        .expect("cancel did not end the crawl")
        .unwrap()
        .unwrap_err();
    assert_eq!(
        err,
        FetchError::Cancelled {
            url: home.to_string()
        }
    );
    // The crawl stage stops as cancelled, not as failed.
    assert!(matches!(
        step_error("drip.example", err),
        StepError::Cancelled
    ));
}

const NEWS_HOME: &str = "<html><head><title>Drip</title>\
    <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\"></head>\
    <body><main><h1>Drip Analytics</h1><p>Dashboards for warehouse teams.</p></main></body></html>";

const FEED: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Drip news</title>\
    <item><title>Drip raises a Series A</title><link>/news/series-a</link>\
    <pubDate>Tue, 01 Oct 2024 09:30:00 GMT</pubDate></item>\
    <item><title>Undated note</title><link>/news/note</link></item></channel></rss>";

fn site_with_a_feed(path: &str) -> Answer {
    match path {
        "/" => Answer::Html(NEWS_HOME),
        "/feed.xml" => Answer::Rss(FEED),
        _ => Answer::Status(404),
    }
}

fn site_whose_robots_closes_the_feed(path: &str) -> Answer {
    match path {
        "/robots.txt" => Answer::Html("User-agent: *\nDisallow: /feed.xml\n"),
        other => site_with_a_feed(other),
    }
}

#[tokio::test]
async fn the_sites_own_feed_gives_dated_news_through_the_fetcher() {
    let (f, home, mut requested) = tiny(site_with_a_feed, patient()).await;
    let cancel = CancellationToken::new();
    let done = crawl(
        &f,
        &home,
        &CrawlConfig::default(),
        &cancel,
        &[],
        &leadscout_domain::SystemClock,
    )
    .await
    .unwrap();
    let news: Vec<(&str, Option<&str>, &str)> = done.pages[0]
        .signals
        .iter()
        .filter(|s| s.kind == leadscout_research::signals::SignalKind::News)
        .map(|s| (s.evidence.as_str(), s.value.as_deref(), s.url.as_str()))
        .collect();
    let entry = home.join("/news/series-a").unwrap();
    assert_eq!(
        news,
        [(
            "Drip raises a Series A",
            Some("2024-10-01T09:30:00Z"),
            entry.as_str()
        )]
    );
    let mut paths = Vec::new();
    while let Ok(p) = requested.try_recv() {
        paths.push(p);
    }
    assert!(paths.contains(&"/feed.xml".to_owned()), "{paths:?}");

    // robots.txt closes the feed: it is not asked for, and there is no news.
    let (f, home, mut requested) = tiny(site_whose_robots_closes_the_feed, patient()).await;
    let done = crawl(
        &f,
        &home,
        &CrawlConfig::default(),
        &cancel,
        &[],
        &leadscout_domain::SystemClock,
    )
    .await
    .unwrap();
    assert!(!done.pages[0]
        .signals
        .iter()
        .any(|s| s.kind == leadscout_research::signals::SignalKind::News));
    let mut paths = Vec::new();
    while let Ok(p) = requested.try_recv() {
        paths.push(p);
    }
    assert!(!paths.contains(&"/feed.xml".to_owned()), "{paths:?}");
}
