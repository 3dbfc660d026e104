//! Saved views: a filter of the leads kept under a name, and pinned to the top bar if wanted.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::custom::normalize_number;
use crate::fields::normalize_date;
use crate::validation::LeadField;
use crate::{fold, CustomField, CustomFieldId, FieldKind, StageId};

/// The most custom-field conditions one view holds.
pub const MAX_CUSTOM_CONDITIONS: usize = 10;

/// A saved view by its row id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type,
)]
#[serde(transparent)]
pub struct ViewId(pub i64);

/// Which next-step due dates a view keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum DueFilter {
    /// Due before today.
    Overdue,
    /// Due today or in the next seven days.
    ThisWeek,
    /// No due date.
    Undated,
}

/// What a view lets through; every part that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct ViewFilter {
    /// Words that must all be in the name, company, email or title.
    pub text: String,
    /// Tags the lead must all have.
    pub tags: Vec<String>,
    /// Stages the lead may be in; empty for any.
    pub stages: Vec<StageId>,
    /// Inclusive bounds of the verified fit score; a lead without one fails a bound.
    pub fit_min: Option<u8>,
    pub fit_max: Option<u8>,
    pub due: Option<DueFilter>,
    /// Only leads with no call, email or meeting in this many days (never contacted included).
    pub not_contacted_days: Option<u16>,
    /// Only open deals gone quiet: no activity for the days Settings gives their stage.
    pub stale: bool,
    /// Conditions on custom fields, one per field; a lead without a value fails its field's.
    pub custom: Vec<CustomCondition>,
}

/// A condition on one custom field. What it tests depends on the field's kind: a choice field's
/// `value` is the choice the lead must hold; a text or URL field's `value` is text the lead's
/// value must contain (ignoring case and accents); a number or date field holds between `min`
/// and `max` (inclusive, either may be absent). The parts the kind does not use are empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CustomCondition {
    pub field_id: CustomFieldId,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub min: Option<String>,
    #[serde(default)]
    pub max: Option<String>,
}

/// Which leads a view's custom-field conditions let through, from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CustomMatches {
    /// The leads every condition on an existing field lets through; `None` when no condition
    /// is left to apply (every field it named was deleted).
    pub lead_ids: Option<Vec<crate::LeadId>>,
    /// The fields conditions named that no longer exist: those conditions were dropped.
    pub gone: Vec<CustomFieldId>,
}

impl CustomCondition {
    /// Checks the condition against its field and returns it in stored form: a choice spelled
    /// as defined, a number in its normal form, a date as `YYYY-MM-DD`, text trimmed.
    pub fn validate(&self, field: &CustomField) -> Result<CustomCondition, ViewInputError> {
        let name = &field.name;
        let refuse = |message: String| ViewInputError {
            field: "custom",
            message,
        };
        let value = self.value.trim();
        let bound = |raw: &Option<String>| -> Result<Option<String>, ViewInputError> {
            let Some(text) = raw.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
                return Ok(None);
            };
            match field.kind {
                FieldKind::Number => normalize_number(text).map(Some).ok_or_else(|| {
                    refuse(format!(
                        "{name}: {text:?} is not a number, like 1200 or 99.5."
                    ))
                }),
                _ => normalize_date(LeadField::NextStepDue, text)
                    .map_err(|e| refuse(format!("{name}: {}", e.message))),
            }
        };
        match field.kind {
            FieldKind::Choice => {
                let choice = field
                    .choices
                    .iter()
                    .find(|c| c.to_lowercase() == value.to_lowercase())
                    .ok_or_else(|| {
                        refuse(format!(
                            "{name} has no choice {value:?}; pick one of {}.",
                            field.choices.join(", ")
                        ))
                    })?;
                Ok(CustomCondition {
                    field_id: field.id,
                    value: choice.clone(),
                    min: None,
                    max: None,
                })
            }
            FieldKind::Text | FieldKind::Url => {
                if value.is_empty() {
                    return Err(refuse(format!("Say what {name} must contain.")));
                }
                if value.chars().count() > 200 || value.chars().any(char::is_control) {
                    return Err(refuse(format!(
                        "Keep the text {name} must contain to 200 characters."
                    )));
                }
                Ok(CustomCondition {
                    field_id: field.id,
                    value: value.to_owned(),
                    min: None,
                    max: None,
                })
            }
            FieldKind::Number | FieldKind::Date => {
                let (min, max) = (bound(&self.min)?, bound(&self.max)?);
                match (&min, &max) {
                    (None, None) => {
                        return Err(refuse(format!("Give {name} a lowest or a highest value.")))
                    }
                    (Some(lo), Some(hi)) if !in_order(field.kind, lo, hi) => {
                        return Err(refuse(format!(
                            "{name}: the lowest value is above the highest; swap them."
                        )))
                    }
                    _ => {}
                }
                Ok(CustomCondition {
                    field_id: field.id,
                    value: String::new(),
                    min,
                    max,
                })
            }
        }
    }

    /// Whether a lead's stored value (in the field's normal form) meets the condition.
    pub fn matches(&self, kind: FieldKind, value: &str) -> bool {
        match kind {
            FieldKind::Choice => value.to_lowercase() == self.value.to_lowercase(),
            FieldKind::Text | FieldKind::Url => fold(value).contains(&fold(self.value.trim())),
            FieldKind::Number | FieldKind::Date => {
                self.min
                    .as_deref()
                    .is_none_or(|lo| in_order(kind, lo, value))
                    && self
                        .max
                        .as_deref()
                        .is_none_or(|hi| in_order(kind, value, hi))
            }
        }
    }
}

