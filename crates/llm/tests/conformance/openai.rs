//! OpenAI Chat Completions (and compatible servers) against the suite, plus what only this
//! wire format has: quota errors, `x-ratelimit-reset-*`, strict-mode nulls, `max_tokens`
//! for local servers, other servers' error shapes.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use leadscout_llm::{
    ApiKey, Clock, ErrorKind, Limits, LlmClient, LlmError, MaxTokensField, OpenAiClient,
    OpenAiConfig, OutputSchema, Provider, StructuredRequest, Url, Usage,
};
use serde_json::{json, Value};

use crate::fixtures::read;
use crate::mock_server::{MockResponse, MockServer, RecordedRequest};
use crate::suite::{call, error_for, http, Mismatch, Spec, Success, KEY};

pub struct OpenAi;

/// The `Location` model of openai-python's tests, which produced the recordings.
fn location_schema(max_temperature: Option<f64>) -> Value {
    let mut temperature = json!({"type": "number"});
    if let Some(max) = max_temperature {
        temperature["maximum"] = json!(max);
    }
    json!({
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "temperature": temperature,
            "units": {"type": "string", "enum": ["c", "f"]}
        },
        "required": ["city", "temperature", "units"]
    })
}

fn weather_request(schema: Value) -> StructuredRequest {
    StructuredRequest::new(OutputSchema::new("Location", schema).unwrap())
        .system("Answer with the weather as JSON.")
        .user("What's the weather like in SF?")
        .limits(Limits {
            max_output_tokens: 256,
            timeout: Duration::from_secs(10),
            temperature: Some(0.2),
        })
}

fn recorded(name: &str) -> MockResponse {
    MockResponse::json(200, read(&format!("openai/chat-completions/{name}")))
}

fn error(status: u16, message: &str, kind: &str, code: Value) -> MockResponse {
    MockResponse::json(
        status,
        json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
            .to_string(),
    )
}

/// The recorded rate-limit headers (`ratelimit-headers.txt`, from a successful call).
fn recorded_ratelimit_headers(mut response: MockResponse) -> MockResponse {
    for line in read("openai/errors/in-the-wild/ratelimit-headers.txt").lines() {
        if let Some((name, value)) = line.split_once(':') {
            response = response.header(name.trim(), value.trim());
        }
    }
    response
}

impl Spec for OpenAi {
    const PROVIDER: Provider = Provider::OpenAi;

    fn client(base_url: &str, key: &str) -> Box<dyn LlmClient> {
        let config = OpenAiConfig {
            base_url: Some(Url::parse(&format!("{base_url}/v1")).unwrap()),
            ..OpenAiConfig::openai(ApiKey::new(key), "gpt-4o")
        };
        Box::new(OpenAiClient::new(config, http()))
    }

    fn path() -> String {
        "/v1/chat/completions".into()
    }

    fn success() -> Success {
        Success {
            request: weather_request(location_schema(None)),
            response: recorded("json_schema.success.response.json"),
            value: json!({"city": "San Francisco", "temperature": 65, "units": "f"}),
            usage: Usage {
                input_tokens: 79,
                output_tokens: 14,
                cached_input_tokens: 0,
                reasoning_tokens: 0,
            },
            model: "gpt-4o-2024-08-06",
            finish_reason: "stop",
            // gpt-4o: $2.50 in, $10 out per million.
            cost_usd: Some((79.0 * 2.5 + 14.0 * 10.0) / 1e6),
        }
    }

