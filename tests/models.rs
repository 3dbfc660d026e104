//! Model discovery, local server detection and the settings page's test call, through the app's
//! commands, against model servers faked on 127.0.0.1 with the documented response shapes of
//! Ollama's `/api/tags` and `/api/chat` and an OpenAI-compatible `/v1/models` that refuses a key.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/mock_app.rs"]
mod mock_app;

use std::net::SocketAddr;

use leadscout_llm::discovery::{detect_local, EndpointKind};
use leadscout_llm::{build_http_client, Url};
use mock_app::App;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A fake Ollama on one port; `/v1/models` answers 401 as a server with a wrong key would.
async fn fake_ollama() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = vec![0; 65536];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (status, body) = match path.as_str() {
                    "/api/tags" => (
                        "200 OK",
                        json!({"models": [
                            {"name": "qwen2.5:7b", "model": "qwen2.5:7b", "size": 4683087332u64},
                            {"name": "llama3.2:3b", "model": "llama3.2:3b", "size": 2019393189u64}
                        ]}),
                    ),
                    "/api/chat" => (
                        "200 OK",
                        json!({
                            "model": "llama3.2:3b",
                            "created_at": "2026-11-29T10:00:00.000000Z",
                            "message": {"role": "assistant", "content": "{\"ok\": true, \"word\": \"leadscout\"}"},
                            "done": true,
                            "done_reason": "stop",
                            "total_duration": 412000000u64,
                            "prompt_eval_count": 41,
                            "eval_count": 12
                        }),
                    ),
                    "/v1/models" => (
                        "401 Unauthorized",
                        json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}),
                    ),
                    _ => ("404 Not Found", json!({"error": "not found"})),
                };
                let body = body.to_string();
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    addr
}

#[test]
fn models_are_listed_detected_and_tested_through_the_commands() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr = runtime.block_on(fake_ollama());
    let base = format!("http://{addr}");
    let app = App::start();

    let models = app.ok(
        "discover_models",
        json!({ "provider": "ollama", "baseUrl": base }),
    );
    assert_eq!(models, json!(["llama3.2:3b", "qwen2.5:7b"]));

    let test = app.ok(
        "test_model",
        json!({ "provider": "ollama", "baseUrl": base, "model": "llama3.2:3b" }),
    );
    assert_eq!(test["model"], "llama3.2:3b");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(test["answer"].as_str().unwrap()).unwrap(),
        json!({ "ok": true, "word": "leadscout" })
    );
    assert_eq!(test["tokensIn"], 41);
    assert_eq!(test["tokensOut"], 12);

    // Refusals say what to do.
    let no_model = app.err(
        "test_model",
        json!({ "provider": "ollama", "baseUrl": base, "model": " " }),
    );
    assert_eq!(no_model["field"], "model");
    let bad_url = app.err(
        "discover_models",
        json!({ "provider": "ollama", "baseUrl": "not a url" }),
    );
    assert_eq!(bad_url["field"], "baseUrl");
    let refused = app.err(
        "discover_models",
        json!({ "provider": "openai_compatible", "baseUrl": format!("{base}/v1") }),
    );
    assert_eq!(refused["code"], "provider");
    assert!(
        refused["message"].as_str().unwrap().contains("401"),
        "{refused}"
    );
    let closed = app.err(
        "discover_models",
        json!({ "provider": "ollama", "baseUrl": "http://127.0.0.1:9" }),
    );
    assert_eq!(closed["code"], "provider");
    assert!(closed["message"]
        .as_str()
        .unwrap()
        .starts_with("Could not reach"));

    // Detection finds the running server and skips the silent one.
    let http = build_http_client().unwrap();
    let found = runtime.block_on(detect_local(
        &http,
        &[
            (EndpointKind::Ollama, Url::parse(&base).unwrap()),
            (
                EndpointKind::OpenAiCompatible,
                Url::parse("http://127.0.0.1:9/v1").unwrap(),
            ),
        ],
    ));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, EndpointKind::Ollama);
    assert_eq!(found[0].models, ["llama3.2:3b", "qwen2.5:7b"]);

    // Settings hold the choice, the profile and the caps, and refuse bad values by field.
    let mut settings = app.ok("get_settings", json!({}));
    settings["model"] = json!({ "provider": "ollama", "baseUrl": base, "model": "llama3.2:3b" });
    settings["profile"] = json!({ "company": "Forge & Co", "offering": "Anvil insurance", "idealCustomer": "Workshops of 10-50 people" });
    settings["budget"] = json!({ "perLeadCents": 25, "perDayCents": 500 });
    settings["onboarded"] = json!(true);
    app.ok("update_settings", json!({ "settings": settings }));
    let saved = app.ok("get_settings", json!({}));
    assert_eq!(saved["model"]["model"], "llama3.2:3b");
    assert_eq!(
        saved["profile"]["idealCustomer"],
        "Workshops of 10-50 people"
    );
    assert_eq!(saved["budget"]["perDayCents"], 500);
    assert_eq!(saved["onboarded"], true);
    let mut bad = saved.clone();
    bad["model"]["provider"] = json!("skynet");
    assert_eq!(
        app.err("update_settings", json!({ "settings": bad }))["field"],
        "provider"
    );
}
