//! How research's clients treat local model servers, against servers on 127.0.0.1 that answer
//! the way llama.cpp's server and Ollama document: the full schema for grammar servers,
//! streamed answers that time out on silence rather than total time, one shorter retry after a
//! cut-off answer, and the chat-template check of the settings page's Test button.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use leadscout_domain::ModelProvider;
use leadscout_llm::discovery::{chat_template, client_for_with, ChatTemplate, Endpoint};
use leadscout_llm::{
    build_http_client, ApiKey, CallTimeouts, ErrorKind, Limits, LlmClient, LlmError, OpenAiClient,
    OpenAiConfig, OutputSchema, StructuredRequest, Url, CUT_OFF_REPAIR,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One scripted answer: a status line's code, a content type, and body parts written one after
/// another with `pause` between them; with `then_hold` the connection then stays open, silent.
#[derive(Clone)]
struct Script {
    status: u16,
    content_type: &'static str,
    parts: Vec<String>,
    pause: Duration,
    then_hold: bool,
}

impl Script {
    fn json(status: u16, body: Value) -> Script {
        Script {
            status,
            content_type: "application/json",
            parts: vec![body.to_string()],
            pause: Duration::ZERO,
            then_hold: false,
        }
    }

    /// Server-sent events as llama.cpp's server streams a chat completion.
    fn sse(events: &[Value], pause: Duration) -> Script {
        let mut parts: Vec<String> = events.iter().map(|e| format!("data: {e}\n\n")).collect();
        parts.push("data: [DONE]\n\n".into());
        Script {
            status: 200,
            content_type: "text/event-stream",
            parts,
            pause,
            then_hold: false,
        }
    }
}

/// A server that answers each request with the next script (the last repeats) and records
/// each request's path and JSON body.
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<(String, Value)>>>,
}

impl Server {
    async fn start(scripts: Vec<Script>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        tokio::spawn(async move {
            let mut served = 0usize;
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let script = scripts[served.min(scripts.len() - 1)].clone();
                served += 1;
                let record = Arc::clone(&record);
                tokio::spawn(async move {
                    let _ = answer(stream, script, record).await;
                });
            }
        });
        Server { base, seen }
    }

    fn requests(&self) -> Vec<(String, Value)> {
        self.seen.lock().unwrap().clone()
    }
}

async fn answer(
    mut stream: TcpStream,
    script: Script,
    record: Arc<Mutex<Vec<(String, Value)>>>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16384];
    let end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = buffer[end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    record.lock().unwrap().push((path, json));
    // Chunked, so each part goes out as soon as it is written, like a real stream.
    let head = format!(
        "HTTP/1.1 {} X\r\ncontent-type: {}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        script.status, script.content_type
    );
    stream.write_all(head.as_bytes()).await?;
    for (i, part) in script.parts.iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(script.pause).await;
        }
        stream
            .write_all(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes())
            .await?;
        stream.flush().await?;
    }
    if script.then_hold {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    stream.write_all(b"0\r\n\r\n").await?;
    stream.shutdown().await
}

fn facts_schema() -> OutputSchema {
    OutputSchema::new(
        "facts",
        json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "required": ["facts"],
            "additionalProperties": false,
            "properties": {"facts": {
                "type": "array", "maxItems": 3,
                "items": {"type": "string", "maxLength": 40}
            }}
        }),
    )
    .unwrap()
}

fn request(timeout: Duration) -> StructuredRequest {
    StructuredRequest::new(facts_schema())
        .system("List facts.")
        .user("About Acme.")
        .limits(Limits {
            max_output_tokens: 64,
            timeout,
            temperature: Some(0.0),
        })
}

fn endpoint(kind: ModelProvider, base: &str) -> Endpoint {
    Endpoint {
        kind,
        base_url: Some(Url::parse(base).unwrap()),
        api_key: None,
    }
}

fn timeouts(silence: Duration) -> CallTimeouts {
    CallTimeouts {
        total: Duration::from_secs(60),
        silence,
    }
}

/// A streamed chat completion in llama.cpp's shape: role, content pieces, the finish reason,
/// then usage and timings in the last chunk.
fn llama_stream(pieces: &[&str], finish: &str, completion_tokens: u64) -> Vec<Value> {
    let chunk = |delta: Value, finish: Option<&str>| {
        json!({"choices": [{"finish_reason": finish, "index": 0, "delta": delta}],
               "created": 1764672000, "id": "chatcmpl-x", "model": "gemma-3-270m",
               "system_fingerprint": "b6700", "object": "chat.completion.chunk"})
    };
    let mut events = vec![chunk(json!({"role": "assistant", "content": null}), None)];
    events.extend(pieces.iter().map(|p| chunk(json!({"content": p}), None)));
    events.push(chunk(json!({}), Some(finish)));
    events.push(json!({"choices": [], "created": 1764672000, "id": "chatcmpl-x",
        "model": "gemma-3-270m", "object": "chat.completion.chunk",
        "usage": {"completion_tokens": completion_tokens, "prompt_tokens": 50, "total_tokens": 50 + completion_tokens},
        "timings": {"prompt_n": 50, "prompt_ms": 120.5, "predicted_n": completion_tokens, "predicted_ms": 300.0}}));
    events
}

