//! Model discovery, local server detection and the settings page's Test button, through the
//! app's commands, against model servers faked on 127.0.0.1 with the documented response shapes
//! of Ollama's `/api/tags`, `/api/chat` (streamed) and `/api/show`, an OpenAI-compatible
//! `/v1/models` that refuses a key, and llama.cpp's streamed `/v1/chat/completions` and `/props`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mock_app;

use std::net::SocketAddr;

use leadscout_domain::ModelProvider;
use leadscout_llm::discovery::detect_local;
use leadscout_llm::{build_http_client, Url};
use mock_app::App;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Reads one request whole (headers, then the body to its length) and returns its path. A
/// server that answered before reading the body and closed would reset the connection.
async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16384];
    let end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = socket.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return String::new();
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut read = buffer.len() - end - 4;
    while read < length {
        let n = socket.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        read += n;
    }
    head.split_whitespace().nth(1).unwrap_or("/").to_owned()
}

/// A valid footprint answer for the Test button's built-in page, quoting it word for word.
fn footprint_answer() -> serde_json::Value {
    json!({"facts": [
        {"id": "F1", "field": "what_they_do", "value": "precision steel fittings",
         "quote": "Northwind Forge makes precision steel fittings for industrial pumps and valves.",
         "source_id": "S1", "confidence": "high"},
        {"id": "F2", "field": "size_band", "value": "140 people",
         "quote": "Northwind Forge employs 140 people across two plants in Sheffield and Rotherham.",
         "source_id": "S1", "confidence": "high"}
    ]})
}

