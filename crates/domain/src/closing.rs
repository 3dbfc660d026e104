//! Closing a deal: why a lead was lost (one of a few reasons, plus the user's own words).

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::validation::{clean, FieldError, LeadField};
use crate::LeadId;

pub const MAX_LOST_NOTE_CHARS: usize = 500;

/// Why a deal was lost, as offered when a card moves to a lost stage. Spelled as stored, so the
/// store's JSON reads straight into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum LostReason {
    Price,
    Competitor,
    NoBudget,
    Timing,
    NoResponse,
    NotAFit,
    Other,
}

impl LostReason {
    pub const ALL: [LostReason; 7] = [
        LostReason::Price,
        LostReason::Competitor,
        LostReason::NoBudget,
        LostReason::Timing,
        LostReason::NoResponse,
        LostReason::NotAFit,
        LostReason::Other,
    ];

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            LostReason::Price => "price",
            LostReason::Competitor => "competitor",
            LostReason::NoBudget => "no_budget",
            LostReason::Timing => "timing",
            LostReason::NoResponse => "no_response",
            LostReason::NotAFit => "not_a_fit",
            LostReason::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// How the reason reads in an export and on the timeline.
    pub fn label(self) -> &'static str {
        match self {
            LostReason::Price => "Price",
            LostReason::Competitor => "Went with a competitor",
            LostReason::NoBudget => "No budget",
            LostReason::Timing => "Bad timing",
            LostReason::NoResponse => "Stopped responding",
            LostReason::NotAFit => "Not a fit",
            LostReason::Other => "Other",
        }
    }
}

/// What the "why was it lost?" dialog sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewLostReason {
    pub lead_id: LeadId,
    pub reason: LostReason,
    /// The user's own words; required when the reason is "other".
    pub note: Option<String>,
}

impl NewLostReason {
    /// The reason with its note trimmed (`None` when blank).
    pub fn validate(&self) -> Result<(LostReason, Option<String>), FieldError> {
        let note = self
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if let Some(note) = note {
            clean(LeadField::Note, note, MAX_LOST_NOTE_CHARS).map_err(|_| {
                FieldError::new(
                    LeadField::Note,
                    format!(
                        "Keep the reason to one line of at most {MAX_LOST_NOTE_CHARS} characters."
                    ),
                )
            })?;
        }
        if self.reason == LostReason::Other && note.is_none() {
            return Err(FieldError::new(
                LeadField::Note,
                "Say in a few words why the deal was lost.",
            ));
        }
        Ok((self.reason, note.map(str::to_owned)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost(reason: LostReason, note: Option<&str>) -> NewLostReason {
        NewLostReason {
            lead_id: LeadId(1),
            reason,
            note: note.map(str::to_owned),
        }
    }

    #[test]
    fn other_needs_words_and_notes_are_one_short_line() {
        assert_eq!(
            lost(LostReason::Price, Some("  ")).validate().unwrap(),
            (LostReason::Price, None)
        );
        assert_eq!(
            lost(LostReason::Other, Some(" moved to SAP "))
                .validate()
                .unwrap(),
            (LostReason::Other, Some("moved to SAP".into()))
        );
        assert!(lost(LostReason::Other, None).validate().is_err());
        assert!(lost(LostReason::Timing, Some("a\nb")).validate().is_err());
        assert!(lost(LostReason::Timing, Some(&"x".repeat(501)))
            .validate()
            .is_err());
        for reason in LostReason::ALL {
            assert_eq!(LostReason::parse(reason.as_str()), Some(reason));
        }
    }
}
