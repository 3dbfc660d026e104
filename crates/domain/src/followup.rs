//! Follow-ups: a lead's next step with a date and an optional time, the reminder it becomes when
//! it is due, and the Today view built from them. Local wall-clock time enters through
//! [`LocalZone`], so everything here is testable in a zone the test chooses.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::fields::normalize_date;
use crate::time::{civil_from_days, days_from_civil, DAY_MS};
use crate::validation::{FieldError, LeadField};
use crate::{LeadId, StageId, Timestamp};

const MINUTE_MS: i64 = 60 * 1000;
const HOUR_MS: i64 = 60 * MINUTE_MS;

/// A date-only follow-up reminds at the start of the working day.
pub const MORNING: &str = "09:00";

/// The user's time zone: turns a wall-clock date and time into an instant and back. The app
/// uses the system's zone; tests use a fixed offset.
pub trait LocalZone: Send + Sync {
    /// The instant of `date` (`YYYY-MM-DD`) at `minutes` past local midnight.
    fn instant(&self, date: &str, minutes: u32) -> Option<Timestamp>;
    /// The local calendar date (`YYYY-MM-DD`) of an instant.
    fn date_of(&self, at: Timestamp) -> String;
}

/// A zone at a fixed distance from UTC (no daylight saving).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedOffset {
    pub minutes: i32,
}

impl LocalZone for FixedOffset {
    fn instant(&self, date: &str, minutes: u32) -> Option<Timestamp> {
        let days = days_of(date)?;
        Some(Timestamp(
            days * DAY_MS + i64::from(minutes) * MINUTE_MS - i64::from(self.minutes) * MINUTE_MS,
        ))
    }

    fn date_of(&self, at: Timestamp) -> String {
        Timestamp(at.0 + i64::from(self.minutes) * MINUTE_MS).date()
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn days_of(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(str::parse::<i64>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Some(days_from_civil(y, m, d))
}

/// The date `days` after `date` (`YYYY-MM-DD`).
pub fn add_days(date: &str, days: i64) -> Option<String> {
    let (y, m, d) = civil_from_days(days_of(date)? + days);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Minutes past midnight of an `HH:MM` time.
pub fn minutes_of(time: &str) -> Option<u32> {
    let (h, m) = time.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// The instant a follow-up on `date` at `time` (09:00 when none) is due, in `zone`.
pub fn due_instant(zone: &dyn LocalZone, date: &str, time: Option<&str>) -> Option<Timestamp> {
    zone.instant(date, minutes_of(time.unwrap_or(MORNING))?)
}

/// What the drawer's follow-up form sends: a next step, a date and an optional time, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpInput {
    pub next_step: Option<String>,
    /// `YYYY-MM-DD`; blank clears the follow-up.
    pub date: Option<String>,
    /// `HH:MM`, 24-hour; blank reminds at 09:00.
    pub time: Option<String>,
}

/// A validated follow-up: a date, and a time only with a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpDraft {
    pub next_step: Option<String>,
    pub date: Option<String>,
    pub time: Option<String>,
}

impl FollowUpInput {
    pub fn validate(&self) -> Result<FollowUpDraft, FieldError> {
        let next_step = crate::validation::normalize_optional_text(
            LeadField::NextStep,
            self.next_step.as_deref(),
            crate::fields::MAX_TEXT_CHARS,
        )?;
        let date = normalize_date(LeadField::NextStepDue, self.date.as_deref().unwrap_or(""))?;
        let time = match self
            .time
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => None,
            Some(_) if date.is_none() => {
                return Err(FieldError::new(
                    LeadField::NextStepDue,
                    "Choose a date for the follow-up before its time.",
                ))
            }
            Some(t) => {
                // "9:30" is as clear as "09:30".
                let padded = if t.len() == 4 {
                    format!("0{t}")
                } else {
                    t.to_owned()
                };
                if minutes_of(&padded).is_none() {
                    return Err(FieldError::new(
                        LeadField::NextStepDue,
                        "Enter a time as HH:MM, like 14:30.",
                    ));
                }
                Some(padded)
            }
        };
        Ok(FollowUpDraft {
            next_step,
            date,
            time,
        })
    }
}

/// How long a reminder is put off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Snooze {
    OneHour,
    /// Tomorrow at 09:00.
    Tomorrow,
    /// Seven days from today at 09:00.
    NextWeek,
}

impl Snooze {
    /// The instant the reminder comes back.
    pub fn until(self, now: Timestamp, zone: &dyn LocalZone) -> Timestamp {
        let morning_in = |days: i64| {
            add_days(&zone.date_of(now), days)
                .and_then(|date| due_instant(zone, &date, None))
                // A date the zone cannot place (never for real dates): a day per day.
                .unwrap_or(Timestamp(now.0 + days * DAY_MS))
        };
        match self {
            Snooze::OneHour => Timestamp(now.0 + HOUR_MS),
            Snooze::Tomorrow => morning_in(1),
            Snooze::NextWeek => morning_in(7),
        }
    }

    /// The words on its button and notification action.
    pub fn label(self) -> &'static str {
        match self {
            Snooze::OneHour => "Snooze 1 hour",
            Snooze::Tomorrow => "Tomorrow",
            Snooze::NextWeek => "Next week",
        }
    }
}

/// A follow-up as reminders and the Today view show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FollowUp {
    pub lead_id: LeadId,
    pub full_name: String,
    pub company_name: Option<String>,
    pub stage_name: String,
    pub next_step: Option<String>,
    /// `YYYY-MM-DD`, local.
    pub date: String,
    /// `HH:MM`, local, when one was set.
    pub time: Option<String>,
    /// When the reminder is due (after a snooze, when it comes back).
    pub due_at: Timestamp,
}

