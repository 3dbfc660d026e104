//! Validation and normalisation of what users type. Every rejection names the field and says,
//! in words a salesperson understands, what to change.

use serde::{Deserialize, Serialize};
use specta::Type;
use url::{Host, Url};

pub(crate) const MAX_NAME_CHARS: usize = 200;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_EMAIL_LOCAL_CHARS: usize = 64;
const MAX_URL_CHARS: usize = 2048;

/// The lead fields a validation message can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum LeadField {
    FullName,
    Title,
    Email,
    Phone,
    LinkedinUrl,
    CompanyName,
    Website,
    Source,
    StageId,
    DealValue,
    Currency,
    NextStep,
    NextStepDue,
    /// When the deal is expected to close, `YYYY-MM-DD`.
    ExpectedClose,
    Tags,
    /// The text of a note or logged activity.
    Note,
}

impl LeadField {
    /// The field's name as the UI spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadField::FullName => "fullName",
            LeadField::Title => "title",
            LeadField::Email => "email",
            LeadField::Phone => "phone",
            LeadField::LinkedinUrl => "linkedinUrl",
            LeadField::CompanyName => "companyName",
            LeadField::Website => "website",
            LeadField::Source => "source",
            LeadField::StageId => "stageId",
            LeadField::DealValue => "dealValue",
            LeadField::Currency => "currency",
            LeadField::NextStep => "nextStep",
            LeadField::NextStepDue => "nextStepDue",
            LeadField::ExpectedClose => "expectedClose",
            LeadField::Tags => "tags",
            LeadField::Note => "note",
        }
    }

    /// Every field, in the order a lead page lists them.
    pub const ALL: [LeadField; 16] = [
        LeadField::FullName,
        LeadField::Title,
        LeadField::Email,
        LeadField::Phone,
        LeadField::LinkedinUrl,
        LeadField::CompanyName,
        LeadField::Website,
        LeadField::Source,
        LeadField::StageId,
        LeadField::DealValue,
        LeadField::Currency,
        LeadField::NextStep,
        LeadField::NextStepDue,
        LeadField::ExpectedClose,
        LeadField::Tags,
        LeadField::Note,
    ];

    /// Parses the UI spelling back (for markers stored as text).
    pub fn parse(name: &str) -> Option<LeadField> {
        LeadField::ALL.into_iter().find(|f| f.as_str() == name)
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            LeadField::FullName => "Name",
            LeadField::Title => "Title",
            LeadField::Email => "Email",
            LeadField::Phone => "Phone",
            LeadField::LinkedinUrl => "LinkedIn",
            LeadField::CompanyName => "Company",
            LeadField::Website => "Website",
            LeadField::Source => "Source",
            LeadField::StageId => "Stage",
            LeadField::DealValue => "Deal value",
            LeadField::Currency => "Currency",
            LeadField::NextStep => "Next step",
            LeadField::NextStepDue => "Due date",
            LeadField::ExpectedClose => "Expected close",
            LeadField::Tags => "Tags",
            LeadField::Note => "Note",
        }
    }
}

/// Reads a list of field names, skipping names this version does not know.
pub(crate) fn known_fields<'de, D>(deserializer: D) -> Result<Vec<LeadField>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let names = Vec::<String>::deserialize(deserializer)?;
    Ok(names.iter().filter_map(|n| LeadField::parse(n)).collect())
}

/// One field the user has to correct, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub field: LeadField,
    pub message: String,
}

impl FieldError {
    pub(crate) fn note(message: impl Into<String>) -> Self {
        FieldError::new(LeadField::Note, message)
    }

    pub fn new(field: LeadField, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

/// Trims, and refuses control characters (a pasted tab or NUL would corrupt exports later).
pub(crate) fn clean(field: LeadField, raw: &str, max_chars: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            format!(
                "{} contains an invisible control character; retype it.",
                field.label()
            ),
        ));
    }
    let count = text.chars().count();
    if count > max_chars {
        return Err(FieldError::new(
            field,
            format!(
                "{} is too long ({count} characters); keep it under {max_chars}.",
                field.label()
            ),
        ));
    }
    Ok(text.to_owned())
}