    fn check_request(request: &RecordedRequest, key: &str, _sent: &StructuredRequest) {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {key}").as_str())
        );
        let body = request.json();
        assert_eq!(body["model"], json!("gpt-4o"));
        assert_eq!(
            body["messages"],
            json!([
                {"role": "system", "content": "Answer with the weather as JSON."},
                {"role": "user", "content": "What's the weather like in SF?"}
            ])
        );
        let mut strict = location_schema(None);
        strict["additionalProperties"] = json!(false);
        assert_eq!(
            body["response_format"],
            json!({
                "type": "json_schema",
                "json_schema": {"name": "Location", "schema": strict, "strict": true}
            })
        );
        assert_eq!(body["max_completion_tokens"], json!(256));
        assert!(body.get("max_tokens").is_none());
        assert_eq!(body["temperature"], json!(0.2));
    }

    fn refusal() -> Option<(MockResponse, &'static str)> {
        Some((
            recorded("json_schema.refusal.response.json"),
            "I'm very sorry, but I can't assist with that.",
        ))
    }

    fn truncated() -> MockResponse {
        recorded("json_schema.finish_reason_length.response.json")
    }

    fn rate_limited() -> (MockResponse, Option<Duration>) {
        // Recorded body and recorded headers; no limit in those headers is used up, so the
        // message's "Please try again in 26.604s" is the hint.
        let response = recorded_ratelimit_headers(MockResponse::json(
            429,
            read("openai/errors/in-the-wild/429.rate_limit_exceeded.tpm.json"),
        ));
        (response, Some(Duration::from_millis(26_604)))
    }

    fn overloaded() -> MockResponse {
        // Written (no recording): OpenAI's documented 503 wording.
        error(
            503,
            "The engine is currently overloaded, please try again later.",
            "server_error",
            Value::Null,
        )
    }

    fn server_error() -> MockResponse {
        // Written (no recording): OpenAI's documented 500 wording.
        error(
            500,
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            Value::Null,
        )
    }

    fn invalid_key(key: &str) -> MockResponse {
        // Written (no recording) from OpenAI's 401 body; the real one masks most of the key,
        // this one echoes it whole (worst case).
        error(
            401,
            &format!("Incorrect API key provided: {key}. You can find your API key at https://platform.openai.com/account/api-keys."),
            "invalid_request_error",
            json!("invalid_api_key"),
        )
    }

    fn context_too_long() -> MockResponse {
        // Written (no recording): OpenAI's context_length_exceeded body.
        error(
            400,
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.",
            "invalid_request_error",
            json!("context_length_exceeded"),
        )
    }

    fn unknown_model() -> MockResponse {
        // Written (no recording): OpenAI's model_not_found body.
        error(
            404,
            "The model `gpt-9` does not exist or you do not have access to it.",
            "invalid_request_error",
            json!("model_not_found"),
        )
    }

    fn bad_request() -> MockResponse {
        MockResponse::json(400, read("openai/errors/400.unsupported_parameter.json"))
    }

    fn prose_answer() -> (MockResponse, Usage) {
        (
            recorded("plain_text.response.json"),
            Usage {
                input_tokens: 14,
                output_tokens: 37,
                cached_input_tokens: 0,
                reasoning_tokens: 0,
            },
        )
    }

    fn text_answer(text: &str) -> MockResponse {
        let mut body: Value = serde_json::from_str(&read(
            "openai/chat-completions/json_schema.success.response.json",
        ))
        .unwrap();
        body["choices"][0]["message"]["content"] = json!(text);
        MockResponse::json(200, body.to_string())
    }

    fn mismatch() -> Mismatch {
        Mismatch {
            request: weather_request(location_schema(Some(50.0))),
            response: recorded("json_schema.success.response.json"),
            paths: vec!["/temperature"],
        }
    }
}

fn completion(content: &str) -> MockResponse {
    // Written in the shape of the recorded success response.
    MockResponse::json(
        200,
        json!({
            "id": "chatcmpl-test", "object": "chat.completion", "created": 1727346143,
            "model": "gpt-4o-2024-08-06",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null},
                         "logprobs": null, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1200, "completion_tokens": 20, "total_tokens": 1220,
                      "prompt_tokens_details": {"cached_tokens": 1024},
                      "completion_tokens_details": {"reasoning_tokens": 0}}
        })
        .to_string(),
    )
}

#[tokio::test]
async fn quota_exhaustion_is_permanent_not_a_rate_limit() {
    let err = error_for::<OpenAi>(MockResponse::json(
        429,
        read("openai/errors/429.insufficient_quota.json"),
    ))
    .await;
    assert_eq!(err.kind(), ErrorKind::QuotaExceeded);
    assert!(!err.is_transient());
}

#[tokio::test]
async fn used_up_limit_reset_header_gives_the_delay() {
    // Header values in OpenAI's documented format; the body says nothing about timing.
    let response = error(
        429,
        "Rate limit reached.",
        "requests",
        json!("rate_limit_exceeded"),
    )
    .header("x-ratelimit-remaining-requests", "12")
    .header("x-ratelimit-reset-requests", "1.5s")
    .header("x-ratelimit-remaining-tokens", "0")
    .header("x-ratelimit-reset-tokens", "6m0s");
    let err = error_for::<OpenAi>(response).await;
    assert_eq!(err.retry_after(), Some(Duration::from_secs(360)));
}

