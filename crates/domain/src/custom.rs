//! Custom fields: fields the user defines on leads (text, number, date, single choice, URL),
//! and the rules a value must meet for each kind. The messages name the field, so an import
//! row or a drawer edit says which field was refused.

use serde::{Deserialize, Serialize};
use specta::Type;
use url::Url;

use crate::fields::normalize_date;
use crate::validation::LeadField;
use crate::LeadId;

/// A custom field by its row id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type,
)]
#[serde(transparent)]
pub struct CustomFieldId(pub i64);

impl std::fmt::Display for CustomFieldId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

pub const MAX_FIELD_NAME_CHARS: usize = 40;
pub const MAX_CHOICES: usize = 50;
pub const MAX_CHOICE_CHARS: usize = 60;
/// Long enough for the multi-line notes and addresses CRM exports carry in text columns (a
/// value over it is left out of an import with a warning), short enough to edit in the drawer.
pub const MAX_CUSTOM_TEXT_CHARS: usize = 10_000;
pub const MAX_CUSTOM_URL_CHARS: usize = 2000;

/// What a custom field holds, which decides its input in the drawer and what a value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    Number,
    Date,
    Choice,
    Url,
}

impl FieldKind {
    pub const ALL: [FieldKind; 5] = [
        FieldKind::Text,
        FieldKind::Number,
        FieldKind::Date,
        FieldKind::Choice,
        FieldKind::Url,
    ];

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
            FieldKind::Choice => "choice",
            FieldKind::Url => "url",
        }
    }

    /// Parses the stored value; `None` for anything the schema's CHECK would reject.
    pub fn parse(value: &str) -> Option<Self> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// A field the user defined, as Settings and the drawer show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CustomField {
    pub id: CustomFieldId,
    pub name: String,
    pub kind: FieldKind,
    /// The allowed values of a `choice` field, in order; empty for the other kinds.
    pub choices: Vec<String>,
    /// 0-based order in Settings, the drawer and exports.
    pub position: i64,
    /// How many live leads hold a value: what deleting the field would lose.
    pub lead_count: u32,
}

/// What the "add field" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewCustomField {
    pub name: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub choices: Vec<String>,
}

/// Changes to a field; absent parts stay as they are. The kind is chosen once, when the field
/// is added: values already written are only valid for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldEdit {
    pub name: Option<String>,
    pub choices: Option<Vec<String>>,
}

/// One lead's value of one field, in the field's normalised form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CustomValue {
    pub field_id: CustomFieldId,
    pub value: String,
}

/// Setting (or, with an empty `value`, clearing) one lead's value of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SetCustomValue {
    pub lead_id: LeadId,
    pub field_id: CustomFieldId,
    pub value: String,
}

/// A refused field definition or value: which input (`name`, `choices`, `value`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CustomFieldError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> CustomFieldError {
    CustomFieldError {
        field,
        message: message.into(),
    }
}

/// A field's name: trimmed, present, printable, short enough to be a column header.
pub fn normalize_field_name(raw: &str) -> Result<String, CustomFieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(refuse("name", "Give the field a name."));
    }
    if name.chars().any(char::is_control) {
        return Err(refuse(
            "name",
            "The name contains an invisible control character; retype it.",
        ));
    }
    if name.chars().count() > MAX_FIELD_NAME_CHARS {
        return Err(refuse(
            "name",
            format!("Keep field names under {MAX_FIELD_NAME_CHARS} characters."),
        ));
    }
    Ok(name.to_owned())
}

/// A choice field's choices: trimmed, non-empty, unique ignoring case, at least one. Other
/// kinds have none (whatever was sent is dropped).
pub fn normalize_choices(kind: FieldKind, raw: &[String]) -> Result<Vec<String>, CustomFieldError> {
    if kind != FieldKind::Choice {
        return Ok(Vec::new());
    }
    let mut choices: Vec<String> = Vec::new();
    for choice in raw {
        let choice = choice.trim();
        if choice.is_empty() {
            continue;
        }
        if choice.chars().any(char::is_control) {
            return Err(refuse(
                "choices",
                format!("The choice {choice:?} contains an invisible control character."),
            ));
        }
        if choice.contains(',') {
            return Err(refuse(
                "choices",
                format!("{choice} contains a comma; Settings separates choices with commas."),
            ));
        }
        if choice.chars().count() > MAX_CHOICE_CHARS {
            return Err(refuse(
                "choices",
                format!("Keep each choice under {MAX_CHOICE_CHARS} characters."),
            ));
        }
        if choices
            .iter()
            .any(|c| c.to_lowercase() == choice.to_lowercase())
        {
            return Err(refuse(
                "choices",
                format!("{choice} is listed twice; each choice must be different."),
            ));
        }
        choices.push(choice.to_owned());
    }
    if choices.is_empty() {
        return Err(refuse(
            "choices",
            "A choice field needs at least one choice to pick from.",
        ));
    }
    if choices.len() > MAX_CHOICES {
        return Err(refuse(
            "choices",
            format!("A choice field holds at most {MAX_CHOICES} choices."),
        ));
    }
    Ok(choices)
}

