//! When to try again, from the places providers put it.
//!
//! - `retry-after-ms` (OpenAI, milliseconds) and `retry-after` (seconds or an HTTP date;
//!   Anthropic and OpenAI send it on 429/529/503);
//! - OpenAI's `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens`, Go-style durations
//!   such as `6m0s`, `1.5s`, `120ms`;
//! - OpenAI's message text "Please try again in 26.604s";
//! - Gemini's `google.rpc.RetryInfo.retryDelay` in the error body (`"34.4s"`).

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// The delay the response's headers ask for. HTTP dates are measured against the response's
/// own `Date` header when present (no clock skew), else against `now`.
pub(crate) fn from_headers(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = header(headers, "retry-after-ms").and_then(parse_seconds) {
        return Some(ms / 1000);
    }
    if let Some(value) = header(headers, "retry-after") {
        let server_now = header(headers, "date")
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .unwrap_or(now);
        if let Some(d) = parse_retry_after(value, server_now) {
            return Some(d);
        }
    }
    exhausted_limit_reset(headers)
}

/// OpenAI sends reset times for both its request and token limits on every response; only a
/// limit that is used up (`remaining == 0`) tells when the 429 clears.
fn exhausted_limit_reset(headers: &HeaderMap) -> Option<Duration> {
    ["requests", "tokens"]
        .iter()
        .filter(|limit| {
            header(headers, &format!("x-ratelimit-remaining-{limit}"))
                .is_some_and(|r| r.trim() == "0")
        })
        .filter_map(|limit| {
            header(headers, &format!("x-ratelimit-reset-{limit}")).and_then(parse_go_duration)
        })
        .max()
}

/// The longest of the `x-ratelimit-reset-*` values, for a 429 whose headers name no used-up
/// limit and whose body gives no hint either.
pub(crate) fn any_limit_reset(headers: &HeaderMap) -> Option<Duration> {
    ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"]
        .iter()
        .filter_map(|name| header(headers, name).and_then(parse_go_duration))
        .max()
}

/// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Some(d) = parse_seconds(value) {
        return Some(d);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A non-negative decimal number of seconds.
fn parse_seconds(value: &str) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let secs: f64 = value.parse().ok()?;
    Duration::try_from_secs_f64(secs).ok()
}

/// Go's `time.Duration` text (`1h2m3.5s`, `6m0s`, `120ms`, `250us`) and protobuf's JSON
/// duration (`34.4s`).
pub(crate) fn parse_go_duration(value: &str) -> Option<Duration> {
    let mut rest = value.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return None;
        }
        let number: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * scale;
    }
    Duration::try_from_secs_f64(total).ok()
}

/// "... Please try again in 26.604s. ..." (OpenAI's rate-limit message).
pub(crate) fn from_message(message: &str) -> Option<Duration> {
    let lower = message.to_ascii_lowercase();
    let start = lower.find("try again in ")? + "try again in ".len();
    let token: String = message[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    parse_go_duration(token.trim_end_matches('.'))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn parses_go_durations_openai_sends() {
        assert_eq!(parse_go_duration("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(parse_go_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("120ms"), Some(Duration::from_millis(120)));
        assert_eq!(parse_go_duration("8ms"), Some(Duration::from_millis(8)));
        assert_eq!(parse_go_duration("1h2m3s"), Some(Duration::from_secs(3723)));
        assert_eq!(
            parse_go_duration("34.4s"),
            Some(Duration::from_millis(34_400))
        );
        assert_eq!(parse_go_duration("250us"), Some(Duration::from_micros(250)));
        assert_eq!(parse_go_duration(""), None);
        assert_eq!(parse_go_duration("soon"), None);
        assert_eq!(parse_go_duration("5 parsecs"), None);
        assert_eq!(parse_go_duration("12"), None);
    }

    #[test]
    fn retry_after_in_seconds_or_http_date() {
        let now = at(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after(" 0.5 ", now),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        // A date in the past means "now".
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(parse_retry_after("tomorrow", now), None);
    }

    #[test]
    fn http_date_is_measured_against_the_servers_date_header() {
        let h = headers(&[
            ("retry-after", "Wed, 21 Oct 2015 07:28:30 GMT"),
            ("date", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ]);
        // The local clock is an hour off; the server's own Date wins.
        assert_eq!(
            from_headers(&h, at(1_445_412_480 + 3600)),
            Some(Duration::from_secs(30))
        );
    }

    #[test]
    fn header_priority_ms_then_seconds_then_exhausted_reset() {
        let h = headers(&[("retry-after-ms", "1500"), ("retry-after", "9")]);
        assert_eq!(from_headers(&h, at(0)), Some(Duration::from_millis(1500)));

        let h = headers(&[
            ("x-ratelimit-remaining-requests", "0"),
            ("x-ratelimit-reset-requests", "1.5s"),
            ("x-ratelimit-remaining-tokens", "0"),
            ("x-ratelimit-reset-tokens", "6m0s"),
        ]);
        assert_eq!(from_headers(&h, at(0)), Some(Duration::from_secs(360)));

        // Recorded headers of a call that had limits left: no hint from them.
        let h = headers(&[
            ("x-ratelimit-remaining-requests", "499"),
            ("x-ratelimit-reset-requests", "120ms"),
            ("x-ratelimit-remaining-tokens", "29996"),
            ("x-ratelimit-reset-tokens", "8ms"),
        ]);
        assert_eq!(from_headers(&h, at(0)), None);
        assert_eq!(any_limit_reset(&h), Some(Duration::from_millis(120)));
    }

    #[test]
    fn reads_openai_try_again_message() {
        let message = "Rate limit reached for gpt-4 in organization org-********** on tokens per \
                       min (TPM): Limit 10000, Used 9348, Requested 5086. Please try again in \
                       26.604s. Visit https://platform.openai.com/account/rate-limits";
        assert_eq!(from_message(message), Some(Duration::from_millis(26_604)));
        assert_eq!(
            from_message("Please try again in 1m30s."),
            Some(Duration::from_secs(90))
        );
        assert_eq!(from_message("Please try again later."), None);
    }
}