#[tokio::test]
async fn retry_after_header_wins_over_the_message() {
    let response = MockResponse::json(
        429,
        read("openai/errors/in-the-wild/429.rate_limit_exceeded.tpm.json"),
    )
    .header("retry-after", "7");
    let err = error_for::<OpenAi>(response).await;
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn retry_after_http_date_is_relative_to_the_server_date() {
    let response = error(503, "Slow down.", "server_error", Value::Null)
        .header("date", "Wed, 21 Oct 2015 07:28:00 GMT")
        .header("retry-after", "Wed, 21 Oct 2015 07:28:45 GMT");
    let err = error_for::<OpenAi>(response).await;
    assert_eq!(err.kind(), ErrorKind::Overloaded);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(45)));
}

struct FixedClock(SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

#[tokio::test]
async fn retry_after_http_date_without_a_date_header_uses_the_injected_clock() {
    let response = error(429, "Slow down.", "requests", Value::Null)
        .header("retry-after", "Wed, 21 Oct 2015 07:28:10 GMT");
    let server = MockServer::serve(response).await;
    let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
    let config = OpenAiConfig {
        base_url: Some(Url::parse(server.url()).unwrap()),
        ..OpenAiConfig::openai(ApiKey::new(KEY), "gpt-4o")
    };
    let client = OpenAiClient::new(config, http()).with_clock(Arc::new(FixedClock(now)));
    let err = client
        .complete(&OpenAi::success().request)
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(10)));
}

#[tokio::test]
async fn the_first_of_several_choices_is_the_answer() {
    let (result, _server) = call::<OpenAi>(
        recorded("json_schema.n3.response.json"),
        &OpenAi::success().request,
    )
    .await;
    assert_eq!(result.unwrap().value["temperature"], json!(64));
}

#[tokio::test]
async fn nulls_strict_mode_forced_on_optional_fields_are_removed() {
    let schema = json!({
        "type": "object",
        "properties": {
            "company": {"type": "string"},
            "industry": {"type": "string", "minLength": 3},
            "employees": {"type": ["integer", "null"]},
            "website": {"type": "string", "format": "uri"}
        },
        "required": ["company", "employees"]
    });
    let request = StructuredRequest::new(OutputSchema::new("facts", schema).unwrap())
        .user("Acme, headcount unknown.");
    let answer = r#"{"company":"Acme","industry":null,"employees":null,"website":null}"#;
    let (result, server) = call::<OpenAi>(completion(answer), &request).await;
    let response = result.unwrap();
    assert_eq!(
        response.value,
        json!({"company": "Acme", "employees": null})
    );
    assert_eq!(response.usage.cached_input_tokens, 1024);
    // gpt-4o: 176 uncached at $2.50, 1024 cached at $1.25, 20 out at $10.
    let expected = (176.0 * 2.5 + 1024.0 * 1.25 + 20.0 * 10.0) / 1e6;
    assert!((response.cost_usd.unwrap() - expected).abs() < 1e-12);

    let sent = &server.only_request().json()["response_format"]["json_schema"];
    assert_eq!(sent["strict"], json!(true));
    let schema = &sent["schema"];
    assert_eq!(
        schema["required"],
        json!(["company", "industry", "employees", "website"])
    );
    assert_eq!(
        schema["properties"]["industry"]["type"],
        json!(["string", "null"])
    );
    assert!(schema["properties"]["website"].get("format").is_none());
    assert_eq!(schema["additionalProperties"], json!(false));
}