/// `lo <= hi` for two values of a number or date field in normal form. A date in `YYYY-MM-DD`
/// orders as text; a number that does not parse is in no order.
fn in_order(kind: FieldKind, lo: &str, hi: &str) -> bool {
    match kind {
        FieldKind::Number => match (lo.parse::<f64>(), hi.parse::<f64>()) {
            (Ok(lo), Ok(hi)) => lo <= hi,
            _ => false,
        },
        _ => lo <= hi,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SavedView {
    pub id: ViewId,
    pub name: String,
    pub filter: ViewFilter,
    /// Shown in the top bar.
    pub pinned: bool,
}

/// What "Save view" sends: a view with this name is replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewView {
    pub name: String,
    pub filter: ViewFilter,
    pub pinned: bool,
}

/// A refused view: which input and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ViewInputError {
    pub field: &'static str,
    pub message: String,
}

impl NewView {
    /// The name trimmed and the filter checked against the custom fields there are, ready to
    /// store.
    pub fn validate(&self, fields: &[CustomField]) -> Result<NewView, ViewInputError> {
        let refuse = |field: &'static str, message: &str| ViewInputError {
            field,
            message: message.to_owned(),
        };
        let name = self.name.trim();
        if name.is_empty() {
            return Err(refuse("name", "Give the view a name."));
        }
        if name.chars().count() > 40 || name.chars().any(char::is_control) {
            return Err(refuse(
                "name",
                "Keep a view's name to 40 characters without control characters.",
            ));
        }
        let f = &self.filter;
        if f.fit_min.is_some_and(|v| v > 100) || f.fit_max.is_some_and(|v| v > 100) {
            return Err(refuse("fit", "A fit score is from 0 to 100."));
        }
        if let (Some(min), Some(max)) = (f.fit_min, f.fit_max) {
            if min > max {
                return Err(refuse(
                    "fit",
                    "The lowest fit score is above the highest; swap them.",
                ));
            }
        }
        if f.not_contacted_days.is_some_and(|d| d == 0 || d > 3650) {
            return Err(refuse(
                "notContactedDays",
                "Count the days since the last contact from 1 to 3650.",
            ));
        }
        if f.text.chars().count() > 200 || f.tags.len() > 20 || f.stages.len() > 100 {
            return Err(refuse("filter", "That filter is too long to save."));
        }
        if f.custom.len() > MAX_CUSTOM_CONDITIONS {
            return Err(refuse(
                "custom",
                "A view holds at most 10 conditions on custom fields.",
            ));
        }
        let mut custom: Vec<CustomCondition> = Vec::with_capacity(f.custom.len());
        for condition in &f.custom {
            let field = fields
                .iter()
                .find(|field| field.id == condition.field_id)
                .ok_or_else(|| {
                    refuse(
                        "custom",
                        "A custom field this filter uses was deleted; remove its condition.",
                    )
                })?;
            if custom.iter().any(|c| c.field_id == field.id) {
                return Err(ViewInputError {
                    field: "custom",
                    message: format!("Filter on {} once.", field.name),
                });
            }
            custom.push(condition.validate(field)?);
        }
        Ok(NewView {
            name: name.to_owned(),
            filter: ViewFilter {
                text: f.text.trim().to_owned(),
                custom,
                ..f.clone()
            },
            pinned: self.pinned,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(name: &str, filter: ViewFilter) -> NewView {
        NewView {
            name: name.into(),
            filter,
            pinned: true,
        }
    }

    #[test]
    fn names_and_fit_ranges_are_checked() {
        assert_eq!(
            view("  Hot deals ", ViewFilter::default())
                .validate(&[])
                .unwrap()
                .name,
            "Hot deals"
        );
        assert_eq!(
            view(" ", ViewFilter::default())
                .validate(&[])
                .unwrap_err()
                .field,
            "name"
        );
        let backwards = ViewFilter {
            fit_min: Some(80),
            fit_max: Some(20),
            ..ViewFilter::default()
        };
        assert_eq!(view("x", backwards).validate(&[]).unwrap_err().field, "fit");
        let over = ViewFilter {
            fit_max: Some(101),
            ..ViewFilter::default()
        };
        assert!(view("x", over).validate(&[]).is_err());
        for days in [0, 3651] {
            let never = ViewFilter {
                not_contacted_days: Some(days),
                ..ViewFilter::default()
            };
            assert_eq!(
                view("x", never).validate(&[]).unwrap_err().field,
                "notContactedDays"
            );
        }
        let quiet = ViewFilter {
            not_contacted_days: Some(30),
            stale: true,
            ..ViewFilter::default()
        };
        assert_eq!(
            view("x", quiet.clone()).validate(&[]).unwrap().filter,
            quiet
        );
    }

    #[test]
    fn a_filter_saved_by_an_older_version_reads_with_defaults() {
        let filter: ViewFilter = serde_json::from_str(r#"{"tags":["EMEA"]}"#).unwrap();
        assert_eq!(filter.tags, ["EMEA"]);
        assert_eq!(filter.stages, []);
        assert_eq!(filter.due, None);
    }

    fn field(id: i64, name: &str, kind: FieldKind, choices: &[&str]) -> CustomField {
        CustomField {
            id: CustomFieldId(id),
            name: name.into(),
            kind,
            choices: choices.iter().map(|c| (*c).to_owned()).collect(),
            position: id,
            lead_count: 0,
        }
    }

    fn fields() -> Vec<CustomField> {
        vec![
            field(1, "Tier", FieldKind::Choice, &["Gold", "Silver"]),
            field(2, "Budget", FieldKind::Number, &[]),
            field(3, "Renewal", FieldKind::Date, &[]),
            field(4, "Notes", FieldKind::Text, &[]),
            field(5, "Site", FieldKind::Url, &[]),
        ]
    }

    fn condition(id: i64, value: &str, min: Option<&str>, max: Option<&str>) -> CustomCondition {
        CustomCondition {
            field_id: CustomFieldId(id),
            value: value.into(),
            min: min.map(Into::into),
            max: max.map(Into::into),
        }
    }

    fn custom(conditions: Vec<CustomCondition>) -> Result<ViewFilter, ViewInputError> {
        let filter = ViewFilter {
            custom: conditions,
            ..ViewFilter::default()
        };
        view("x", filter).validate(&fields()).map(|v| v.filter)
    }

    #[test]
    fn custom_conditions_are_checked_against_their_field_and_stored_in_normal_form() {
        let saved = custom(vec![
            condition(1, " gold ", None, None),
            condition(2, "", Some("1,000"), Some("25000.50")),
            condition(3, "", None, Some("2027-01-31")),
            condition(4, "  café ", None, None),
        ])
        .unwrap();
        assert_eq!(
            saved.custom,
            [
                condition(1, "Gold", None, None),
                condition(2, "", Some("1000"), Some("25000.5")),
                condition(3, "", None, Some("2027-01-31")),
                condition(4, "café", None, None),
            ]
        );
        let refused = |c: CustomCondition| custom(vec![c]).unwrap_err();
        // A choice that does not exist, a range upside down (as numbers: 900 < 1000 even
        // though "900" > "1000" as text), a bound that is no number or no day, no bound at all.
        assert!(refused(condition(1, "Bronze", None, None))
            .message
            .contains("Gold, Silver"));
        let backwards = refused(condition(2, "", Some("1000"), Some("900")));
        assert_eq!(backwards.field, "custom");
        assert!(backwards.message.contains("swap"), "{}", backwards.message);
        assert!(custom(vec![condition(2, "", Some("900"), Some("1000"))]).is_ok());
        assert!(
            refused(condition(3, "", Some("2027-02-01"), Some("2027-01-31")))
                .message
                .contains("swap")
        );
        assert!(refused(condition(2, "", Some("lots"), None))
            .message
            .contains("Budget"));
        assert!(refused(condition(3, "", Some("2027-02-30"), None))
            .message
            .starts_with("Renewal"));
        assert!(refused(condition(2, "", None, Some(" ")))
            .message
            .contains("lowest"));
        assert!(refused(condition(5, " ", None, None))
            .message
            .contains("Site"));
        // A field that is gone, and a field filtered twice.
        assert!(refused(condition(9, "x", None, None))
            .message
            .contains("deleted"));
        let twice = custom(vec![
            condition(4, "a", None, None),
            condition(4, "b", None, None),
        ])
        .unwrap_err();
        assert_eq!(twice.message, "Filter on Notes once.");
    }

    #[test]
    fn custom_conditions_match_values_by_kind() {
        let [tier, budget, renewal, notes, site] = <[CustomField; 5]>::try_from(fields()).unwrap();
        let gold = condition(1, "Gold", None, None);
        assert!(gold.matches(tier.kind, "Gold"));
        assert!(!gold.matches(tier.kind, "Silver"));
        let mid = condition(2, "", Some("900"), Some("1000"));
        assert!(mid.matches(budget.kind, "900"));
        assert!(mid.matches(budget.kind, "1000"));
        assert!(mid.matches(budget.kind, "950.5"));
        assert!(!mid.matches(budget.kind, "10000"));
        assert!(!mid.matches(budget.kind, "-950"));
        let from = condition(2, "", Some("-5"), None);
        assert!(from.matches(budget.kind, "0"));
        assert!(!from.matches(budget.kind, "-6"));
        let by = condition(3, "", None, Some("2027-01-31"));
        assert!(by.matches(renewal.kind, "2027-01-31"));
        assert!(!by.matches(renewal.kind, "2027-02-01"));
        let cafe = condition(4, "CAFE", None, None);
        assert!(cafe.matches(notes.kind, "Met at the Café Sacher"));
        assert!(!cafe.matches(notes.kind, "Met at the bar"));
        let shop = condition(5, "shop.example", None, None);
        assert!(shop.matches(site.kind, "https://shop.example.com/"));
        assert!(!shop.matches(site.kind, "https://example.com/shop"));
    }

    #[test]
    fn a_view_saved_before_custom_fields_reads_with_no_conditions() {
        let filter: ViewFilter =
            serde_json::from_str(r#"{"text":"acme","fitMin":10,"stale":true}"#).unwrap();
        assert_eq!(filter.custom, []);
        let condition: CustomCondition = serde_json::from_str(r#"{"fieldId":4}"#).unwrap();
        assert_eq!(condition.min, None);
    }
}