pub(crate) fn normalize_required_text(field: LeadField, raw: &str) -> Result<String, FieldError> {
    let text = clean(field, raw, MAX_NAME_CHARS)?;
    if text.is_empty() {
        return Err(FieldError::new(
            field,
            format!("{} is required.", field.label()),
        ));
    }
    Ok(text)
}

pub(crate) fn normalize_optional_text(
    field: LeadField,
    raw: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    match raw {
        None => Ok(None),
        Some(raw) => {
            let text = clean(field, raw, max_chars)?;
            Ok((!text.is_empty()).then_some(text))
        }
    }
}

/// Accepts `local@domain.tld`, lower-cases the domain (the local part is case-sensitive by the
/// RFC, and some servers honour that), and refuses anything a mail server would bounce.
pub(crate) fn normalize_email(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = normalize_optional_text(LeadField::Email, raw, MAX_EMAIL_CHARS)? else {
        return Ok(None);
    };
    let invalid = || {
        FieldError::new(
            LeadField::Email,
            "Enter an email address like name@company.com.",
        )
    };
    // Two addresses in one field (import splits on these, so the lead could not come back).
    if text.contains([',', ';']) {
        return Err(FieldError::new(
            LeadField::Email,
            "Enter one email address; put any others in a note.",
        ));
    }
    let (local, domain) = text.rsplit_once('@').ok_or_else(invalid)?;
    // Checked as stored: lower-casing can change a name (`İ` becomes `i` and a combining dot).
    let domain = domain.to_lowercase();
    let local_ok = !local.is_empty()
        && local.chars().count() <= MAX_EMAIL_LOCAL_CHARS
        && !local.contains('@')
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.chars().any(char::is_whitespace)
        // Allowed only inside quotes by the RFC, which no salesperson's contact uses.
        && !local.contains(['<', '>', '(', ')', '[', ']', '\\', ':', '"']);
    if !local_ok || !is_domain_name(&domain) {
        return Err(invalid());
    }
    normalize_optional_text(
        LeadField::Email,
        Some(&format!("{local}@{domain}")),
        MAX_EMAIL_CHARS,
    )
}

/// A hostname with at least two labels, each made of letters, digits and inner hyphens
/// (Unicode letters allowed: IDNs are valid company domains).
pub(crate) fn is_domain_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(char::is_alphabetic) || tld.starts_with("xn--"))
}

