//! What a failed model answer means: which errors a repair turn may fix, which are retried,
//! and how each is said to a salesperson.

use std::collections::BTreeMap;

use leadscout_context::grounding::Unverified;
use leadscout_llm::LlmError;
use leadscout_workflow::StepError;

/// The model's text and the validation errors of a repairable failure.
pub(super) fn repairable(err: &LlmError) -> (String, Vec<String>) {
    match err {
        LlmError::InvalidJson { raw, message, .. } => (
            raw.clone(),
            vec![format!("the answer is not valid JSON: {message}")],
        ),
        LlmError::SchemaMismatch {
            value, violations, ..
        } => (
            value.to_string(),
            violations.iter().map(ToString::to_string).collect(),
        ),
        other => (String::new(), vec![other.to_string()]),
    }
}

/// A failed call as the engine needs it: load and network problems are retried (honouring
/// Retry-After); a bad key, a refusal, an unknown model or a too-long prompt are not. Either
/// way the message is written for the salesperson who reads it on the lead.
pub(super) fn step_error(err: &LlmError) -> StepError {
    if err.is_transient() {
        StepError::Transient {
            message: in_words(err),
            retry_after: err.retry_after(),
        }
    } else {
        StepError::permanent(in_words(err))
    }
}

/// What went wrong with a model call, and what usually fixes it, in a salesperson's words
/// (the provider's own message is kept in the context inspector).
fn in_words(err: &LlmError) -> String {
    match err {
        LlmError::Truncated { partial, .. } if repeats_itself(partial) => {
            "The model repeated itself until it ran out of room; a larger model usually fixes this."
                .to_owned()
        }
        LlmError::Truncated { .. } => "The model's answer was cut off at its output limit before it was complete; a larger model usually fixes this.".to_owned(),
        LlmError::Refusal { message, .. } => format!(
            "The model refused to answer{}; another model in Settings → Model usually does not.",
            message
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(|m| format!(" (\u{201c}{}\u{201d})", m.chars().take(200).collect::<String>()))
                .unwrap_or_default()
        ),
        LlmError::Timeout { after, .. } => format!(
            "The model did not answer within {} seconds; check that it is running, or choose a faster model in Settings → Model.",
            after.as_secs()
        ),
        LlmError::Connection { .. } => "The model could not be reached; check that it is running and its address in Settings → Model.".to_owned(),
        LlmError::RateLimited { .. } | LlmError::Overloaded { .. } | LlmError::Server { .. } => {
            "The model provider was busy or failing, even after several tries; retry the AI step later.".to_owned()
        }
        LlmError::Auth { .. } => {
            "The model provider refused the API key; enter it again in Settings → Model.".to_owned()
        }
        LlmError::QuotaExceeded { .. } => "The model provider says the account's credit is used up; add credit or choose another model in Settings → Model.".to_owned(),
        LlmError::ContextTooLong { .. } => "The pages were too long for the model's context window; choose a model with a larger context in Settings → Model.".to_owned(),
        LlmError::ModelNotFound { model, .. } => format!(
            "The model provider does not know the model {model}; choose another in Settings → Model."
        ),
        other => format!("The model's answer could not be used: {other}."),
    }
}

/// The message when an answer and its repair were both invalid: that the model looped, when
/// the last answer is the same text over and over, else the first problem, shortened.
pub(super) fn invalid_twice(errors: &[String], written: &str) -> String {
    if repeats_itself(written) {
        return "The model repeated itself instead of answering; a larger model usually fixes this."
            .to_owned();
    }
    let first = errors.first().map(String::as_str).unwrap_or_default();
    let first: String = first.chars().take(160).collect();
    let first = first.replace(['{', '}', '"'], "");
    format!(
        "The model's answer did not follow the required form, twice ({first}); a larger model usually fixes this."
    )
}

/// Whether a cut-off answer is the same text over and over (a small model looping): a long
/// string written three times or more, or "unknown" four times.
pub(super) fn repeats_itself(partial: &str) -> bool {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, piece) in partial.split('"').enumerate() {
        // Odd pieces are the insides of JSON strings.
        if i % 2 == 1 {
            *counts.entry(piece.trim()).or_default() += 1;
        }
    }
    counts
        .iter()
        .any(|(text, n)| (text.chars().count() >= 12 && *n >= 3) || (*text == "unknown" && *n >= 4))
}

/// A model step's result, or the words for why the step ended without one. Only a failure
/// that another try could mend is passed on (to be retried), and cancellation and waiting for
/// the budget as they are: the website research never waits on the model for good.
pub(super) fn step_result<T>(
    result: Result<T, StepError>,
    last_try: bool,
) -> Result<Result<T, String>, StepError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(StepError::Permanent { message }) => Ok(Err(message)),
        Err(StepError::Transient { message, .. }) if last_try => Ok(Err(message)),
        Err(other) => Err(other),
    }
}

pub(super) fn unverified_reason(problem: &Unverified) -> String {
    match problem {
        Unverified::UnknownSource(id) => {
            format!("cites source {id}, which was not in the model's context")
        }
        Unverified::QuoteNotFound => "the quote is not in the cited page".to_owned(),
        Unverified::NoQuote => "no quote".to_owned(),
        Unverified::QuoteTooShort => "the quote is too short to state anything".to_owned(),
        Unverified::NumberNotInQuote(n) => format!("{n} is not in the quote"),
        Unverified::WordsNotInQuote(words) => {
            format!("the quote does not say {}", words.join(", "))
        }
    }
}

pub(crate) fn is_unknown(value: &str) -> bool {
    let v = value.trim().trim_end_matches('.').to_ascii_lowercase();
    v.is_empty()
        || [
            "unknown",
            "n/a",
            "na",
            "none",
            "not stated",
            "not specified",
            "not available",
            "null",
        ]
        .contains(&v.as_str())
}
