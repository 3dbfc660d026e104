//! Fixture company websites served on 127.0.0.1: a folder per site, ETags so unchanged pages
//! can be answered 304, and a record of every requested path with the status it got.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The fixture site `site` (a folder of the research crate's `tests/fixtures/sites`).
pub fn fixtures(site: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../research/tests/fixtures/sites")
        .join(site)
}

/// Serves a fixture folder as a website, with ETags so unchanged pages can be answered 304;
/// records every requested path and the status it got.
pub async fn serve(root: PathBuf) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(Mutex::new(Vec::new()));
    let seen = hits.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let seen = seen.clone();
            let root = root.clone();
            tokio::spawn(async move {
                let mut buf = vec![0; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let header = |name: &str| {
                    request.lines().find_map(|l| {
                        let (n, v) = l.split_once(':')?;
                        n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                    })
                };
                let file = match path.as_str() {
                    "/" => root.join("index.html"),
                    "/robots.txt" | "/sitemap.xml" => root.join(path.trim_start_matches('/')),
                    other => root.join(format!("{}.html", other.trim_start_matches('/'))),
                };
                let (status, response) = match std::fs::read(&file) {
                    Ok(mut body) => {
                        let kind = match path.as_str() {
                            "/robots.txt" => "text/plain",
                            "/sitemap.xml" => "application/xml",
                            _ => "text/html; charset=utf-8",
                        };
                        if path == "/sitemap.xml" {
                            // Absolute addresses on this server.
                            let host = header("host").unwrap_or_default();
                            body = String::from_utf8_lossy(&body)
                                .replace("http://acme.example/", &format!("http://{host}/"))
                                .into_bytes();
                        }
                        let hash = body
                            .iter()
                            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(*b)));
                        let etag = format!("\"{hash:x}\"");
                        if header("if-none-match").as_deref() == Some(etag.as_str()) {
                            let head = format!(
                                "HTTP/1.1 304 Not Modified\r\netag: {etag}\r\nconnection: close\r\n\r\n"
                            );
                            (304, head.into_bytes())
                        } else {
                            let mut r = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\ncontent-length: {}\r\netag: {etag}\r\nserver: cloudflare\r\nconnection: close\r\n\r\n",
                                body.len()
                            )
                            .into_bytes();
                            r.extend_from_slice(&body);
                            (200, r)
                        }
                    }
                    Err(_) => (
                        404,
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                            .to_vec(),
                    ),
                };
                seen.lock().unwrap().push(format!("{status} {path}"));
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (addr, hits)
}
