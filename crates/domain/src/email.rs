//! Drafted emails: what the draft dialog shows (the text, and for a model's draft each sentence
//! with the verified facts it rests on), what it sends back, and the `mailto:` link that opens
//! the user's mail client.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::validation::{FieldError, LeadField};
use crate::LeadId;

/// Which template a draft starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum EmailKind {
    FirstTouch,
    FollowUp,
}

impl EmailKind {
    /// The template's prompt id (`prompts/email/<name>.md`).
    pub fn template_id(self) -> &'static str {
        match self {
            EmailKind::FirstTouch => "email/first-touch",
            EmailKind::FollowUp => "email/follow-up",
        }
    }
}

/// What the draft dialog asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftRequest {
    pub lead_id: LeadId,
    pub kind: EmailKind,
    /// Let the model write the talking-point paragraph from the verified facts.
    pub with_model: bool,
    /// The paragraph to use when the model writes none: the user's own words, or a talking
    /// point of the lead's insights they chose.
    pub talking_point: Option<String>,
}

/// A verified fact as a draft cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CitedFact {
    pub key: String,
    pub value: String,
    pub quote: String,
    pub source_url: Option<String>,
}

/// One sentence the model wrote, with the facts it cites and whether it stands on them. Only
/// sentences that do are in the draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftSentence {
    pub text: String,
    pub facts: Vec<CitedFact>,
    pub verified: bool,
    pub problem: Option<String>,
}

/// A drafted email, ready to edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EmailDraft {
    pub lead_id: LeadId,
    /// The lead's email address; `None` when the lead has none (the draft can still be copied).
    pub to: Option<String>,
    pub subject: String,
    pub body: String,
    /// The model's sentences, accepted or not; empty for a template draft.
    pub sentences: Vec<DraftSentence>,
    /// Why the model's paragraph is not in the draft, when it is not (no model, no verified
    /// facts, no sentence that stands on its facts).
    pub model_note: Option<String>,
}

/// How a finished draft leaves: opened in the mail client, or copied by the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum DraftSend {
    MailClient,
    Copied,
}

/// The draft as the user edited it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SentDraft {
    pub lead_id: LeadId,
    pub subject: String,
    pub body: String,
    pub via: DraftSend,
}

pub const MAX_SUBJECT_CHARS: usize = 200;
/// Mail clients and OS launchers cut long `mailto:` links; this keeps the body well inside
/// what they all take.
pub const MAX_DRAFT_BODY_CHARS: usize = 4_000;

impl SentDraft {
    /// The subject on one line and the body with its lines, both within bounds.
    pub fn validate(&self) -> Result<(String, String), FieldError> {
        let subject = self.subject.trim();
        if subject.is_empty() {
            return Err(FieldError::new(
                LeadField::Note,
                "Give the email a subject.",
            ));
        }
        if subject.chars().any(char::is_control) || subject.chars().count() > MAX_SUBJECT_CHARS {
            return Err(FieldError::new(
                LeadField::Note,
                format!("Keep the subject to one line of at most {MAX_SUBJECT_CHARS} characters."),
            ));
        }
        let body = self.body.trim().replace("\r\n", "\n");
        if body.is_empty() {
            return Err(FieldError::new(LeadField::Note, "The email has no text."));
        }
        if body.chars().count() > MAX_DRAFT_BODY_CHARS {
            return Err(FieldError::new(
                LeadField::Note,
                format!(
                    "The email is longer than {MAX_DRAFT_BODY_CHARS} characters; mail clients cut links that long. Shorten it or copy it instead."
                ),
            ));
        }
        Ok((subject.to_owned(), body))
    }
}

/// Everything but unreserved characters (RFC 3986) is escaped in a `mailto:` field, so `&`,
/// `?`, `#`, `%`, `+` and spaces in the text stay text.
const MAILTO_FIELD: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An address keeps its `@`.
const MAILTO_ADDRESS: &AsciiSet = &MAILTO_FIELD.remove(b'@');

/// A `mailto:` link (RFC 6068) with the subject and body; line ends become CRLF as the RFC asks.
pub fn mailto(to: Option<&str>, subject: &str, body: &str) -> String {
    let body = body.replace("\r\n", "\n").replace('\n', "\r\n");
    let address = to
        .map(|a| utf8_percent_encode(a, MAILTO_ADDRESS).to_string())
        .unwrap_or_default();
    format!(
        "mailto:{address}?subject={}&body={}",
        utf8_percent_encode(subject, MAILTO_FIELD),
        utf8_percent_encode(&body, MAILTO_FIELD)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailto_link_escapes_what_would_end_a_field_and_keeps_lines() {
        let link = mailto(
            Some("ada@acme.example"),
            "Anvils & you?",
            "Hi Ada,\n\n50% off #1 + more\nBye",
        );
        assert_eq!(
            link,
            "mailto:ada@acme.example?subject=Anvils%20%26%20you%3F&body=Hi%20Ada%2C%0D%0A%0D%0A50%25%20off%20%231%20%2B%20more%0D%0ABye"
        );
        // Non-ASCII is UTF-8, percent-encoded; no address leaves the address part empty.
        assert_eq!(
            mailto(None, "Grüße", "é"),
            "mailto:?subject=Gr%C3%BC%C3%9Fe&body=%C3%A9"
        );
    }

    #[test]
    fn a_sent_draft_needs_a_one_line_subject_and_a_body_within_bounds() {
        let draft = |subject: &str, body: &str| SentDraft {
            lead_id: LeadId(1),
            subject: subject.into(),
            body: body.into(),
            via: DraftSend::Copied,
        };
        assert_eq!(
            draft(" Hello ", "Hi\r\nthere ").validate().unwrap(),
            ("Hello".into(), "Hi\nthere".into())
        );
        assert!(draft("", "x").validate().is_err());
        assert!(draft("a\nb", "x").validate().is_err());
        assert!(draft("ok", " ").validate().is_err());
        assert!(draft("ok", &"x".repeat(4001)).validate().is_err());
    }
}