#[tokio::test]
async fn a_constraint_strict_mode_cannot_send_is_still_enforced_locally() {
    let schema = json!({
        "type": "object",
        "properties": {"industry": {"type": "string", "minLength": 3}},
        "required": ["industry"]
    });
    let request = StructuredRequest::new(OutputSchema::new("facts", schema).unwrap()).user("x");
    let (result, _server) = call::<OpenAi>(completion(r#"{"industry":"IT"}"#), &request).await;
    let err = result.unwrap_err();
    let LlmError::SchemaMismatch { violations, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(violations[0].instance_path, "/industry");
}

#[tokio::test]
async fn a_non_object_root_is_wrapped_and_unwrapped() {
    let schema = json!({"type": "array", "items": {"type": "string"}, "maxItems": 3});
    let request = StructuredRequest::new(OutputSchema::new("domains", schema).unwrap()).user("x");
    let (result, server) =
        call::<OpenAi>(completion(r#"{"value":["acme.com","acme.io"]}"#), &request).await;
    assert_eq!(result.unwrap().value, json!(["acme.com", "acme.io"]));
    let sent = server.only_request().json();
    let schema = &sent["response_format"]["json_schema"]["schema"];
    assert_eq!(schema["type"], json!("object"));
    assert_eq!(schema["properties"]["value"]["type"], json!("array"));
}

#[tokio::test]
async fn free_form_maps_are_sent_without_strict_mode() {
    let schema = json!({
        "type": "object",
        "properties": {"scores": {"type": "object", "additionalProperties": {"type": "number"}}},
        "required": ["scores"]
    });
    let request =
        StructuredRequest::new(OutputSchema::new("scores", schema.clone()).unwrap()).user("x");
    let (result, server) = call::<OpenAi>(completion(r#"{"scores":{"fit":0.8}}"#), &request).await;
    assert_eq!(result.unwrap().value, json!({"scores": {"fit": 0.8}}));
    let sent = server.only_request().json();
    assert_eq!(
        sent["response_format"]["json_schema"]["strict"],
        json!(false)
    );
    assert_eq!(sent["response_format"]["json_schema"]["schema"], schema);
}

#[tokio::test]
async fn a_local_server_needs_no_key_uses_max_tokens_and_has_no_price() {
    let server = MockServer::serve(completion(
        r#"{"city":"San Francisco","temperature":65,"units":"f"}"#,
    ))
    .await;
    // LM Studio's default address shape: `http://host:1234/v1`.
    let base = Url::parse(&format!("{}/v1/", server.url())).unwrap();
    let client = OpenAiClient::new(
        OpenAiConfig::compatible(base, "qwen2.5-7b-instruct"),
        http(),
    );
    let response = client.complete(&OpenAi::success().request).await.unwrap();
    assert_eq!(response.cost_usd, None);
    let request = server.only_request();
    assert_eq!(request.path, "/v1/chat/completions");
    assert!(request.header("authorization").is_none());
    let body = request.json();
    assert_eq!(body["max_tokens"], json!(256));
    assert!(body.get("max_completion_tokens").is_none());
    assert_eq!(body["model"], json!("qwen2.5-7b-instruct"));
    // The max-tokens field is configurable for servers that know only the new one.
    let config = OpenAiConfig {
        max_tokens_field: MaxTokensField::MaxCompletionTokens,
        ..OpenAiConfig::compatible(Url::parse("http://127.0.0.1:9/v1").unwrap(), "m")
    };
    assert_eq!(config.max_tokens_field, MaxTokensField::MaxCompletionTokens);
}

#[tokio::test]
async fn llama_cpp_context_error_is_context_too_long() {
    // Written from llama.cpp server's error format (no recording).
    let response = MockResponse::json(
        400,
        json!({"error": {"code": 400, "message": "the request exceeds the available context size, try increasing it",
                         "type": "exceed_context_size_error", "n_prompt_tokens": 5120, "n_ctx": 4096}})
        .to_string(),
    );
    let err = error_for::<OpenAi>(response).await;
    assert_eq!(err.kind(), ErrorKind::ContextTooLong);
}

#[tokio::test]
async fn vllm_top_level_error_shape_is_read() {
    // Written from vLLM's OpenAI-server error format (no recording).
    let response = MockResponse::json(
        400,
        json!({"object": "error", "message": "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.",
               "type": "BadRequestError", "param": null, "code": 400})
        .to_string(),
    );
    let err = error_for::<OpenAi>(response).await;
    assert_eq!(err.kind(), ErrorKind::ContextTooLong);
    assert!(err.to_string().contains("maximum context length is 4096"));
}

#[tokio::test]
async fn schema_description_is_sent() {
    let schema = OutputSchema::new("Location", location_schema(None))
        .unwrap()
        .with_description("Where and how warm");
    let request = StructuredRequest::new(schema).user("x");
    let (_, server) = call::<OpenAi>(recorded("json_schema.success.response.json"), &request).await;
    let sent = server.only_request().json();
    assert_eq!(
        sent["response_format"]["json_schema"]["description"],
        json!("Where and how warm")
    );
    // No temperature unless asked for (reasoning models reject it).
    assert!(sent.get("temperature").is_none());
}

#[test]
fn debug_output_of_the_client_hides_the_key() {
    let client = OpenAiClient::new(OpenAiConfig::openai(ApiKey::new(KEY), "gpt-4o"), http());
    let shown = format!("{client:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(shown.contains("gpt-4o"));
}

#[tokio::test]
async fn a_wrong_base_url_says_so() {
    // A server without the route (e.g. the base URL lacks `/v1`) answers 404 with a page.
    let err = error_for::<OpenAi>(MockResponse::raw(404, "text/html", "<html>404</html>")).await;
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    assert!(err.to_string().contains("check the base URL"), "{err}");
}
