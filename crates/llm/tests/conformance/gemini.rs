//! Gemini generateContent against the suite, plus RetryInfo, blocked prompts, thinking
//! tokens and thought parts.

use std::time::Duration;

use leadscout_llm::{
    ApiKey, ErrorKind, GeminiClient, GeminiConfig, Limits, LlmClient, LlmError, OutputSchema,
    Provider, StructuredRequest, Url, Usage,
};
use serde_json::{json, Value};

use crate::fixtures::read;
use crate::mock_server::{MockResponse, RecordedRequest};
use crate::suite::{call, error_for, http, Mismatch, Spec, Success};

pub struct Gemini;

/// The palettes the recorded constrained-decoding answer holds: an array at the root.
fn palette_schema(max_colors: Option<u64>) -> Value {
    let mut colors =
        json!({"type": "array", "items": {"type": "string", "pattern": "^#[0-9A-F]{6}$"}});
    if let Some(max) = max_colors {
        colors["maxItems"] = json!(max);
    }
    json!({
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "colors": colors},
            "required": ["name", "colors"]
        }
    })
}

fn palette_request(schema: Value) -> StructuredRequest {
    StructuredRequest::new(OutputSchema::new("palettes", schema).unwrap())
        .system("You name colour palettes.")
        .user("Three palettes, five colours each.")
        .limits(Limits {
            max_output_tokens: 800,
            timeout: Duration::from_secs(10),
            temperature: Some(0.5),
        })
}

fn error(status: u16, grpc_status: &str, message: &str) -> MockResponse {
    MockResponse::json(
        status,
        json!({"error": {"code": status, "message": message, "status": grpc_status}}).to_string(),
    )
}

fn candidate(parts: Value, finish_reason: &str) -> MockResponse {
    // Written in the shape of generateContent.text.response.json.
    MockResponse::json(
        200,
        json!({
            "candidates": [{"content": {"parts": parts, "role": "model"}, "finishReason": finish_reason}],
            "usageMetadata": {"promptTokenCount": 40, "candidatesTokenCount": 30, "totalTokenCount": 70},
            "modelVersion": "gemini-2.5-flash"
        })
        .to_string(),
    )
}

impl Spec for Gemini {
    const PROVIDER: Provider = Provider::Gemini;

    fn client(base_url: &str, key: &str) -> Box<dyn LlmClient> {
        let config = GeminiConfig::new(ApiKey::new(key), "gemini-2.5-flash")
            .with_base_url(Url::parse(&format!("{base_url}/v1beta")).unwrap());
        Box::new(GeminiClient::new(config, http()))
    }

    fn path() -> String {
        "/v1beta/models/gemini-2.5-flash:generateContent".into()
    }