/// Checks `raw` against the field and returns the form to store: `None` for an empty value
/// (which clears it). Text keeps its line breaks and tabs. Numbers parse (a thousands separator `,` or space is allowed), dates are
/// ISO `YYYY-MM-DD`, URLs are http(s), a choice is one of the field's (matched ignoring case,
/// stored as defined). Every message names the field.
pub fn check_custom_value(
    field: &CustomField,
    raw: &str,
) -> Result<Option<String>, CustomFieldError> {
    let name = &field.name;
    // Line breaks are kept in text (an export's formatted address, a note of several lines),
    // written as `\n` whatever the file used; anywhere else they are refused as controls.
    let unified;
    let text = if field.kind == FieldKind::Text && raw.contains('\r') {
        unified = raw.replace("\r\n", "\n").replace('\r', "\n");
        unified.trim()
    } else {
        raw.trim()
    };
    if text.is_empty() {
        return Ok(None);
    }
    let allowed = |c: char| field.kind == FieldKind::Text && matches!(c, '\n' | '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(refuse(
            "value",
            format!("{name} contains an invisible control character; retype it."),
        ));
    }
    let too_long = |max: usize| {
        refuse(
            "value",
            format!("{name} is too long; keep it under {max} characters."),
        )
    };
    match field.kind {
        FieldKind::Text => {
            if text.chars().count() > MAX_CUSTOM_TEXT_CHARS {
                return Err(too_long(MAX_CUSTOM_TEXT_CHARS));
            }
            Ok(Some(text.to_owned()))
        }
        FieldKind::Number => normalize_number(text).map(Some).ok_or_else(|| {
            refuse(
                "value",
                format!("{name} must be a number, like 1200 or 99.5 (you entered {text:?})."),
            )
        }),
        FieldKind::Date => normalize_date(LeadField::NextStepDue, text)
            .map_err(|e| refuse("value", format!("{name}: {}", e.message))),
        FieldKind::Url => {
            if text.len() > MAX_CUSTOM_URL_CHARS {
                return Err(too_long(MAX_CUSTOM_URL_CHARS));
            }
            let invalid = || {
                refuse(
                    "value",
                    format!("{name} must be a web address starting with http:// or https://."),
                )
            };
            let url = Url::parse(text).map_err(|_| invalid())?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(invalid());
            }
            Ok(Some(url.to_string()))
        }
        FieldKind::Choice => field
            .choices
            .iter()
            .find(|c| c.to_lowercase() == text.to_lowercase())
            .map(|c| Some(c.clone()))
            .ok_or_else(|| {
                refuse(
                    "value",
                    format!(
                        "{name} must be one of {}; {text:?} is not.",
                        field.choices.join(", ")
                    ),
                )
            }),
    }
}