#[tokio::test]
async fn grammar_servers_get_the_full_schema_and_openai_the_strict_subset() {
    let server = Server::start(vec![Script::sse(
        &llama_stream(&["{\"facts\": [\"makes anvils\"]}"], "stop", 9),
        Duration::ZERO,
    )])
    .await;
    let local = client_for_with(
        &endpoint(
            ModelProvider::OpenAiCompatible,
            &format!("{}/v1", server.base),
        ),
        "gemma-3-270m",
        build_http_client().unwrap(),
        CallTimeouts::default(),
    )
    .unwrap();
    let answer = local
        .complete(&request(Duration::from_secs(30)))
        .await
        .unwrap();
    assert_eq!(answer.value, json!({"facts": ["makes anvils"]}));
    assert_eq!(answer.usage.output_tokens, 9);
    assert_eq!(answer.usage.input_tokens, 50);
    assert_eq!(answer.finish_reason, "stop");

    let (path, body) = server.requests().remove(0);
    assert_eq!(path, "/v1/chat/completions");
    assert_eq!(body["stream"], json!(true));
    let sent = &body["response_format"]["json_schema"]["schema"];
    assert_eq!(sent["properties"]["facts"]["maxItems"], json!(3));
    assert_eq!(sent["properties"]["facts"]["items"]["maxLength"], json!(40));
    assert!(sent.get("$schema").is_none());

    // OpenAI itself gets its strict subset (the bounds as hints) and no stream.
    let openai = Server::start(vec![Script::json(
        200,
        json!({"id": "chatcmpl-y", "object": "chat.completion", "model": "gpt-4o-mini",
               "choices": [{"index": 0, "message": {"role": "assistant", "content": "{\"facts\": [\"a\", \"b\", \"c\", \"d\"]}"}, "finish_reason": "stop"}],
               "usage": {"prompt_tokens": 40, "completion_tokens": 12, "total_tokens": 52}}),
    )])
    .await;
    // Built directly: the fake speaks plain http on loopback, where `client_for_with` would
    // rightly refuse to send an OpenAI key.
    let mut config = OpenAiConfig::openai(ApiKey::new("sk-test"), "gpt-4o-mini");
    config.base_url = Some(Url::parse(&format!("{}/v1", openai.base)).unwrap());
    let remote = OpenAiClient::new(config, build_http_client().unwrap());
    // Four items break `maxItems: 3`: the limit is checked after parsing.
    let err = remote
        .complete(&request(Duration::from_secs(30)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SchemaMismatch, "{err}");
    let (_, body) = openai.requests().remove(0);
    assert!(body.get("stream").is_none());
    let sent = &body["response_format"]["json_schema"];
    assert_eq!(sent["strict"], json!(true));
    assert!(sent["schema"]["properties"]["facts"]
        .get("maxItems")
        .is_none());
}

#[tokio::test]
async fn a_local_answer_slower_than_the_total_deadline_still_arrives_while_tokens_flow() {
    // Five pieces 150 ms apart: 600 ms in all, twice the request's 300 ms deadline, but never
    // silent for long.
    let server = Server::start(vec![Script::sse(
        &llama_stream(&["{\"facts\": ", "[\"makes", " anvils\"", "]}"], "stop", 6),
        Duration::from_millis(150),
    )])
    .await;
    let client = client_for_with(
        &endpoint(
            ModelProvider::OpenAiCompatible,
            &format!("{}/v1", server.base),
        ),
        "gemma-3-270m",
        build_http_client().unwrap(),
        timeouts(Duration::from_secs(5)),
    )
    .unwrap();
    let answer = client
        .complete(&request(Duration::from_millis(300)))
        .await
        .unwrap();
    assert_eq!(answer.value, json!({"facts": ["makes anvils"]}));
}

#[tokio::test]
async fn a_silent_local_server_is_given_up_after_the_silence_limit() {
    let mut script = Script::sse(&llama_stream(&["{\"facts\": ["], "stop", 3), Duration::ZERO);
    script.parts.truncate(2);
    script.then_hold = true;
    let server = Server::start(vec![script]).await;
    let client = client_for_with(
        &endpoint(
            ModelProvider::OpenAiCompatible,
            &format!("{}/v1", server.base),
        ),
        "gemma-3-270m",
        build_http_client().unwrap(),
        timeouts(Duration::from_millis(400)),
    )
    .unwrap();
    let err = client
        .complete(&request(Duration::from_secs(600)))
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::Stalled { after, .. } if after == Duration::from_millis(400)));
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.to_string().contains("silence limit"), "{err}");
}

