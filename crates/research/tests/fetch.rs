//! The fetcher against a real HTTP server on 127.0.0.1. The SSRF guard stays on: only the
//! fixture server's exact address is allowed, so every other local address is still refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use leadscout_research::{AllowList, FetchConfig, FetchError, Fetcher, Guard, Refusal, USER_AGENT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
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

/// Serves the fixture routes until the test ends; records each request's user agent.
async fn serve() -> (SocketAddr, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let agents = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = agents.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = vec![0; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                if let Some(ua) = request.lines().find_map(|l| l.strip_prefix("user-agent: ")) {
                    seen.lock().unwrap().push(ua.to_owned());
                }
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
    (addr, agents)
}

fn fetcher(addr: SocketAddr, config: FetchConfig) -> Fetcher {
    Fetcher::new(Guard::new(AllowList::exact([addr])), config).unwrap()
}

fn url(addr: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://{addr}{path}")).unwrap()
}

#[tokio::test]
async fn pages_are_fetched_with_redirects_checked_and_the_app_named() {
    let (addr, agents) = serve().await;
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
    let (addr, _) = serve().await;
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
    let (addr, _) = serve().await;
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
    let (addr, _) = serve().await;
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
    let (addr, agents) = serve().await;
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