/// A number in the shortest decimal form that reads back the same (`1200`, `99.5`, `-3`), or
/// `None` if `text` is not one. Grouping commas, spaces and underscores are dropped first.
pub fn normalize_number(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '_' | '\u{a0}'))
        .collect();
    // Rust also parses "inf", "NaN" and "1e5"; a salesperson's number is plain digits.
    if compact.is_empty()
        || !compact
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
    {
        return None;
    }
    let value: f64 = compact.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    Some(format!("{value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: FieldKind, choices: &[&str]) -> CustomField {
        CustomField {
            id: CustomFieldId(1),
            name: "Budget".into(),
            kind,
            choices: choices.iter().map(|c| (*c).to_owned()).collect(),
            position: 0,
            lead_count: 0,
        }
    }

    #[test]
    fn text_keeps_its_line_breaks_and_other_kinds_refuse_them() {
        let text = field(FieldKind::Text, &[]);
        assert_eq!(
            check_custom_value(&text, "12 Rue Lepic\r\n75018 Paris\rFrance\t(home)\n")
                .unwrap()
                .as_deref(),
            Some("12 Rue Lepic\n75018 Paris\nFrance\t(home)")
        );
        assert!(check_custom_value(&text, "bell\u{7}").is_err());
        assert!(check_custom_value(&text, "null\0").is_err());
        let choice = field(FieldKind::Choice, &["Gold"]);
        assert!(check_custom_value(&choice, "Go\nld").is_err());
        let url = field(FieldKind::Url, &[]);
        assert!(check_custom_value(&url, "https://a.example/\nx").is_err());
    }

    #[test]
    fn numbers_parse_and_are_stored_in_one_form() {
        let f = field(FieldKind::Number, &[]);
        assert_eq!(
            check_custom_value(&f, " 1,200 ").unwrap().as_deref(),
            Some("1200")
        );
        assert_eq!(
            check_custom_value(&f, "99.50").unwrap().as_deref(),
            Some("99.5")
        );
        assert_eq!(check_custom_value(&f, "-3").unwrap().as_deref(), Some("-3"));
        assert_eq!(check_custom_value(&f, "  ").unwrap(), None);
        for bad in ["twelve", "inf", "NaN", "1e5", "12..5", "€12"] {
            let err = check_custom_value(&f, bad).unwrap_err();
            assert_eq!(err.field, "value");
            assert!(
                err.message.starts_with("Budget must be a number"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn dates_are_iso_calendar_days() {
        let f = field(FieldKind::Date, &[]);
        assert_eq!(
            check_custom_value(&f, "2027-02-28").unwrap().as_deref(),
            Some("2027-02-28")
        );
        for bad in ["28/02/2027", "2027-02-30", "2027-2-3", "tomorrow"] {
            let err = check_custom_value(&f, bad).unwrap_err();
            assert!(err.message.starts_with("Budget: "), "{bad}: {err}");
        }
    }

    #[test]
    fn urls_must_be_web_addresses() {
        let f = field(FieldKind::Url, &[]);
        assert_eq!(
            check_custom_value(&f, "https://example.com/deal")
                .unwrap()
                .as_deref(),
            Some("https://example.com/deal")
        );
        for bad in [
            "example.com",
            "javascript:alert(1)",
            "ftp://example.com/",
            "mailto:a@b.c",
        ] {
            let err = check_custom_value(&f, bad).unwrap_err();
            assert!(
                err.message.contains("Budget must be a web address"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn a_choice_is_one_of_the_fields_choices_spelled_as_defined() {
        let f = field(FieldKind::Choice, &["Small", "Enterprise"]);
        assert_eq!(
            check_custom_value(&f, "enterprise").unwrap().as_deref(),
            Some("Enterprise")
        );
        let err = check_custom_value(&f, "Medium").unwrap_err();
        assert_eq!(
            err.message,
            "Budget must be one of Small, Enterprise; \"Medium\" is not."
        );
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let f = field(FieldKind::Text, &[]);
        assert_eq!(
            check_custom_value(&f, "  warm intro ").unwrap().as_deref(),
            Some("warm intro")
        );
        let longest = "x".repeat(MAX_CUSTOM_TEXT_CHARS);
        assert_eq!(
            check_custom_value(&f, &longest).unwrap().as_deref(),
            Some(longest.as_str())
        );
        assert!(check_custom_value(&f, &"x".repeat(MAX_CUSTOM_TEXT_CHARS + 1)).is_err());
        assert!(check_custom_value(&f, "a\u{0}b").is_err());
    }

    #[test]
    fn names_and_choices_are_checked() {
        assert_eq!(normalize_field_name("  Budget ").unwrap(), "Budget");
        assert_eq!(normalize_field_name(" ").unwrap_err().field, "name");
        assert!(normalize_field_name(&"x".repeat(41)).is_err());
        let raw = |v: &[&str]| v.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            normalize_choices(FieldKind::Choice, &raw(&[" Small", "", "Large "])).unwrap(),
            ["Small", "Large"]
        );
        assert!(normalize_choices(FieldKind::Choice, &raw(&["A", "a"])).is_err());
        assert!(normalize_choices(FieldKind::Choice, &raw(&["1,000+"])).is_err());
        assert!(normalize_choices(FieldKind::Choice, &raw(&[" "])).is_err());
        assert!(normalize_choices(FieldKind::Text, &raw(&["ignored"]))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn kinds_round_trip_through_their_stored_form() {
        for kind in FieldKind::ALL {
            assert_eq!(FieldKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(FieldKind::parse("boolean"), None);
    }
}
