//! Background research runs: their states and why they were started.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{LeadId, Timestamp};

/// Where a run is in its life. `queued` and `running` are live; the rest are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum RunStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            RunStatus::Queued,
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Failed,
            RunStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }

    pub fn is_live(self) -> bool {
        matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

/// Why a run was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum RunTrigger {
    /// A lead was created with a website, company domain or work email.
    Created,
    /// The lead's website or email changed.
    IdentityChanged,
    /// The user pressed "research now".
    Manual,
    /// The user asked to redo it all, ignoring cached stage results.
    Rerun,
}

impl RunTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            RunTrigger::Created => "created",
            RunTrigger::IdentityChanged => "identity_changed",
            RunTrigger::Manual => "manual",
            RunTrigger::Rerun => "rerun",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            RunTrigger::Created,
            RunTrigger::IdentityChanged,
            RunTrigger::Manual,
            RunTrigger::Rerun,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }

    /// A forced run recomputes every stage.
    pub fn is_forced(self) -> bool {
        self == RunTrigger::Rerun
    }
}

/// A step of the lead-research workflow, as the engine runs it, the store records it (its
/// text is the `stage_runs.stage` value, unchanged since the first database) and the UI shows
/// it. `Seed` is not a step but the run's starting facts, which root steps read as an input.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type,
)]
#[serde(rename_all = "camelCase")]
pub enum StepKey {
    Seed,
    Resolve,
    Crawl,
    Profile,
    Context,
    Footprint,
    Insights,
    Write,
}

impl StepKey {
    pub const ALL: [StepKey; 8] = [
        StepKey::Seed,
        StepKey::Resolve,
        StepKey::Crawl,
        StepKey::Profile,
        StepKey::Context,
        StepKey::Footprint,
        StepKey::Insights,
        StepKey::Write,
    ];

    /// The stored and serialised text.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKey::Seed => "seed",
            StepKey::Resolve => "resolve",
            StepKey::Crawl => "crawl",
            StepKey::Profile => "profile",
            StepKey::Context => "context",
            StepKey::Footprint => "footprint",
            StepKey::Insights => "insights",
            StepKey::Write => "write",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

impl std::fmt::Display for StepKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A run as the board and the lead page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub id: crate::RunId,
    pub lead_id: LeadId,
    pub status: RunStatus,
    pub trigger: RunTrigger,
    /// The step running now, or the last one that ran.
    pub step: Option<StepKey>,
    pub error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// One attempt of one step, for the run history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StepAttempt {
    pub step: StepKey,
    pub attempt: i64,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// The output was taken from an earlier run with the same inputs.
    pub reused: bool,
    pub duration_ms: Option<i64>,
    pub model: Option<String>,
    pub tokens_in: Option<i64>,
    pub tokens_out: Option<i64>,
    pub cost_usd: Option<f64>,
    pub error: Option<String>,
}

/// A past or current run of a lead with its steps, newest first in a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunHistory {
    pub id: crate::RunId,
    pub status: RunStatus,
    pub trigger: RunTrigger,
    pub error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// What its model calls cost (US dollars; unpriced local models count as 0).
    pub cost_usd: f64,
    pub steps: Vec<StepAttempt>,
}

/// What model calls cost, for Settings and the budget caps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostLedger {
    pub today_usd: f64,
    pub month_usd: f64,
    /// The last 30 days with any spending: (`YYYY-MM-DD`, dollars), newest first.
    pub by_day: Vec<(String, f64)>,
    /// The leads that cost the most this month: (lead, name, dollars).
    pub top_leads: Vec<(LeadId, String, f64)>,
    /// Model calls this month, and how many had no price (local models).
    pub calls_this_month: i64,
    pub unpriced_calls: i64,
}

/// Progress of background runs as the UI receives it (and the shell turns into notifications).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum RunEvent {
    Queued {
        run: crate::RunId,
        lead: LeadId,
    },
    Started {
        run: crate::RunId,
        lead: LeadId,
        /// 1 on the first claim; more when resuming after a crash.
        claims: i64,
    },
    StepStarted {
        run: crate::RunId,
        lead: LeadId,
        step: StepKey,
        attempt: i64,
    },
    StepFinished {
        run: crate::RunId,
        lead: LeadId,
        step: StepKey,
        duration_ms: i64,
        /// The output came from an earlier run with identical inputs.
        reused: bool,
    },
    StepFailed {
        run: crate::RunId,
        lead: LeadId,
        step: StepKey,
        error: String,
        /// When the step will be tried again, if it will.
        retry_in_ms: Option<i64>,
    },
    Finished {
        run: crate::RunId,
        lead: LeadId,
        duration_ms: i64,
        result: RunResult,
    },
    Failed {
        run: crate::RunId,
        lead: LeadId,
        reason: String,
        result: RunResult,
    },
    Cancelled {
        run: crate::RunId,
        lead: LeadId,
        result: RunResult,
    },
}

impl RunEvent {
    /// The run's summary, on the event that ends it.
    pub fn result(&self) -> Option<&RunResult> {
        match self {
            RunEvent::Finished { result, .. }
            | RunEvent::Failed { result, .. }
            | RunEvent::Cancelled { result, .. } => Some(result),
            _ => None,
        }
    }
}

/// What a run did to its lead, sent with the event that ends it (finished, failed, cancelled)
/// so the window updates the card and the drawer's run status from the event alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    pub status: RunStatus,
    /// Why it failed, for a failed run.
    pub error: Option<String>,
    pub finished_at: Timestamp,
    /// The fit score on the card the run left (`None` when it wrote no card, or the lead has
    /// no score).
    pub fit_score: Option<u8>,
    /// The lead as its card shows it after the run wrote to it; `None` when the run wrote
    /// nothing (it failed or was cancelled before writing, or the lead was deleted).
    pub card: Option<crate::Card>,
    /// The card fields the run changed, by their names in the window (`companyName`,
    /// `fitScore`...).
    pub changed: Vec<String>,
}

/// What a run's write-back did to the lead's card, as the workflow reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunChanges {
    pub card: Option<crate::Card>,
    pub changed: Vec<String>,
}

impl RunChanges {
    /// The card after a write-back and the fields that differ from the card before it.
    pub fn between(before: &crate::Card, after: crate::Card) -> RunChanges {
        let mut changed = Vec::new();
        let mut differs = |name: &str, same: bool| {
            if !same {
                changed.push(name.to_owned());
            }
        };
        differs("fullName", before.full_name == after.full_name);
        differs("title", before.title == after.title);
        differs("email", before.email == after.email);
        differs("companyName", before.company_name == after.company_name);
        differs("website", before.website == after.website);
        differs("stageId", before.stage_id == after.stage_id);
        differs("dealValue", before.deal_value == after.deal_value);
        differs("currency", before.currency == after.currency);
        differs("nextStep", before.next_step == after.next_step);
        differs("nextStepDue", before.next_step_due == after.next_step_due);
        differs("tags", before.tags == after.tags);
        differs("fitScore", before.fit_score == after.fit_score);
        differs(
            "lastContactedAt",
            before.last_contacted_at == after.last_contacted_at,
        );
        RunChanges {
            card: Some(after),
            changed,
        }
    }
}
