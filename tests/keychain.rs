//! API keys in a real keychain: gnome-keyring's Secret Service on a private D-Bus session. A key
//! set through the app's commands lands in the keychain and nowhere else (not in the database
//! file or its WAL, a backup, an export, the logs or any IPC answer), it is never sent to an
//! address on plain http, however that address reached the settings; without a keychain
//! nothing is stored and the user is told why.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mock_app;

use std::io::Write;
use std::sync::{Arc, Mutex};

use leadscout_domain::{ModelSettings, Timestamp};
use leadscout_llm::keys::{Keychain, KeychainError, OsKeychain};
use leadscout_llm::{build_http_client, ApiKey};
use leadscout_research::model::{KeychainModels, ModelChoice, Models};
use leadscout_store::{Store, DATABASE_FILE};
use leadscout_testkit::dbus::{self, wait_for_secrets, GnomeKeyring};
use leadscout_workflow::StepError;
use mock_app::App;
use serde_json::json;

/// A key no real provider would issue, so finding it anywhere is a leak.
const CANARY: &str = "sk-canary-7f3c9e1a-LEADSCOUT-DO-NOT-LEAK";

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

// One test function: the bus address is process-wide environment.
#[test]
fn keys_round_trip_through_a_real_keychain_and_never_leak() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let logs = Captured::default();
    let sink = logs.clone();
    // Everything also goes to the log file the app writes in its data folder, the file a user
    // hands over.
    let app_dir = tempfile::tempdir().unwrap();
    let data_dir = app_dir.path().join("data");
    let log_file = leadscout_app::logs::LogFile::open(&data_dir).unwrap();
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || sink.clone()),
        )
        .with(leadscout_app::logs::file_layer(log_file))
        .with(tracing_subscriber::filter::LevelFilter::TRACE)
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
    let app = App::start_in(app_dir);
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

    // A key goes only to its provider, over https. An address on plain http (here a listener
    // on 127.0.0.1) is refused before any connection, whether the UI sends it, Settings are
    // saved with it, or the settings row is written around the app (by a restored backup's
    // trigger, say) and research reads it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let tested = app.err(
        "test_model",
        json!({ "provider": "openai", "baseUrl": base, "model": "gpt-4o-mini" }),
    );
    let listed = app.err(
        "discover_models",
        json!({ "provider": "openai", "baseUrl": base }),
    );
    let mut settings = app.ok("get_settings", json!({}));
    settings["model"] = json!({ "provider": "openai", "baseUrl": base, "model": "gpt-4o-mini" });
    let saved_refused = app.err("update_settings", json!({ "settings": settings }));
    for refused in [&tested, &listed, &saved_refused] {
        assert_eq!(refused["code"], "validation", "{refused}");
        assert_eq!(refused["field"], "baseUrl", "{refused}");
        let message = refused["message"].as_str().unwrap();
        assert!(
            message.contains("Leadscout sends your OpenAI key only over https"),
            "{message}"
        );
        assert!(message.contains("https://api.openai.com/v1"), "{message}");
    }
    let research_refused = tauri::async_runtime::block_on(async {
        let store = Store::open(&app.dir.path().join("data").join(DATABASE_FILE))
            .await
            .unwrap();
        let mut stored = store.settings().await.unwrap();
        stored.model = ModelSettings {
            provider: Some(leadscout_domain::ModelProvider::OpenAi),
            base_url: Some(base.clone()),
            model: Some("gpt-4o-mini".into()),
        };
        store
            .save_settings(&stored, Timestamp::now())
            .await
            .unwrap();
        let read = store.settings().await.unwrap().model;
        store.close().await;
        let choice = ModelChoice {
            provider: read.provider.unwrap(),
            base_url: read.base_url,
            model: read.model.unwrap(),
            timeouts: Default::default(),
        };
        KeychainModels::new(Arc::new(OsKeychain), build_http_client().unwrap())
            .connect(&choice)
            .await
            .err()
            .expect("research refuses the stored address")
    });
    assert!(
        matches!(research_refused, StepError::Permanent { .. }),
        "{research_refused:?}"
    );
    assert!(
        research_refused.to_string().contains("only over https"),
        "{research_refused}"
    );
    listener.set_nonblocking(true).unwrap();
    let accepted = listener.accept();
    assert!(
        matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the app connected to the plain-http address: {accepted:?}"
    );
    answers.extend([
        tested.to_string(),
        listed.to_string(),
        saved_refused.to_string(),
        research_refused.to_string(),
    ]);

    // A custom https endpoint the user saves in Settings is remembered beside the key, and
    // research uses it; one that reached the settings row some other way gets nothing.
    let gateway = "https://llm-gateway.example.com/v1";
    let mut settings = app.ok("get_settings", json!({}));
    settings["model"] = json!({ "provider": "openai", "baseUrl": gateway, "model": "gpt-4o-mini" });
    let saved = app.ok("update_settings", json!({ "settings": settings }));
    assert_eq!(saved["model"]["baseUrl"], gateway);
    let connect = |base_url: &str| {
        let choice = ModelChoice {
            provider: leadscout_domain::ModelProvider::OpenAi,
            base_url: Some(base_url.into()),
            model: "gpt-4o-mini".into(),
            timeouts: Default::default(),
        };
        tauri::async_runtime::block_on(
            KeychainModels::new(Arc::new(OsKeychain), build_http_client().unwrap())
                .connect(&choice),
        )
    };
    assert!(connect(gateway).is_ok(), "the saved address gets the key");
    let foreign = connect("https://attacker.example/v1")
        .err()
        .expect("an address not saved in Settings gets no key");
    let message = foreign.to_string();
    assert!(message.contains("was not saved in Settings"), "{message}");
    answers.push(message);
    settings["model"]["baseUrl"] = json!(null);
    app.ok("update_settings", json!({ "settings": settings }));
    let cleared = connect(gateway)
        .err()
        .expect("a cleared address is forgotten");
    assert!(cleared.to_string().contains("was not saved in Settings"));

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
    let logs_dir = leadscout_app::logs::logs_dir(&data);
    let mut log_files = 0;
    for entry in std::fs::read_dir(&logs_dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.is_empty(), "{} holds the log", path.display());
        assert!(
            !contains(&bytes, CANARY),
            "the key is in the log file {}",
            path.display()
        );
        log_files += 1;
    }
    assert!(log_files >= 1, "the log file was written");
}
