//! Saved views: a filter of the leads kept under a name, and pinned to the top bar if wanted.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::StageId;

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
    /// The name trimmed and the filter checked, ready to store.
    pub fn validate(&self) -> Result<NewView, ViewInputError> {
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
        Ok(NewView {
            name: name.to_owned(),
            filter: ViewFilter {
                text: f.text.trim().to_owned(),
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
                .validate()
                .unwrap()
                .name,
            "Hot deals"
        );
        assert_eq!(
            view(" ", ViewFilter::default())
                .validate()
                .unwrap_err()
                .field,
            "name"
        );
        let backwards = ViewFilter {
            fit_min: Some(80),
            fit_max: Some(20),
            ..ViewFilter::default()
        };
        assert_eq!(view("x", backwards).validate().unwrap_err().field, "fit");
        let over = ViewFilter {
            fit_max: Some(101),
            ..ViewFilter::default()
        };
        assert!(view("x", over).validate().is_err());
        for days in [0, 3651] {
            let never = ViewFilter {
                not_contacted_days: Some(days),
                ..ViewFilter::default()
            };
            assert_eq!(
                view("x", never).validate().unwrap_err().field,
                "notContactedDays"
            );
        }
        let quiet = ViewFilter {
            not_contacted_days: Some(30),
            stale: true,
            ..ViewFilter::default()
        };
        assert_eq!(view("x", quiet.clone()).validate().unwrap().filter, quiet);
    }

    #[test]
    fn a_filter_saved_by_an_older_version_reads_with_defaults() {
        let filter: ViewFilter = serde_json::from_str(r#"{"tags":["EMEA"]}"#).unwrap();
        assert_eq!(filter.tags, ["EMEA"]);
        assert_eq!(filter.stages, []);
        assert_eq!(filter.due, None);
    }
}
