//! API keys in a real keychain: gnome-keyring's Secret Service on a private D-Bus session. A key
//! set through the app's commands lands in the keychain and nowhere else (not in the database
//! file or its WAL, a backup, an export, the logs or any IPC answer, even when the provider
//! refuses the key and repeats it); without a keychain nothing is stored and the user is told
//! why.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dbus.rs"]
mod dbus;
#[path = "support/mock_app.rs"]
mod mock_app;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leadscout_llm::keys::{Keychain, KeychainError, OsKeychain};
use leadscout_llm::ApiKey;
use mock_app::App;
use serde_json::json;

/// A key no real provider would issue, so finding it anywhere is a leak.
const CANARY: &str = "sk-canary-7f3c9e1a-LEADSCOUT-DO-NOT-LEAK";

/// gnome-keyring's secrets component on the given bus, unlocked, with its files in `home`.
struct GnomeKeyring(Child);

impl GnomeKeyring {
    fn start(bus: &str, home: &std::path::Path) -> GnomeKeyring {
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let mut child = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .env("HOME", home)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_DATA_HOME", home.join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring is installed by `make test`");
        // The login keyring's password, read once from stdin.
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"leadscout-test-password").unwrap();
        drop(stdin);
        GnomeKeyring(child)
    }
}

impl Drop for GnomeKeyring {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until the Secret Service answers on the bus.
async fn wait_for_secrets(bus: &str) {
    let connection = zbus::connection::Builder::address(bus)
        .build()
        .await
        .unwrap();
    let proxy = zbus::fdo::DBusProxy::new(&connection).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let name = zbus::names::BusName::try_from("org.freedesktop.secrets").unwrap();
        if proxy.name_has_owner(name).await.unwrap_or(false) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the Secret Service never appeared"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Everything the process logs, for the leak check.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// An OpenAI-compatible server that refuses every key with OpenAI's documented 401 body, except
/// that it repeats the whole key it was sent (OpenAI shows only its ends): the worst a provider
/// can do. It records the keys it was sent.
struct RejectingProvider {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl RejectingProvider {
    fn start() -> RejectingProvider {
        use std::io::{BufRead, BufReader, Read};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (mut length, mut key) = (0usize, String::new());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let (name, value) = line.split_once(':').unwrap_or((&line, ""));
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().unwrap_or(0),
                        "authorization" => {
                            key = value.trim().trim_start_matches("Bearer ").to_owned();
                        }
                        _ => {}
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                record.lock().unwrap().push(key.clone());
                let answer = json!({"error": {
                    "message": format!("Incorrect API key provided: {key}. You can find your API key at https://platform.openai.com/account/api-keys."),
                    "type": "invalid_request_error",
                    "param": null,
                    "code": "invalid_api_key"
                }})
                .to_string();
                let response = format!(
                    "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        RejectingProvider { addr, seen }
    }

    fn keys_seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

// One test function: the bus address is process-wide environment.
#[test]
fn keys_round_trip_through_a_real_keychain_and_never_leak() {
    let logs = Captured::default();
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();

    let home = tempfile::tempdir().unwrap();
    let bus = dbus::Bus::start();
    let _keyring = GnomeKeyring::start(&bus.address, home.path());
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    tauri::async_runtime::block_on(wait_for_secrets(&bus.address));

    // The keychain itself.
    let chain = OsKeychain;
    chain
        .set("leadscout-test", &ApiKey::new("sk-round-trip"))
        .unwrap();
    assert_eq!(
        chain.get("leadscout-test").unwrap(),
        Some(ApiKey::new("sk-round-trip"))
    );
    assert!(chain.delete("leadscout-test").unwrap());
    assert_eq!(chain.get("leadscout-test").unwrap(), None);
    assert!(!chain.delete("leadscout-test").unwrap());

    // Through the app: the UI sets a key and learns only that it is set.
    let app = App::start();
    let before = app.ok("api_keys", json!({}));
    assert!(before
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["setAt"].is_null()));
    let refused = app.err(
        "set_api_key",
        json!({ "provider": "openai", "key": "sk bad key" }),
    );
    assert_eq!(refused["field"], "key");
    let saved = app.ok(
        "set_api_key",
        json!({ "provider": "openai", "key": CANARY }),
    );
    assert_eq!(saved["provider"], "openai");
    assert!(saved["setAt"].is_number());
    let listed = app.ok("api_keys", json!({}));
    let mut answers = vec![refused.to_string(), saved.to_string(), listed.to_string()];
    assert_eq!(chain.get("openai").unwrap(), Some(ApiKey::new(CANARY)));

    // The provider refuses the key: the message says so without repeating it, even though
    // this provider echoes the whole key back.
    let provider = RejectingProvider::start();
    let base = format!("http://{}/v1", provider.addr);
    let rejected = app.err(
        "test_model",
        json!({ "provider": "openai", "baseUrl": base, "model": "gpt-4o-mini" }),
    );
    assert_eq!(rejected["code"], "provider", "{rejected}");
    let message = rejected["message"].as_str().unwrap();
    assert!(message.contains("rejected the API key"), "{message}");
    assert!(message.contains("Incorrect API key provided"), "{message}");
    let listing = app.err(
        "discover_models",
        json!({ "provider": "openai", "baseUrl": base }),
    );
    answers.extend([rejected.to_string(), listing.to_string()]);
    let seen = provider.keys_seen();
    assert_eq!(seen.len(), 2, "both calls reached the provider");
    assert!(seen.iter().all(|k| k == CANARY), "both carried the key");

    // A lead to export, then a backup and every export format.
    app.ok(
        "create_lead",
        json!({ "input": { "fullName": "Ada Lovelace", "email": "ada@ae.example",
                           "companyName": "Analytical Engines", "website": "ae.example",
                           "stageId": null } }),
    );
    let out = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    let backup = out.path().join("backup.sqlite3");
    app.dialogs.choose(&backup);
    answers.push(app.ok("backup_database", json!({})).to_string());
    written.push(backup);
    for format in ["csv", "csvExcel", "json", "vcard"] {
        let path = out.path().join(format!("leads.{format}"));
        app.dialogs.choose(&path);
        let answer = app.ok("export_leads", json!({ "format": format }));
        assert!(answer["leads"].as_u64().unwrap() >= 1, "{answer}");
        answers.push(answer.to_string());
        written.push(path);
    }
    for path in &written {
        let bytes = std::fs::read(path).unwrap();
        assert!(!bytes.is_empty(), "{} was written", path.display());
        assert!(
            !contains(&bytes, CANARY),
            "the key is in {}",
            path.display()
        );
    }

    // No key in the database files (the database, its WAL and shared-memory files while the
    // app runs), the logs or any answer.
    let data = app.dir.path().join("data");
    let mut database_files = 0;
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        database_files += usize::from(name.contains(".sqlite3"));
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(
            !contains(&bytes, CANARY),
            "the key is in {}",
            path.display()
        );
    }
    assert!(database_files >= 2, "the database and its WAL were checked");

    let deleted = app.ok("delete_api_key", json!({ "provider": "openai" }));
    assert!(deleted["setAt"].is_null());
    answers.push(deleted.to_string());
    assert_eq!(chain.get("openai").unwrap(), None);

    // No keychain at all: a clear refusal, nothing stored anywhere.
    drop(_keyring);
    drop(bus);
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/leadscout-test-bus",
    );
    assert!(matches!(
        OsKeychain.set("openai", &ApiKey::new(CANARY)),
        Err(KeychainError::Unavailable(_))
    ));
    let refused = app.err(
        "set_api_key",
        json!({ "provider": "openai", "key": CANARY }),
    );
    assert_eq!(refused["code"], "keychain");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("No system keychain"), "{message}");
    answers.push(refused.to_string());
    let after = app.ok("api_keys", json!({}));
    assert!(after
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["setAt"].is_null()));

    for answer in &answers {
        assert!(
            !answer.contains(CANARY),
            "an IPC answer holds the key: {answer}"
        );
    }
    let logged = logs.0.lock().unwrap().clone();
    assert!(!logged.is_empty(), "the log capture works");
    assert!(!contains(&logged, CANARY), "the key reached the log");
}
