//! Ollama's native chat against the suite, plus `num_ctx` sizing and the keyless default.

use std::time::Duration;

use leadscout_llm::{
    ApiKey, ErrorKind, Limits, LlmClient, OllamaClient, OllamaConfig, OutputSchema, Provider,
    StructuredRequest, Url, Usage,
};
use serde_json::{json, Value};

use crate::fixtures::{read, read_json};
use crate::mock_server::{MockResponse, MockServer, RecordedRequest};
use crate::suite::{call, error_for, http, Mismatch, Spec, Success};

pub struct Ollama;

const REQUEST: &str = "ollama/chat.structured_output.request.json";
const RESPONSE: &str = "ollama/chat.structured_output.response.json";

/// The recorded request's message and schema, with the recorded temperature.
fn recorded_request(tighten: impl FnOnce(&mut Value)) -> StructuredRequest {
    let recorded = read_json(REQUEST);
    let mut schema = recorded["format"].clone();
    tighten(&mut schema);
    StructuredRequest::new(OutputSchema::new("availability", schema).unwrap())
        .user(recorded["messages"][0]["content"].as_str().unwrap())
        .limits(Limits {
            max_output_tokens: 256,
            timeout: Duration::from_secs(10),
            temperature: Some(0.0),
        })
}

fn error(status: u16, message: &str) -> MockResponse {
    MockResponse::json(status, json!({"error": message}).to_string())
}

fn chat(content: &str, done_reason: &str) -> MockResponse {
    // Written in the shape of the recorded response.
    MockResponse::json(
        200,
        json!({
            "model": "llama3.1", "created_at": "2024-12-06T00:46:58.265747Z",
            "message": {"role": "assistant", "content": content},
            "done_reason": done_reason, "done": true, "total_duration": 2254970291u64,
            "prompt_eval_count": 34, "eval_count": 12
        })
        .to_string(),
    )
}

/// The documented example error body in Ollama's docs/errors.mdx, read from the doc.
fn documented_error_body() -> String {
    let doc = read("ollama/docs/errors.mdx");
    let start = doc.find("```json").unwrap() + "```json".len();
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].trim().to_string()
}

impl Spec for Ollama {
    const PROVIDER: Provider = Provider::Ollama;

    fn client(base_url: &str, key: &str) -> Box<dyn LlmClient> {
        let config = OllamaConfig::new("llama3.1")
            .with_base_url(Url::parse(base_url).unwrap())
            .with_api_key(ApiKey::new(key));
        Box::new(OllamaClient::new(config, http()))
    }

    fn path() -> String {
        "/api/chat".into()
    }

    fn success() -> Success {
        Success {
            request: recorded_request(|_| {}),
            response: MockResponse::json(200, read(RESPONSE)),
            value: json!({"age": 22, "available": false}),
            usage: Usage {
                input_tokens: 34,
                output_tokens: 12,
                cached_input_tokens: 0,
                reasoning_tokens: 0,
            },
            model: "llama3.1",
            finish_reason: "stop",
            cost_usd: None,
        }
    }

