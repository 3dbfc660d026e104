//! The conformance suite: the same scenarios, run against every adapter through
//! [`conformance!`]. Each provider's [`Spec`] supplies bodies shaped exactly like that
//! provider's answers (recorded ones wherever a recording exists) and says what its requests
//! must look like.

use std::time::Duration;

use leadscout_llm::{
    ErrorKind, LlmClient, LlmError, Provider, StructuredRequest, StructuredResponse, Usage,
};
use serde_json::Value;

use crate::capture;
use crate::mock_server::{refused_url, MockResponse, MockServer, RecordedRequest};

pub const KEY: &str = "sk-test-conformance-0001";

pub struct Success {
    pub request: StructuredRequest,
    pub response: MockResponse,
    pub value: Value,
    pub usage: Usage,
    pub model: &'static str,
    pub finish_reason: &'static str,
    pub cost_usd: Option<f64>,
}

pub struct Mismatch {
    pub request: StructuredRequest,
    pub response: MockResponse,
    /// Instance paths of the violations, sorted.
    pub paths: Vec<&'static str>,
}

pub trait Spec {
    const PROVIDER: Provider;
    fn client(base_url: &str, key: &str) -> Box<dyn LlmClient>;
    /// The request path the adapter must use.
    fn path() -> String;
    fn success() -> Success;
    /// Headers, schema placement and body shape of the success request.
    fn check_request(request: &RecordedRequest, key: &str, sent: &StructuredRequest);
    /// `None` where the provider has no refusal signal. The `&str` is part of the message.
    fn refusal() -> Option<(MockResponse, &'static str)>;
    fn truncated() -> MockResponse;
    fn rate_limited() -> (MockResponse, Option<Duration>);
    fn overloaded() -> MockResponse;
    fn server_error() -> MockResponse;
    /// Worst case: the body echoes the key it was given.
    fn invalid_key(key: &str) -> MockResponse;
    fn context_too_long() -> MockResponse;
    fn unknown_model() -> MockResponse;
    fn bad_request() -> MockResponse;
    /// A 200 whose answer is prose, not JSON, and the usage it reports.
    fn prose_answer() -> (MockResponse, Usage);
    /// A 200 in the provider's success shape whose answer text is `text`.
    fn text_answer(text: &str) -> MockResponse;
    fn mismatch() -> Mismatch;
}

pub fn http() -> reqwest::Client {
    capture::install();
    leadscout_llm::build_http_client().unwrap()
}

pub async fn call<S: Spec>(
    response: MockResponse,
    request: &StructuredRequest,
) -> (Result<StructuredResponse, LlmError>, MockServer) {
    let server = MockServer::serve(response).await;
    let client = S::client(server.url(), KEY);
    let result = client.complete(request).await;
    (result, server)
}

pub async fn error_for<S: Spec>(response: MockResponse) -> LlmError {
    let request = S::success().request;
    let (result, _server) = call::<S>(response, &request).await;
    let err = result.expect_err("expected an error");
    assert_eq!(err.provider(), S::PROVIDER);
    err
}

fn assert_kind(err: &LlmError, kind: ErrorKind, transient: bool) {
    assert_eq!(err.kind(), kind, "{err:?}");
    assert_eq!(err.is_transient(), transient, "{err:?}");
    assert!(!err.to_string().is_empty());
}

pub async fn success<S: Spec>() {
    let case = S::success();
    let (result, server) = call::<S>(case.response, &case.request).await;
    let r = result.unwrap();
    assert_eq!(r.value, case.value);
    assert_eq!(r.usage, case.usage);
    assert_eq!(r.model, case.model);
    assert_eq!(r.finish_reason, case.finish_reason);
    assert_eq!(r.provider, S::PROVIDER);
    match (r.cost_usd, case.cost_usd) {
        (Some(got), Some(want)) => assert!((got - want).abs() < 1e-12, "{got} != {want}"),
        (got, want) => assert_eq!(got, want),
    }
    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, S::path());
    assert!(request
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    S::check_request(&request, KEY, &case.request);
}

pub async fn refusal<S: Spec>() {
    let Some((response, expected)) = S::refusal() else {
        return;
    };
    let err = error_for::<S>(response).await;
    assert_kind(&err, ErrorKind::Refusal, false);
    let LlmError::Refusal { message, .. } = &err else {
        unreachable!()
    };
    assert!(
        message.as_deref().unwrap_or("").contains(expected),
        "{err:?}"
    );
    assert!(err.answered_call().is_some());
}

pub async fn truncated<S: Spec>() {
    let err = error_for::<S>(S::truncated()).await;
    assert_kind(&err, ErrorKind::Truncated, false);
    assert!(!err.kind().is_repairable());
    assert!(err.answered_call().is_some());
}

pub async fn rate_limited<S: Spec>() {
    let (response, expected) = S::rate_limited();
    let err = error_for::<S>(response).await;
    assert_kind(&err, ErrorKind::RateLimited, true);
    assert_eq!(err.retry_after(), expected);
}

pub async fn overloaded<S: Spec>() {
    let err = error_for::<S>(S::overloaded()).await;
    assert_kind(&err, ErrorKind::Overloaded, true);
}

pub async fn server_error<S: Spec>() {
    let err = error_for::<S>(S::server_error()).await;
    assert_kind(&err, ErrorKind::Server, true);
}

pub async fn invalid_key<S: Spec>() {
    let err = error_for::<S>(S::invalid_key(KEY)).await;
    assert_kind(&err, ErrorKind::Auth, false);
}

pub async fn context_too_long<S: Spec>() {
    let err = error_for::<S>(S::context_too_long()).await;
    assert_kind(&err, ErrorKind::ContextTooLong, false);
}

pub async fn unknown_model<S: Spec>() {
    let err = error_for::<S>(S::unknown_model()).await;
    assert_kind(&err, ErrorKind::ModelNotFound, false);
}

pub async fn bad_request<S: Spec>() {
    let err = error_for::<S>(S::bad_request()).await;
    assert_kind(&err, ErrorKind::BadRequest, false);
}

pub async fn prose_answer<S: Spec>() {
    let (response, usage) = S::prose_answer();
    let err = error_for::<S>(response).await;
    assert_kind(&err, ErrorKind::InvalidJson, false);
    assert!(err.kind().is_repairable());
    let LlmError::InvalidJson { raw, call, .. } = &err else {
        unreachable!()
    };
    assert!(!raw.is_empty());
    assert_eq!(call.usage, usage);
}

pub async fn schema_mismatch<S: Spec>() {
    let case = S::mismatch();
    let (result, _server) = call::<S>(case.response, &case.request).await;
    let err = result.unwrap_err();
    assert_kind(&err, ErrorKind::SchemaMismatch, false);
    assert!(err.kind().is_repairable());
    let LlmError::SchemaMismatch { violations, .. } = &err else {
        unreachable!()
    };
    let mut paths: Vec<&str> = violations
        .iter()
        .map(|v| v.instance_path.as_str())
        .collect();
    paths.sort();
    assert_eq!(paths, case.paths, "{err}");
}

pub async fn timeout<S: Spec>() {
    let mut request = S::success().request;
    request.limits.timeout = Duration::from_millis(300);
    let (result, server) = call::<S>(MockResponse::hang(), &request).await;
    let err = result.unwrap_err();
    assert_kind(&err, ErrorKind::Timeout, true);
    assert!(matches!(err, LlmError::Timeout { after, .. } if after == Duration::from_millis(300)));
    assert_eq!(server.requests().len(), 1);
}

pub async fn connection_refused<S: Spec>() {
    let request = S::success().request;
    let client = S::client(&refused_url().await, KEY);
    let err = client.complete(&request).await.unwrap_err();
    assert_kind(&err, ErrorKind::Connection, true);
}

pub async fn html_instead_of_json<S: Spec>() {
    let page = "<html><body>Welcome to nginx!</body></html>";
    let err = error_for::<S>(MockResponse::raw(200, "text/html", page)).await;
    assert_kind(&err, ErrorKind::UnexpectedResponse, false);

    // A proxy's 502 page: classified by status, with a readable message instead of HTML.
    let err = error_for::<S>(MockResponse::raw(502, "text/html", page)).await;
    assert_kind(&err, ErrorKind::Server, true);
    assert!(err.to_string().contains("Bad Gateway"), "{err}");
}

/// The API key never shows in an error's `Display` or `Debug`, nor in anything logged, even
/// when the provider echoes it back in its error body or the model repeats it.
pub async fn key_never_leaks<S: Spec>() {
    const CANARY: &str = "sk-CANARY-5b1e9d7c4a2f-never-show-me";
    let request = S::success().request;
    let echo = format!("invalid key {CANARY} given");
    let mut responses = vec![
        S::invalid_key(CANARY),
        S::bad_request(),
        S::rate_limited().0,
        S::overloaded(),
        S::server_error(),
        S::context_too_long(),
        S::unknown_model(),
        S::truncated(),
        S::prose_answer().0,
        S::text_answer(&format!("Sure! Your key is {CANARY}.")),
        S::text_answer(&format!("{{\"{CANARY}\": \"{CANARY}\"}}")),
        MockResponse::raw(400, "text/plain", echo.clone()),
        MockResponse::raw(401, "text/plain", echo.clone()),
        MockResponse::raw(500, "text/plain", echo.clone()),
        MockResponse::raw(200, "text/plain", echo),
    ];
    if let Some((refusal, _)) = S::refusal() {
        responses.push(refusal);
    }
    let mut seen = Vec::new();
    for response in responses {
        let server = MockServer::serve(response).await;
        let client = S::client(server.url(), CANARY);
        let err = client.complete(&request).await.unwrap_err();
        // The key did go out, in a header: the canary was really in play.
        assert!(server.only_request().text().contains(CANARY));
        seen.push(err);
    }
    let mut timed = request.clone();
    timed.limits.timeout = Duration::from_millis(200);
    let server = MockServer::serve(MockResponse::hang()).await;
    seen.push(
        S::client(server.url(), CANARY)
            .complete(&timed)
            .await
            .unwrap_err(),
    );
    let refused = refused_url().await;
    seen.push(
        S::client(&refused, CANARY)
            .complete(&request)
            .await
            .unwrap_err(),
    );

    for err in &seen {
        let shown = format!("{err}\n{err:?}");
        assert!(!shown.contains(CANARY), "key leaked: {shown}");
        assert!(
            !shown.contains("5b1e9d7c4a2f"),
            "part of the key leaked: {shown}"
        );
    }
    let logged = capture::logged();
    let ours = format!("provider=\"{}\"", S::PROVIDER.as_str());
    assert!(
        logged
            .lines()
            .any(|l| l.contains("structured call failed") && l.contains(&ours)),
        "nothing was logged"
    );
    assert!(!logged.contains(CANARY), "key leaked into logs: {logged}");
}

/// Instantiates every scenario above for one provider.
macro_rules! conformance {
    ($module:ident, $spec:ty) => {
        mod $module {
            use $crate::suite;

            #[tokio::test]
            async fn returns_the_validated_value_with_usage_model_and_cost() {
                suite::success::<$spec>().await
            }
            #[tokio::test]
            async fn refusal_is_classified() {
                suite::refusal::<$spec>().await
            }
            #[tokio::test]
            async fn truncated_output_is_classified() {
                suite::truncated::<$spec>().await
            }
            #[tokio::test]
            async fn rate_limit_is_transient_with_retry_after() {
                suite::rate_limited::<$spec>().await
            }
            #[tokio::test]
            async fn overload_is_transient() {
                suite::overloaded::<$spec>().await
            }
            #[tokio::test]
            async fn server_error_is_transient() {
                suite::server_error::<$spec>().await
            }
            #[tokio::test]
            async fn invalid_key_is_auth() {
                suite::invalid_key::<$spec>().await
            }
            #[tokio::test]
            async fn context_overflow_is_classified() {
                suite::context_too_long::<$spec>().await
            }
            #[tokio::test]
            async fn unknown_model_is_classified() {
                suite::unknown_model::<$spec>().await
            }
            #[tokio::test]
            async fn bad_request_is_permanent() {
                suite::bad_request::<$spec>().await
            }
            #[tokio::test]
            async fn prose_answer_is_invalid_json_with_usage() {
                suite::prose_answer::<$spec>().await
            }
            #[tokio::test]
            async fn schema_mismatch_names_instance_paths() {
                suite::schema_mismatch::<$spec>().await
            }
            #[tokio::test]
            async fn silent_server_times_out() {
                suite::timeout::<$spec>().await
            }
            #[tokio::test]
            async fn refused_connection_is_transient() {
                suite::connection_refused::<$spec>().await
            }
            #[tokio::test]
            async fn html_instead_of_json_is_classified() {
                suite::html_instead_of_json::<$spec>().await
            }
            #[tokio::test]
            async fn api_key_never_leaks_into_errors_or_logs() {
                suite::key_never_leaks::<$spec>().await
            }
        }
    };
}
