//! What kind of custom field a column of imported values wants. Fed every value of a column,
//! one at a time (a file is never held in memory), it suggests the narrowest kind that takes
//! every value as written, so creating the field from the column loses nothing: a column with
//! one word among its numbers stays text.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::custom::{
    check_custom_value, CustomField, CustomFieldId, FieldKind, MAX_CHOICES, MAX_CHOICE_CHARS,
    MAX_CUSTOM_TEXT_CHARS,
};

/// At most this many distinct values make a choice field: a longer list is a text column
/// (names, notes) rather than a set to pick from.
pub const MAX_GUESSED_CHOICES: usize = 20;

/// The field a column would become: its kind and, for a choice, the choices most used first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SuggestedField {
    pub kind: FieldKind,
    pub choices: Vec<String>,
}

/// Counts, over a column's values, which kinds take each one.
#[derive(Debug, Clone, Default)]
pub struct KindGuess {
    /// The header names phone numbers, postcodes or record IDs: digits that are not amounts,
    /// and values to keep as written rather than pick from.
    codes: bool,
    values: u32,
    numbers: u32,
    dates: u32,
    urls: u32,
    /// Distinct values by their case-folded form: (first spelling seen, uses, first seen at).
    distinct: HashMap<String, (String, u32, u32)>,
    /// A value no choice can be (too long, a comma), or more distinct values than a choice
    /// field takes: not a choice column, and `distinct` is no longer kept.
    not_choice: bool,
}

impl KindGuess {
    /// A guess for the column under `header`: one whose name says it holds phone numbers,
    /// postcodes or IDs (`Home Fax`, `Zip`, `OWNERID`, `id`) is never a number or a choice.
    pub fn for_header(header: &str) -> Self {
        KindGuess {
            codes: names_codes(header),
            ..KindGuess::default()
        }
    }

    /// One value of the column as written; empty values say nothing about the kind.
    pub fn add(&mut self, raw: &str) {
        let text = raw.trim();
        if text.is_empty() {
            return;
        }
        self.values += 1;
        if takes(FieldKind::Number, text) && !looks_like_a_code(text) {
            self.numbers += 1;
        }
        if takes(FieldKind::Date, text) {
            self.dates += 1;
        }
        if takes(FieldKind::Url, text) {
            self.urls += 1;
        }
        if self.not_choice {
            return;
        }
        // A time stamp (`2011-11-21T17:40:38.000Z`) repeats in a small export but is no choice.
        let stamped =
            text.len() > 10 && text.is_char_boundary(10) && takes(FieldKind::Date, &text[..10]);
        if stamped || text.contains(',') || text.chars().count() > MAX_CHOICE_CHARS {
            self.not_choice = true;
            self.distinct = HashMap::new();
            return;
        }
        let order = u32::try_from(self.distinct.len()).unwrap_or(u32::MAX);
        self.distinct
            .entry(text.to_lowercase())
            .or_insert_with(|| (text.to_owned(), 0, order))
            .1 += 1;
        if self.distinct.len() > MAX_GUESSED_CHOICES.min(MAX_CHOICES) {
            self.not_choice = true;
            self.distinct = HashMap::new();
        }
    }

    /// The narrowest kind every value fits: number, date or URL when all of them are one; a
    /// single choice when a few values repeat (two at least, each used twice on average, four
    /// values at least); text otherwise, and for a column with no values.
    pub fn suggest(&self) -> SuggestedField {
        let all = |n: u32| self.values > 0 && n == self.values;
        let kind = if all(self.numbers) && !self.codes {
            FieldKind::Number
        } else if all(self.dates) {
            FieldKind::Date
        } else if all(self.urls) {
            FieldKind::Url
        } else if !self.not_choice
            && !self.codes
            && self.distinct.len() >= 2
            && self.values >= 4
            && self.values as usize >= 2 * self.distinct.len()
        {
            FieldKind::Choice
        } else {
            FieldKind::Text
        };
        let choices = if kind == FieldKind::Choice {
            let mut seen: Vec<&(String, u32, u32)> = self.distinct.values().collect();
            seen.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
            seen.into_iter().map(|(value, ..)| value.clone()).collect()
        } else {
            Vec::new()
        };
        SuggestedField { kind, choices }
    }
}