    fn success() -> Success {
        let recorded = read("gemini/generateContent.response_schema_json.response.json");
        let text: Value = serde_json::from_str(&recorded).unwrap();
        let value: Value = serde_json::from_str(
            text["candidates"][0]["content"]["parts"][0]["text"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        Success {
            request: palette_request(palette_schema(None)),
            response: MockResponse::json(200, recorded),
            value,
            // The recording carries no usageMetadata, and no modelVersion: the configured
            // model stands in.
            usage: Usage::default(),
            model: "gemini-2.5-flash",
            finish_reason: "STOP",
            cost_usd: Some(0.0),
        }
    }

    fn check_request(request: &RecordedRequest, key: &str, _sent: &StructuredRequest) {
        assert_eq!(request.header("x-goog-api-key"), Some(key));
        assert!(
            !request.path.contains("key="),
            "key in URL: {}",
            request.path
        );
        assert!(request.header("authorization").is_none());
        let body = request.json();
        assert_eq!(
            body["contents"],
            json!([{"role": "user", "parts": [{"text": "Three palettes, five colours each."}]}])
        );
        assert_eq!(
            body["systemInstruction"],
            json!({"parts": [{"text": "You name colour palettes."}]})
        );
        let config = &body["generationConfig"];
        assert_eq!(config["responseMimeType"], json!("application/json"));
        assert_eq!(config["maxOutputTokens"], json!(800));
        assert_eq!(config["temperature"], json!(0.5));
        // Gemini's subset: the pattern goes into a description hint; the array root stays.
        let sent = &config["responseJsonSchema"];
        assert_eq!(sent["type"], json!("array"));
        let color = &sent["items"]["properties"]["colors"]["items"];
        assert!(color.get("pattern").is_none());
        assert_eq!(
            color["description"],
            json!("{\"pattern\":\"^#[0-9A-F]{6}$\"}")
        );
        assert!(body.get("responseSchema").is_none());
    }

    fn refusal() -> Option<(MockResponse, &'static str)> {
        Some((
            MockResponse::json(
                200,
                read("gemini/generateContent.finish_reason_safety.response.json"),
            ),
            "SAFETY",
        ))
    }

    fn truncated() -> MockResponse {
        // Written: no MAX_TOKENS recording exists.
        candidate(json!([{"text": "[{\"name\": \"Fuji Da"}]), "MAX_TOKENS")
    }

    fn rate_limited() -> (MockResponse, Option<Duration>) {
        (
            MockResponse::json(429, read("gemini/errors/vercel.429.retry_info.json")),
            Some(Duration::from_millis(34_400)),
        )
    }

    fn overloaded() -> MockResponse {
        // Written (no recording): Gemini's 503 wording.
        error(
            503,
            "UNAVAILABLE",
            "The model is overloaded. Please try again later.",
        )
    }

    fn server_error() -> MockResponse {
        // Written (no recording): Gemini's 500 wording.
        error(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting")
    }

    fn invalid_key(key: &str) -> MockResponse {
        // The recording echoes the key it was given ("Invalid API key: key1234"); ours too.
        let body = read("gemini/errors/400.api_key_invalid.json").replace("key1234", key);
        MockResponse::json(400, body)
    }

    fn context_too_long() -> MockResponse {
        // Written (no recording): Gemini's token-limit wording.
        error(
            400,
            "INVALID_ARGUMENT",
            "The input token count (1250000) exceeds the maximum number of tokens allowed (1048576).",
        )
    }

    fn unknown_model() -> MockResponse {
        MockResponse::json(404, read("gemini/errors/404.unknown_model.json"))
    }

    fn bad_request() -> MockResponse {
        // Written (no recording).
        error(
            400,
            "INVALID_ARGUMENT",
            "Invalid JSON payload received. Unknown name \"foo\": Cannot find field.",
        )
    }

    fn prose_answer() -> (MockResponse, Usage) {
        (
            MockResponse::json(200, read("gemini/generateContent.text.response.json")),
            Usage {
                input_tokens: 7,
                output_tokens: 22,
                cached_input_tokens: 0,
                reasoning_tokens: 0,
            },
        )
    }

    fn text_answer(text: &str) -> MockResponse {
        candidate(json!([{"text": text}]), "STOP")
    }

    fn mismatch() -> Mismatch {
        Mismatch {
            request: palette_request(palette_schema(Some(3))),
            response: MockResponse::json(
                200,
                read("gemini/generateContent.response_schema_json.response.json"),
            ),
            paths: vec!["/0/colors", "/1/colors", "/2/colors"],
        }
    }
}

#[tokio::test]
async fn quota_error_without_retry_info_has_no_hint() {
    let err = error_for::<Gemini>(MockResponse::json(
        429,
        read("gemini/errors/429.resource_exhausted.json"),
    ))
    .await;
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), None);
}

#[tokio::test]
async fn blocked_prompt_is_a_refusal() {
    // Written (no recording): a prompt blocked before any candidate.
    let response = MockResponse::json(
        200,
        json!({"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": []},
               "usageMetadata": {"promptTokenCount": 12, "totalTokenCount": 12},
               "modelVersion": "gemini-2.5-flash"})
        .to_string(),
    );
    let err = error_for::<Gemini>(response).await;
    let LlmError::Refusal { message, call, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.as_deref().unwrap().contains("SAFETY"));
    assert_eq!(call.usage.input_tokens, 12);
}

#[tokio::test]
async fn thinking_tokens_are_billed_output() {
    // Recorded gemini-3-pro-preview answer with 244 thinking tokens (prose, so InvalidJson).
    let err = error_for::<Gemini>(MockResponse::json(
        200,
        read("gemini/vercel.generateContent.text.response.json"),
    ))
    .await;
    let call = err.answered_call().unwrap();
    assert_eq!(call.usage.output_tokens, 28 + 244);
    assert_eq!(call.usage.reasoning_tokens, 244);
    assert_eq!(call.model, "gemini-3-pro-preview");
    // Not in the pricing table: no guess.
    assert_eq!(call.cost_usd, None);
}

#[tokio::test]
async fn thought_parts_are_not_the_answer() {
    let request = StructuredRequest::new(
        OutputSchema::new(
            "x",
            json!({"type": "object", "properties": {"ok": {"type": "boolean"}}}),
        )
        .unwrap(),
    )
    .user("x");
    let response = candidate(
        json!([{"text": "Let me think about this.", "thought": true}, {"text": "{\"ok\": true}"}]),
        "STOP",
    );
    let (result, _server) = call::<Gemini>(response, &request).await;
    let r = result.unwrap();
    assert_eq!(r.value, json!({"ok": true}));
    // gemini-2.5-flash: $0.30 in, $2.50 out per million.
    assert!((r.cost_usd.unwrap() - (40.0 * 0.30 + 30.0 * 2.50) / 1e6).abs() < 1e-12);
}

#[tokio::test]
async fn a_function_call_instead_of_text_is_invalid_json() {
    let err = error_for::<Gemini>(MockResponse::json(
        200,
        read("gemini/generateContent.function_call.response.json"),
    ))
    .await;
    assert_eq!(err.kind(), ErrorKind::InvalidJson);
}