    fn check_request(request: &RecordedRequest, key: &str, _sent: &StructuredRequest) {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {key}").as_str())
        );
        let recorded = read_json(REQUEST);
        let body = request.json();
        assert_eq!(body["model"], recorded["model"]);
        assert_eq!(body["messages"], recorded["messages"]);
        assert_eq!(body["stream"], json!(false));
        // The bare schema, not wrapped in {name, schema}.
        assert_eq!(body["format"], recorded["format"]);
        assert_eq!(
            body["options"]["temperature"].as_f64(),
            recorded["options"]["temperature"].as_f64()
        );
        assert_eq!(body["options"]["num_ctx"], json!(4096));
        assert_eq!(body["options"]["num_predict"], json!(256));
    }

    fn refusal() -> Option<(MockResponse, &'static str)> {
        // Ollama's API has no refusal signal.
        None
    }

    fn truncated() -> MockResponse {
        // Written (no recording): done_reason "length" when num_predict runs out.
        chat("{\"age\": 2", "length")
    }

    fn rate_limited() -> (MockResponse, Option<Duration>) {
        // Written: docs/errors.mdx documents 429 without a body or headers.
        (
            error(429, "too many requests").header("retry-after", "3"),
            Some(Duration::from_secs(3)),
        )
    }

    fn overloaded() -> MockResponse {
        // Written (no recording): Ollama's message when its request queue is full.
        error(
            503,
            "server busy, please try again.  maximum pending requests exceeded",
        )
    }

    fn server_error() -> MockResponse {
        MockResponse::json(500, documented_error_body())
    }

    fn invalid_key(key: &str) -> MockResponse {
        // Written (no recording): an authenticating proxy / Ollama's cloud refusing a key.
        error(401, &format!("unauthorized: {key}"))
    }

    fn context_too_long() -> MockResponse {
        // Written (no recording).
        error(400, "input length exceeds the context length")
    }

    fn unknown_model() -> MockResponse {
        // Written (no recording): Ollama's well-known wording.
        error(404, "model \"llama9\" not found, try pulling it first")
    }

    fn bad_request() -> MockResponse {
        // Written (no recording).
        error(400, "invalid format: expected \"json\" or a JSON schema")
    }

    fn prose_answer() -> (MockResponse, Usage) {
        (
            chat("Ollama is 22 years old and busy saving the world.", "stop"),
            Usage {
                input_tokens: 34,
                output_tokens: 12,
                cached_input_tokens: 0,
                reasoning_tokens: 0,
            },
        )
    }

    fn text_answer(text: &str) -> MockResponse {
        chat(text, "stop")
    }

    fn mismatch() -> Mismatch {
        Mismatch {
            request: recorded_request(|s| s["properties"]["age"]["maximum"] = json!(10)),
            response: MockResponse::json(200, read(RESPONSE)),
            paths: vec!["/age"],
        }
    }
}

#[tokio::test]
async fn num_ctx_grows_with_the_prompt() {
    // About 10,000 tokens of page text and 1,024 for the answer: 16k context.
    let mut request = Ollama::success().request;
    request
        .messages
        .push(leadscout_llm::Message::user("word ".repeat(6000)));
    request.limits.max_output_tokens = 1024;
    let (_, server) = call::<Ollama>(MockResponse::json(200, read(RESPONSE)), &request).await;
    assert_eq!(
        server.only_request().json()["options"]["num_ctx"],
        json!(16384)
    );
}

#[tokio::test]
async fn a_prompt_beyond_the_cap_fails_without_a_request() {
    let mut request = Ollama::success().request;
    request
        .messages
        .push(leadscout_llm::Message::user("word ".repeat(40_000)));
    let (result, server) = call::<Ollama>(MockResponse::json(200, read(RESPONSE)), &request).await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::ContextTooLong);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn no_key_means_no_authorization_header() {
    let server = MockServer::serve(MockResponse::json(200, read(RESPONSE))).await;
    let config = OllamaConfig::new("llama3.1").with_base_url(Url::parse(server.url()).unwrap());
    let client = OllamaClient::new(config, http());
    client.complete(&Ollama::success().request).await.unwrap();
    assert!(server.only_request().header("authorization").is_none());
}

#[tokio::test]
async fn an_error_inside_a_200_is_unexpected() {
    // The last line of the recorded mid-stream error: what Ollama sends once it has started.
    let recorded = read("ollama/generate.error_mid_stream.ndjson");
    let last = recorded.lines().last().unwrap();
    let err = error_for::<Ollama>(MockResponse::json(200, last)).await;
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    assert!(err
        .to_string()
        .contains("an error was encountered while running the model"));
}

#[test]
fn num_ctx_is_reported_for_the_context_inspector() {
    let client = OllamaClient::new(OllamaConfig::new("llama3.1"), http());
    let request =
        StructuredRequest::new(OutputSchema::new("x", json!({"type": "object"})).unwrap())
            .user("short");
    // The default output limit (4,096) plus the prompt needs the next size up.
    assert_eq!(client.num_ctx_for(&request).unwrap(), 8192);
    let request = request.limits(Limits {
        max_output_tokens: 1024,
        ..Limits::default()
    });
    assert_eq!(client.num_ctx_for(&request).unwrap(), 4096);
}