/// Accepts what people type for a company website (`acme.com`, `www.acme.com/about`,
/// `https://acme.com`) and returns an absolute http(s) URL without fragment or credentials.
pub(crate) fn normalize_website(raw: Option<&str>) -> Result<Option<Url>, FieldError> {
    let Some(text) = normalize_optional_text(LeadField::Website, raw, MAX_URL_CHARS)? else {
        return Ok(None);
    };
    let invalid = || {
        FieldError::new(
            LeadField::Website,
            "Enter the company's web address, like acme.com or https://acme.com.",
        )
    };
    if text.chars().any(char::is_whitespace) {
        return Err(invalid());
    }
    let has_scheme = text.contains("://");
    let candidate = if has_scheme {
        text
    } else {
        format!("https://{text}")
    };
    let mut url = Url::parse(&candidate).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FieldError::new(
            LeadField::Website,
            "Only http and https web addresses can be used as a website.",
        ));
    }
    match url.host() {
        Some(Host::Domain(domain)) if is_domain_name(domain) => {}
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {
            return Err(FieldError::new(
                LeadField::Website,
                "Use the company's domain name rather than an IP address.",
            ))
        }
        _ => return Err(invalid()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FieldError::new(
            LeadField::Website,
            "Remove the user name or password from the web address.",
        ));
    }
    url.set_fragment(None);
    // Percent-encoding and punycode can make the stored address longer than what was typed;
    // it must pass this check again (an edit, a re-import).
    clean(LeadField::Website, url.as_str(), MAX_URL_CHARS)?;
    Ok(Some(url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewLead;

    fn lead(full_name: &str) -> NewLead {
        NewLead {
            full_name: full_name.to_owned(),
            ..NewLead::default()
        }
    }

    #[test]
    fn trims_names_and_turns_blank_optionals_into_none() {
        let draft = NewLead {
            full_name: "  Ada Lovelace ".into(),
            email: Some("   ".into()),
            company_name: Some(" Analytical Engines ".into()),
            website: Some("".into()),
            stage_id: None,
        }
        .validate()
        .unwrap();
        assert_eq!(draft.full_name, "Ada Lovelace");
        assert_eq!(draft.email, None);
        assert_eq!(draft.company_name.as_deref(), Some("Analytical Engines"));
        assert_eq!(draft.website, None);
    }

    #[test]
    fn a_blank_name_is_refused_with_a_message_on_the_name_field() {
        let err = lead("   ").validate().unwrap_err();
        assert_eq!(err.field, LeadField::FullName);
        assert_eq!(err.message, "Name is required.");
    }

    #[test]
    fn control_characters_and_overlong_names_are_refused() {
        assert_eq!(
            lead("Ada\u{0}Lovelace").validate().unwrap_err().field,
            LeadField::FullName
        );
        let long = "x".repeat(201);
        assert!(lead(&long)
            .validate()
            .unwrap_err()
            .message
            .contains("too long"));
    }

    #[test]
    fn emails_are_checked_and_their_domain_lowercased() {
        let ok = |raw: &str| normalize_email(Some(raw)).unwrap();
        assert_eq!(
            ok(" Ada.L@Example.COM ").as_deref(),
            Some("Ada.L@example.com")
        );
        assert_eq!(ok("jürgen@müller.de").as_deref(), Some("jürgen@müller.de"));
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a da@example.com",
            "ada@exa_mple.com",
            ".ada@example.com",
            "ada..l@example.com",
            "ada@-example.com",
            "ada@example.c0m",
            // Found while fuzzing: lower-cased, the name holds a combining dot, which the next
            // edit or import refused.
            "ada@İstanbul.com",
            "<ada>@example.com",
            "\"ada\"@example.com",
        ] {
            let err = normalize_email(Some(bad)).unwrap_err();
            assert_eq!(err.field, LeadField::Email, "{bad} should be refused");
        }
    }

    #[test]
    fn two_addresses_in_one_field_are_refused_with_a_way_out() {
        for raw in [
            "ada@example.com, grace@example.com",
            "a,da@example.com",
            "ada;x@example.com",
        ] {
            let err = normalize_email(Some(raw)).unwrap_err();
            assert_eq!(
                err.message,
                "Enter one email address; put any others in a note."
            );
        }
    }

    #[test]
    fn websites_gain_a_scheme_and_lose_their_fragment() {
        let ok = |raw: &str| normalize_website(Some(raw)).unwrap().unwrap().to_string();
        assert_eq!(ok("acme.com"), "https://acme.com/");
        assert_eq!(ok("WWW.Acme.com/About#team"), "https://www.acme.com/About");
        assert_eq!(ok("http://acme.co.uk"), "http://acme.co.uk/");
        assert_eq!(ok("bücher.de"), "https://xn--bcher-kva.de/");
        // Found while fuzzing: 509 typed characters stored as 3,017.
        let long = format!("acme.com/{}", "é".repeat(500));
        assert!(normalize_website(Some(&long))
            .unwrap_err()
            .message
            .contains("too long"));
    }

    #[test]
    fn websites_that_cannot_be_a_company_site_are_refused() {
        for bad in [
            "acme",
            "ftp://acme.com",
            "javascript:alert(1)",
            "https://127.0.0.1/",
            "http://[::1]/",
            "https://user:pw@acme.com",
            "acme .com",
            "https://",
        ] {
            let err = normalize_website(Some(bad)).unwrap_err();
            assert_eq!(err.field, LeadField::Website, "{bad} should be refused");
        }
    }

    #[test]
    fn field_names_match_the_ui_spelling() {
        for field in LeadField::ALL {
            assert_eq!(LeadField::parse(field.as_str()), Some(field));
            assert_eq!(
                serde_json::to_value(field).unwrap(),
                serde_json::Value::String(field.as_str().to_owned())
            );
        }
    }
}