#[tokio::test]
async fn an_error_in_the_middle_of_a_stream_is_classified() {
    let mut events = llama_stream(&["{\"facts\""], "stop", 3);
    events.truncate(2);
    events.push(json!({"error": {"code": 500, "message": "the request exceeds the available context size, try increasing it", "type": "exceed_context_size_error"}}));
    let server = Server::start(vec![Script::sse(&events, Duration::ZERO)]).await;
    let client = client_for_with(
        &endpoint(
            ModelProvider::OpenAiCompatible,
            &format!("{}/v1", server.base),
        ),
        "gemma-3-270m",
        build_http_client().unwrap(),
        CallTimeouts::default(),
    )
    .unwrap();
    let err = client
        .complete(&request(Duration::from_secs(30)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ContextTooLong, "{err}");
}

#[tokio::test]
async fn ollama_streams_and_its_lines_are_put_back_together() {
    let line = |content: &str, done: bool| {
        let mut v = json!({"model": "gemma3:270m", "created_at": "2026-12-02T10:00:00Z",
            "message": {"role": "assistant", "content": content}, "done": done});
        if done {
            v["done_reason"] = json!("stop");
            v["prompt_eval_count"] = json!(44);
            v["eval_count"] = json!(7);
        }
        format!("{v}\n")
    };
    let server = Server::start(vec![Script {
        status: 200,
        content_type: "application/x-ndjson",
        parts: vec![
            line("{\"facts\": [", false),
            line("\"makes anvils\"]}", false),
            line("", true),
        ],
        pause: Duration::from_millis(10),
        then_hold: false,
    }])
    .await;
    let client = client_for_with(
        &endpoint(ModelProvider::Ollama, &server.base),
        "gemma3:270m",
        build_http_client().unwrap(),
        CallTimeouts::default(),
    )
    .unwrap();
    let answer = client
        .complete(&request(Duration::from_secs(30)))
        .await
        .unwrap();
    assert_eq!(answer.value, json!({"facts": ["makes anvils"]}));
    assert_eq!(
        (answer.usage.input_tokens, answer.usage.output_tokens),
        (44, 7)
    );
    let (path, body) = server.requests().remove(0);
    assert_eq!(path, "/api/chat");
    assert_eq!(body["stream"], json!(true));
    assert_eq!(body["format"]["properties"]["facts"]["maxItems"], json!(3));
}

#[tokio::test]
async fn a_cut_off_answer_is_asked_for_once_more_shorter() {
    let repeated = "{\"facts\": [\"makes anvils\", \"makes anvils\", \"makes anv";
    let server = Server::start(vec![
        Script::sse(&llama_stream(&[repeated], "length", 64), Duration::ZERO),
        Script::sse(
            &llama_stream(&["{\"facts\": [\"makes anvils\"]}"], "stop", 9),
            Duration::ZERO,
        ),
    ])
    .await;
    let client = client_for_with(
        &endpoint(
            ModelProvider::OpenAiCompatible,
            &format!("{}/v1", server.base),
        ),
        "gemma-3-270m",
        build_http_client().unwrap(),
        CallTimeouts::default(),
    )
    .unwrap();
    let answer = client
        .complete(&request(Duration::from_secs(30)))
        .await
        .unwrap();
    assert_eq!(answer.value, json!({"facts": ["makes anvils"]}));
    // Both calls are counted.
    assert_eq!(answer.usage.output_tokens, 64 + 9);
    assert_eq!(answer.usage.input_tokens, 100);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let messages = requests[1].1["messages"].as_array().unwrap().clone();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(messages[2]["content"], json!(repeated));
    assert_eq!(messages[3]["content"], json!(CUT_OFF_REPAIR));
}

#[tokio::test]
async fn an_answer_cut_off_twice_is_reported_with_both_calls_tokens() {
    let server = Server::start(vec![Script::sse(
        &llama_stream(&["{\"facts\": [\"F1\", \"F2\""], "length", 64),
        Duration::ZERO,
    )])
    .await;
    let client = client_for_with(
        &endpoint(
            ModelProvider::OpenAiCompatible,
            &format!("{}/v1", server.base),
        ),
        "gemma-3-270m",
        build_http_client().unwrap(),
        CallTimeouts::default(),
    )
    .unwrap();
    let err = client
        .complete(&request(Duration::from_secs(30)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Truncated);
    assert_eq!(err.answered_call().unwrap().usage.output_tokens, 128);
    assert_eq!(server.requests().len(), 2, "one retry, not more");
    let shown = err.to_string();
    assert!(!shown.contains("raise the maximum"), "{shown}");
    assert!(shown.contains("cut off at the output limit"), "{shown}");
}

/// Gemma 3's own template opening, as llama.cpp reports a model file that carries one.
const GEMMA_TEMPLATE: &str = "{{ bos_token }}\n{%- if messages[0]['role'] == 'system' -%}";

/// What llama.cpp's `/props` reports when the model has no template: its ChatML fallback.
const CHATML_FALLBACK: &str = "{%- for message in messages -%}\n  {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' -}}\n{%- endfor -%}\n{%- if add_generation_prompt -%}\n  {{- '<|im_start|>assistant\n' -}}\n{%- endif -%}";

fn props(template: &str) -> Value {
    json!({
        "default_generation_settings": {"n_ctx": 8192, "params": {"temperature": 0.8}},
        "total_slots": 1,
        "model_alias": "gemma-3-270m-q4_k_m.gguf",
        "model_path": "/models/gemma-3-270m-q4_k_m.gguf",
        "modalities": {"vision": false, "audio": false},
        "chat_template": template,
        "chat_template_caps": {"supports_system_role": true},
        "bos_token": "<bos>",
        "eos_token": "<eos>",
        "build_info": "b6700-abc"
    })
}

#[tokio::test]
async fn a_missing_chat_template_is_recognised_on_llama_cpp_and_ollama() {
    let http = build_http_client().unwrap();
    let llama = |template: &'static str| async move {
        let server = Server::start(vec![Script::json(200, props(template))]).await;
        let kind = chat_template(
            &build_http_client().unwrap(),
            &endpoint(
                ModelProvider::OpenAiCompatible,
                &format!("{}/v1", server.base),
            ),
            "gemma-3-270m",
        )
        .await;
        assert_eq!(server.requests()[0].0, "/props");
        kind
    };
    assert_eq!(llama(GEMMA_TEMPLATE).await, ChatTemplate::Present);
    assert_eq!(llama(CHATML_FALLBACK).await, ChatTemplate::Missing);
    assert_eq!(llama("").await, ChatTemplate::Missing);

    let show = |template: Option<&str>| {
        let mut body = json!({
            "modelfile": "# Modelfile generated by \"ollama show\"\nFROM /models/blobs/sha256-abc\n",
            "parameters": "stop \"<end_of_turn>\"",
            "details": {"parent_model": "", "format": "gguf", "family": "gemma3",
                        "parameter_size": "268.10M", "quantization_level": "Q4_K_M"},
            "model_info": {"general.architecture": "gemma3"},
            "modified_at": "2026-12-01T10:00:00Z"
        });
        if let Some(t) = template {
            body["template"] = json!(t);
        }
        body
    };
    let server = Server::start(vec![
        Script::json(200, show(Some("{{- range $i, $_ := .Messages }}<start_of_turn>user\n{{ .Content }}<end_of_turn>\n{{- end }}"))),
        Script::json(200, show(None)),
        Script::json(404, json!({"error": "model 'nope' not found"})),
    ])
    .await;
    let ollama = endpoint(ModelProvider::Ollama, &server.base);
    assert_eq!(
        chat_template(&http, &ollama, "gemma3:270m").await,
        ChatTemplate::Present
    );
    assert_eq!(
        chat_template(&http, &ollama, "gemma3-base").await,
        ChatTemplate::Missing
    );
    assert_eq!(
        chat_template(&http, &ollama, "nope").await,
        ChatTemplate::Unknown
    );
    let requests = server.requests();
    assert_eq!(requests[0].0, "/api/show");
    assert_eq!(requests[1].1, json!({"model": "gemma3-base"}));

    // LM Studio has no `/props`; remote providers are not asked.
    let lm_studio = Server::start(vec![Script::json(
        404,
        json!({"error": "Unexpected endpoint or method. (GET /props)"}),
    )])
    .await;
    let unknown = chat_template(
        &http,
        &endpoint(
            ModelProvider::OpenAiCompatible,
            &format!("{}/v1", lm_studio.base),
        ),
        "qwen2.5-7b-instruct",
    )
    .await;
    assert_eq!(unknown, ChatTemplate::Unknown);
}