/// Whether a header names a kind of code: a phone or fax number, a postcode, a record ID.
fn names_codes(header: &str) -> bool {
    const WORDS: [&str; 17] = [
        "phone",
        "telephone",
        "tel",
        "fax",
        "pager",
        "mobile",
        "cell",
        "zip",
        "zipcode",
        "postal",
        "postcode",
        "plz",
        "id",
        "uuid",
        "guid",
        "iban",
        "vat",
    ];
    // Record IDs run into the word before them in API names (`OWNERID`, `AccountId`).
    const NOT_IDS: [&str; 6] = [
        "android", "invalid", "prepaid", "postpaid", "hybrid", "squid",
    ];
    let header = header.to_lowercase();
    header.contains("郵便番号")
        || header.contains("電話")
        || header
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .any(|w| {
                WORDS.contains(&w)
                    || (w.len() >= 6 && w.ends_with("id") && !NOT_IDS.contains(&w))
                    || w.ends_with("phone")
            })
}

/// Whether a field of `kind` takes `text` as it is.
fn takes(kind: FieldKind, text: &str) -> bool {
    let field = CustomField {
        id: CustomFieldId(0),
        name: String::new(),
        kind,
        choices: Vec::new(),
        position: 0,
        lead_count: 0,
    };
    text.chars().count() <= MAX_CUSTOM_TEXT_CHARS && check_custom_value(&field, text).is_ok()
}