impl FollowUp {
    /// The notification's summary and body for this follow-up.
    pub fn message(&self) -> (String, String) {
        let who = match &self.company_name {
            Some(company) => format!("{} ({company})", self.full_name),
            None => self.full_name.clone(),
        };
        (
            format!("Follow up: {who}"),
            self.next_step
                .clone()
                .unwrap_or_else(|| "A follow-up is due.".to_owned()),
        )
    }
}

/// Reminders missed while the app was not running, as one notification.
pub fn missed_message(missed: &[FollowUp]) -> (String, String) {
    let summary = match missed.len() {
        1 => "1 follow-up came due while Leadscout was closed".to_owned(),
        n => format!("{n} follow-ups came due while Leadscout was closed"),
    };
    let mut lines: Vec<String> = missed
        .iter()
        .take(5)
        .map(|f| match &f.next_step {
            Some(step) => format!("{}: {step}", f.full_name),
            None => f.full_name.clone(),
        })
        .collect();
    if missed.len() > 5 {
        lines.push(format!("and {} more in Today", missed.len() - 5));
    }
    (summary, lines.join("\n"))
}

/// How many days without activity make an open deal in a stage stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StaleRule {
    pub stage_id: StageId,
    pub days: u16,
}

/// The most days a stale rule may name.
pub const MAX_STALE_DAYS: u16 = 365;

/// A deal with no activity and no edit for at least its stage's number of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StaleLead {
    pub lead_id: LeadId,
    pub full_name: String,
    pub company_name: Option<String>,
    pub stage_name: String,
    /// The last activity or edit.
    pub last_touched_at: Timestamp,
    pub idle_days: u32,
}

/// A lead whose research finished since the user last looked at Today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ResearchedLead {
    pub lead_id: LeadId,
    pub full_name: String,
    pub company_name: Option<String>,
    pub finished_at: Timestamp,
    pub failed: bool,
}

/// The salesperson's day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TodayView {
    pub overdue: Vec<FollowUp>,
    pub due_today: Vec<FollowUp>,
    /// The next seven days.
    pub upcoming: Vec<FollowUp>,
    pub stale: Vec<StaleLead>,
    pub researched: Vec<ResearchedLead>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const BERLIN_WINTER: FixedOffset = FixedOffset { minutes: 60 };

    #[test]
    fn a_follow_up_is_due_at_its_local_time_or_at_nine() {
        // 2026-12-02 09:00 in UTC+1 is 08:00 UTC.
        let nine = due_instant(&BERLIN_WINTER, "2026-12-02", None).unwrap();
        assert_eq!(nine.0, 1_796_169_600_000 + 8 * HOUR_MS);
        let half_two = due_instant(&BERLIN_WINTER, "2026-12-02", Some("14:30")).unwrap();
        assert_eq!(half_two.0 - nine.0, 5 * HOUR_MS + 30 * MINUTE_MS);
        assert_eq!(
            BERLIN_WINTER.date_of(Timestamp(nine.0 - 10 * HOUR_MS)),
            "2026-12-01"
        );
        assert_eq!(
            BERLIN_WINTER.date_of(Timestamp(nine.0 - 9 * HOUR_MS)),
            "2026-12-02"
        );
        assert_eq!(add_days("2026-12-31", 1).as_deref(), Some("2027-01-01"));
        assert_eq!(add_days("2028-02-28", 1).as_deref(), Some("2028-02-29"));
    }

    #[test]
    fn snoozes_come_back_in_an_hour_tomorrow_morning_or_next_week() {
        // 23:30 local on 2026-12-02: "tomorrow" is the 3rd at 09:00 local, not UTC's date.
        let now = due_instant(&BERLIN_WINTER, "2026-12-02", Some("23:30")).unwrap();
        assert_eq!(
            Snooze::OneHour.until(now, &BERLIN_WINTER).0,
            now.0 + HOUR_MS
        );
        assert_eq!(
            Snooze::Tomorrow.until(now, &BERLIN_WINTER),
            due_instant(&BERLIN_WINTER, "2026-12-03", None).unwrap()
        );
        assert_eq!(
            Snooze::NextWeek.until(now, &BERLIN_WINTER),
            due_instant(&BERLIN_WINTER, "2026-12-09", None).unwrap()
        );
    }

    #[test]
    fn follow_up_input_is_validated_and_a_time_needs_a_date() {
        let ok = FollowUpInput {
            next_step: Some("  Call about the pilot ".into()),
            date: Some("2026-12-02".into()),
            time: Some("9:30".into()),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.next_step.as_deref(), Some("Call about the pilot"));
        assert_eq!(ok.time.as_deref(), Some("09:30"));
        let no_date = FollowUpInput {
            time: Some("10:00".into()),
            ..FollowUpInput::default()
        };
        assert!(no_date.validate().unwrap_err().message.contains("date"));
        let bad_time = FollowUpInput {
            date: Some("2026-12-02".into()),
            time: Some("25:00".into()),
            ..FollowUpInput::default()
        };
        assert!(bad_time.validate().unwrap_err().message.contains("HH:MM"));
    }

    #[test]
    fn missed_reminders_are_one_grouped_message() {
        let f = |name: &str, step: Option<&str>| FollowUp {
            lead_id: LeadId(1),
            full_name: name.into(),
            company_name: None,
            stage_name: "New".into(),
            next_step: step.map(Into::into),
            date: "2026-12-01".into(),
            time: None,
            due_at: Timestamp(0),
        };
        let (summary, body) = missed_message(&[f("Ada", Some("Send the deck")), f("Grace", None)]);
        assert_eq!(summary, "2 follow-ups came due while Leadscout was closed");
        assert_eq!(body, "Ada: Send the deck\nGrace");
    }
}
