//! The timeline of a lead: what the user logged (notes, calls, emails, meetings) and what
//! happened to it (stage changes, and later research runs).

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::validation::{clean, FieldError, LeadField};
use crate::{ActivityId, LeadId, Timestamp};

pub const MAX_NOTE_CHARS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ActivityKind {
    Note,
    Call,
    Email,
    Meeting,
    /// Written by the app when the lead moves to another stage.
    StageChange,
    /// Written by the app when research about the lead finishes.
    Research,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Note => "note",
            ActivityKind::Call => "call",
            ActivityKind::Email => "email",
            ActivityKind::Meeting => "meeting",
            ActivityKind::StageChange => "stage_change",
            ActivityKind::Research => "research",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            ActivityKind::Note,
            ActivityKind::Call,
            ActivityKind::Email,
            ActivityKind::Meeting,
            ActivityKind::StageChange,
            ActivityKind::Research,
        ]
        .into_iter()
        .find(|k| k.as_str() == value)
    }

    /// Whether a user may log this kind by hand.
    pub fn is_manual(self) -> bool {
        matches!(
            self,
            ActivityKind::Note | ActivityKind::Call | ActivityKind::Email | ActivityKind::Meeting
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub id: ActivityId,
    pub lead_id: LeadId,
    pub kind: ActivityKind,
    pub body: String,
    /// When it happened (a call logged afterwards keeps its real time).
    pub occurred_at: Timestamp,
    pub created_at: Timestamp,
}

/// What the "log activity" box sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewActivity {
    pub lead_id: LeadId,
    pub kind: ActivityKind,
    pub body: String,
    /// Defaults to now.
    pub occurred_at: Option<Timestamp>,
}

/// The activity box's validation messages point at the note field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDraft {
    pub lead_id: LeadId,
    pub kind: ActivityKind,
    pub body: String,
    pub occurred_at: Option<Timestamp>,
}

impl NewActivity {
    pub fn validate(&self) -> Result<ActivityDraft, FieldError> {
        if !self.kind.is_manual() {
            return Err(FieldError::note(
                "Stage changes and research entries are written by Leadscout itself.",
            ));
        }
        // Notes may span lines and hold tabs; only other control characters are refused.
        let body = self.body.trim();
        if body.is_empty() {
            return Err(FieldError::note("Write something before saving."));
        }
        let stripped: String = body
            .chars()
            .filter(|c| !matches!(c, '\n' | '\r' | '\t'))
            .collect();
        clean(LeadField::Note, &stripped, usize::MAX).map_err(|_| {
            FieldError::note("The note contains an invisible control character; retype it.")
        })?;
        if body.chars().count() > MAX_NOTE_CHARS {
            return Err(FieldError::note(format!(
                "Notes are limited to {MAX_NOTE_CHARS} characters; split this one."
            )));
        }
        Ok(ActivityDraft {
            lead_id: self.lead_id,
            kind: self.kind,
            body: body.replace("\r\n", "\n"),
            occurred_at: self.occurred_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(body: &str) -> NewActivity {
        NewActivity {
            lead_id: LeadId(1),
            kind: ActivityKind::Note,
            body: body.into(),
            occurred_at: None,
        }
    }

    #[test]
    fn notes_keep_their_lines_and_refuse_blank_or_control_text() {
        assert_eq!(
            note("  line one\r\nline two\t! ").validate().unwrap().body,
            "line one\nline two\t!"
        );
        assert!(note("   ").validate().is_err());
        assert!(note("a\u{7}b").validate().is_err());
        let mut auto = note("moved");
        auto.kind = ActivityKind::StageChange;
        assert!(auto.validate().is_err());
    }
}