/// Digits that a number field would change: a leading zero (postcodes, account codes), a
/// leading `+` (phone numbers), or more digits than a number keeps exactly (IDs).
fn looks_like_a_code(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let bytes = text.as_bytes();
    text.starts_with('+')
        || (bytes.len() > 1 && bytes[0] == b'0' && bytes[1].is_ascii_digit())
        || digits > 15
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(values: &[&str]) -> SuggestedField {
        let mut guess = KindGuess::default();
        for v in values {
            guess.add(v);
        }
        guess.suggest()
    }

    fn kind(values: &[&str]) -> FieldKind {
        guess(values).kind
    }

    #[test]
    fn a_column_of_one_kind_is_that_kind() {
        assert_eq!(
            kind(&["1200", "99.5", " 1,500 ", "", "-3"]),
            FieldKind::Number
        );
        assert_eq!(kind(&["2026-01-31", "2025-12-01"]), FieldKind::Date);
        assert_eq!(
            kind(&["https://acme.example/a", "http://b.example"]),
            FieldKind::Url
        );
    }

    #[test]
    fn one_value_another_kind_would_refuse_keeps_the_column_text() {
        assert_eq!(kind(&["1200", "about 2k", "99"]), FieldKind::Text);
        assert_eq!(kind(&["2026-01-31", "31/01/2026"]), FieldKind::Text);
        assert_eq!(
            kind(&["https://acme.example", "acme.example"]),
            FieldKind::Text
        );
        assert_eq!(kind(&["2026-02-30"]), FieldKind::Text);
    }

    #[test]
    fn codes_made_of_digits_are_not_numbers() {
        assert_eq!(kind(&["02134", "10001"]), FieldKind::Text);
        assert_eq!(kind(&["+44 20 7946 0958", "+1 555 0100"]), FieldKind::Text);
        assert_eq!(kind(&["12345678901234567890"]), FieldKind::Text);
        assert_eq!(kind(&["0.5", "0"]), FieldKind::Number);
    }

    #[test]
    fn a_few_repeated_values_are_a_choice_most_used_first() {
        let suggested = guess(&[
            "Retail", "SaaS", "saas", "Retail", "SaaS", "Energy", "retail", "SaaS",
        ]);
        assert_eq!(suggested.kind, FieldKind::Choice);
        assert_eq!(suggested.choices, ["SaaS", "Retail", "Energy"]);
        assert_eq!(kind(&["Yes", "No", "No", "Yes"]), FieldKind::Choice);
    }

    #[test]
    fn values_that_do_not_repeat_enough_are_text() {
        // Three values, three different: names, not a set to pick from.
        assert_eq!(kind(&["Ada", "Grace", "Edsger"]), FieldKind::Text);
        assert_eq!(kind(&["Yes", "No", "Yes"]), FieldKind::Text);
        let many: Vec<String> = (0..MAX_GUESSED_CHOICES + 1)
            .flat_map(|i| [format!("v{i}"), format!("v{i}"), format!("v{i}")])
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(kind(&many), FieldKind::Text);
        assert_eq!(kind(&many[3..]), FieldKind::Choice);
    }

    #[test]
    fn a_value_no_choice_can_hold_keeps_the_column_text() {
        assert_eq!(kind(&["a, b", "a, b", "c", "c"]), FieldKind::Text);
        let long = "x".repeat(MAX_CHOICE_CHARS + 1);
        assert_eq!(kind(&[&long, &long, "c", "c"]), FieldKind::Text);
    }

    fn kind_under(header: &str, values: &[&str]) -> FieldKind {
        let mut guess = KindGuess::for_header(header);
        for v in values {
            guess.add(v);
        }
        guess.suggest().kind
    }

    #[test]
    fn a_header_naming_codes_keeps_digits_and_repeats_as_text() {
        for header in [
            "Home Fax",
            "Pager",
            "Assistant's Phone",
            "Business Phone 2",
            "Zip",
            "Postal Code",
            "郵便番号 (自宅)",
            "id",
            "OWNERID",
            "AccountId",
            "ORACLE_ID__C",
            "Mobile",
        ] {
            assert_eq!(
                kind_under(header, &["700", "800"]),
                FieldKind::Text,
                "{header}"
            );
            assert_eq!(
                kind_under(header, &["a1", "a1", "b2", "b2"]),
                FieldKind::Text,
                "{header}"
            );
        }
        for header in [
            "Seats",
            "NUMBEROFEMPLOYEES",
            "Amount",
            "Paid",
            "Valid",
            "Android",
        ] {
            assert_eq!(
                kind_under(header, &["700", "800"]),
                FieldKind::Number,
                "{header}"
            );
        }
        // Dates and addresses are what they are whatever the header.
        assert_eq!(kind_under("Zip", &["2026-01-02"]), FieldKind::Date);
    }

    #[test]
    fn time_stamps_are_text() {
        let stamps = ["2011-11-21T17:40:38.000Z", "2011-11-21T17:40:38.000Z"];
        assert_eq!(kind(&[stamps, stamps].concat()), FieldKind::Text);
        assert_eq!(
            kind(&["2011-11-21 09:00", "2011-11-21 09:00", "x", "x"]),
            FieldKind::Text
        );
    }

    #[test]
    fn one_value_repeated_is_not_a_choice() {
        assert_eq!(kind(&["false", "false", "FALSE", "false"]), FieldKind::Text);
    }

    #[test]
    fn an_empty_column_is_text() {
        assert_eq!(
            guess(&[]),
            SuggestedField {
                kind: FieldKind::Text,
                choices: vec![]
            }
        );
        assert_eq!(kind(&["", "  "]), FieldKind::Text);
    }

    #[test]
    fn every_suggested_choice_field_takes_every_value_it_was_made_from() {
        let values = ["Won", "won", "WON", "Lost", "lost", "Open"];
        let suggested = guess(&values);
        assert_eq!(suggested.kind, FieldKind::Choice);
        let field = CustomField {
            id: CustomFieldId(1),
            name: "Outcome".into(),
            kind: suggested.kind,
            choices: crate::normalize_choices(FieldKind::Choice, &suggested.choices).unwrap(),
            position: 0,
            lead_count: 0,
        };
        for v in values {
            assert!(check_custom_value(&field, v).unwrap().is_some(), "{v}");
        }
    }
}