/// A fake llama.cpp server running a model file without a chat template: `/props` reports the
/// ChatML fallback, and every answer streams to the output limit.
async fn fake_llama_cpp() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let path = read_request(&mut socket).await;
                let (kind, body) = match path.as_str() {
                    "/props" => ("application/json", json!({
                        "default_generation_settings": {"n_ctx": 8192},
                        "total_slots": 1,
                        "model_path": "/models/gemma-3-270m-q4_k_m.gguf",
                        "chat_template": "{%- for message in messages -%}\n  {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' -}}\n{%- endfor -%}\n{%- if add_generation_prompt -%}\n  {{- '<|im_start|>assistant\n' -}}\n{%- endif -%}",
                        "bos_token": "<bos>",
                        "eos_token": "<eos>",
                        "build_info": "b6700-abc"
                    }).to_string()),
                    "/v1/chat/completions" => {
                        let chunk = |delta: serde_json::Value, finish: Option<&str>| json!({"choices": [{"finish_reason": finish, "index": 0, "delta": delta}], "created": 1764672000, "id": "chatcmpl-x", "model": "gemma-3-270m", "object": "chat.completion.chunk"});
                        let events = [
                            chunk(json!({"role": "assistant", "content": null}), None),
                            chunk(json!({"content": "{\"facts\": [{\"id\": \"F1\", \"field\": \"industry\", \"value\": \"unknown\""}), None),
                            chunk(json!({}), Some("length")),
                            json!({"choices": [], "created": 1764672000, "id": "chatcmpl-x", "model": "gemma-3-270m", "object": "chat.completion.chunk", "usage": {"completion_tokens": 1500, "prompt_tokens": 640, "total_tokens": 2140}}),
                        ];
                        let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
                        body.push_str("data: [DONE]\n\n");
                        ("text/event-stream", body)
                    }
                    _ => ("application/json", json!({"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}}).to_string()),
                };
                let status = if path == "/props" || path == "/v1/chat/completions" {
                    "200 OK"
                } else {
                    "404 Not Found"
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    addr
}

/// A fake Ollama on one port; `/v1/models` answers 401 as a server with a wrong key would.
async fn fake_ollama() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let path = read_request(&mut socket).await;
                let (status, body) = match path.as_str() {
                    "/api/tags" => (
                        "200 OK",
                        json!({"models": [
                            {"name": "qwen2.5:7b", "model": "qwen2.5:7b", "size": 4683087332u64},
                            {"name": "llama3.2:3b", "model": "llama3.2:3b", "size": 2019393189u64}
                        ]}),
                    ),
                    "/api/chat" => {
                        // Streamed, as Ollama answers `"stream": true`: one object a line.
                        let answer = footprint_answer().to_string();
                        let (head, tail) = answer.split_at(answer.len() / 2);
                        let line = |content: &str| json!({"model": "llama3.2:3b", "created_at": "2026-11-29T10:00:00.000000Z", "message": {"role": "assistant", "content": content}, "done": false});
                        let body = format!(
                            "{}\n{}\n{}\n",
                            line(head),
                            line(tail),
                            json!({"model": "llama3.2:3b", "created_at": "2026-11-29T10:00:01.000000Z", "message": {"role": "assistant", "content": ""}, "done": true, "done_reason": "stop", "total_duration": 4120000000u64, "prompt_eval_count": 612, "eval_count": 148})
                        );
                        let response = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = socket.write_all(response.as_bytes()).await;
                        return;
                    }
                    "/api/show" => (
                        "200 OK",
                        json!({
                            "modelfile": "# Modelfile generated by \"ollama show\"\nFROM /models/blobs/sha256-abc\n",
                            "parameters": "stop \"<|eot_id|>\"",
                            "template": "{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{- end }}",
                            "details": {"format": "gguf", "family": "llama", "parameter_size": "3.2B", "quantization_level": "Q4_K_M"},
                            "modified_at": "2026-11-29T10:00:00Z"
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
    assert_eq!(test["verdict"], "valid", "{test}");
    assert_eq!(test["model"], "llama3.2:3b");
    assert_eq!(
        (test["facts"].as_u64(), test["verified"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(
        test["summary"]
            .as_str()
            .unwrap()
            .contains("can do research"),
        "{test}"
    );
    assert!(test["templateWarning"].is_null(), "{test}");
    assert_eq!(test["tokensIn"], 612);
    assert_eq!(test["tokensOut"], 148);

    // A model that writes to the output limit, on a server without its chat template.
    let llama = runtime.block_on(fake_llama_cpp());
    let cut = app.ok(
        "test_model",
        json!({ "provider": "openai_compatible", "baseUrl": format!("http://{llama}/v1"), "model": "gemma-3-270m",
                "timeouts": { "totalSeconds": 180, "silenceSeconds": 30 } }),
    );
    assert_eq!(cut["verdict"], "cut_off", "{cut}");
    assert!(
        cut["summary"].as_str().unwrap().contains("output limit"),
        "{cut}"
    );
    assert_eq!(cut["tokensOut"], 3000, "both tries are counted: {cut}");
    assert!(
        cut["templateWarning"]
            .as_str()
            .unwrap()
            .contains("no chat template"),
        "{cut}"
    );
    let bad_deadline = app.err(
        "test_model",
        json!({ "provider": "ollama", "baseUrl": base, "model": "llama3.2:3b",
                "timeouts": { "totalSeconds": 180, "silenceSeconds": 2 } }),
    );
    assert_eq!(bad_deadline["field"], "silenceSeconds");

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
            (ModelProvider::Ollama, Url::parse(&base).unwrap()),
            (
                ModelProvider::OpenAiCompatible,
                Url::parse("http://127.0.0.1:9/v1").unwrap(),
            ),
        ],
    ));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, ModelProvider::Ollama);
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
    assert_eq!(
        saved["timeouts"],
        json!({ "totalSeconds": 180, "silenceSeconds": 120 })
    );
    let mut slower = saved.clone();
    slower["timeouts"]["silenceSeconds"] = json!(600);
    app.ok("update_settings", json!({ "settings": slower }));
    assert_eq!(
        app.ok("get_settings", json!({}))["timeouts"]["silenceSeconds"],
        600
    );
    let mut bad = saved.clone();
    bad["timeouts"]["totalSeconds"] = json!(0);
    assert_eq!(
        app.err("update_settings", json!({ "settings": bad }))["field"],
        "totalSeconds"
    );
    // An unknown provider does not reach the command: the settings type names every provider,
    // and the refusal names the one it does not know. Nothing is saved.
    let mut bad = saved.clone();
    bad["model"]["provider"] = json!("skynet");
    let refused = app.err("update_settings", json!({ "settings": bad }));
    assert!(
        refused.to_string().contains("unknown variant `skynet`"),
        "{refused}"
    );
    assert_eq!(app.ok("get_settings", json!({}))["model"], saved["model"]);
}
