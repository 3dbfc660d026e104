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

/// How a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CallOutcome {
    Connected,
    NoAnswer,
    LeftVoicemail,
    WrongNumber,
}

impl CallOutcome {
    pub const ALL: [CallOutcome; 4] = [
        CallOutcome::Connected,
        CallOutcome::NoAnswer,
        CallOutcome::LeftVoicemail,
        CallOutcome::WrongNumber,
    ];

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Connected => "connected",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::LeftVoicemail => "left_voicemail",
            CallOutcome::WrongNumber => "wrong_number",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == value)
    }
}

impl ActivityKind {
    /// Whether this kind is a touch with the person (a call, email or meeting): what "last
    /// contacted" is computed from. A note is not.
    pub fn is_contact(self) -> bool {
        matches!(
            self,
            ActivityKind::Call | ActivityKind::Email | ActivityKind::Meeting
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
    /// How a call went; only calls have one (and calls logged before outcomes existed lack it).
    #[serde(default)]
    pub outcome: Option<CallOutcome>,
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
    /// Calls only.
    #[serde(default)]
    pub outcome: Option<CallOutcome>,
    /// Defaults to now.
    pub occurred_at: Option<Timestamp>,
}

/// The activity box's validation messages point at the note field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDraft {
    pub lead_id: LeadId,
    pub kind: ActivityKind,
    pub body: String,
    pub outcome: Option<CallOutcome>,
    pub occurred_at: Option<Timestamp>,
}

impl NewActivity {
    pub fn validate(&self) -> Result<ActivityDraft, FieldError> {
        if !self.kind.is_manual() {
            return Err(FieldError::note(
                "Stage changes and research entries are written by Leadscout itself.",
            ));
        }
        if self.outcome.is_some() && self.kind != ActivityKind::Call {
            return Err(FieldError::note("Only a call has an outcome."));
        }
        // Notes may span lines and hold tabs; only other control characters are refused.
        // A call, email or meeting says what happened by itself (and when): its note is
        // optional. A note is nothing but its text.
        let body = self.body.trim();
        if body.is_empty() && self.kind == ActivityKind::Note {
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
            outcome: self.outcome,
            occurred_at: self.occurred_at,
        })
    }
}

/// What the quick-log sends: the activity, and the lead's next follow-up when the user set one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogActivity {
    pub activity: NewActivity,
    pub follow_up: Option<crate::FollowUpInput>,
}

/// The logged entry and the lead as it is now (its last contact and follow-up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LoggedActivity {
    pub activity: Activity,
    pub lead: crate::Lead,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(body: &str) -> NewActivity {
        NewActivity {
            lead_id: LeadId(1),
            kind: ActivityKind::Note,
            body: body.into(),
            outcome: None,
            occurred_at: None,
        }
    }

    #[test]
    fn only_calls_carry_an_outcome_and_touches_may_be_logged_without_text() {
        let mut call = note("");
        call.kind = ActivityKind::Call;
        call.outcome = Some(CallOutcome::NoAnswer);
        let draft = call.validate().unwrap();
        assert_eq!(draft.body, "");
        assert_eq!(draft.outcome, Some(CallOutcome::NoAnswer));
        let mut meeting = note("");
        meeting.kind = ActivityKind::Meeting;
        assert!(meeting.validate().is_ok());
        meeting.outcome = Some(CallOutcome::Connected);
        assert_eq!(
            meeting.validate().unwrap_err().message,
            "Only a call has an outcome."
        );
        for outcome in CallOutcome::ALL {
            assert_eq!(CallOutcome::parse(outcome.as_str()), Some(outcome));
        }
        assert!(ActivityKind::Email.is_contact() && !ActivityKind::Note.is_contact());
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
