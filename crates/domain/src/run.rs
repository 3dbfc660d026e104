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

/// A run as the board and the lead page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub id: crate::RunId,
    pub lead_id: LeadId,
    pub status: RunStatus,
    pub trigger: RunTrigger,
    /// The stage running now, or the last one that ran.
    pub stage: Option<String>,
    pub error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// One attempt of one stage, for the run history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StageAttempt {
    pub stage: String,
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

/// A past or current run of a lead with its stages, newest first in a history.
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
    pub stages: Vec<StageAttempt>,
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
    StageStarted {
        run: crate::RunId,
        lead: LeadId,
        stage: String,
        attempt: i64,
    },
    StageFinished {
        run: crate::RunId,
        lead: LeadId,
        stage: String,
        duration_ms: i64,
        /// The output came from an earlier run with identical inputs.
        reused: bool,
    },
    StageFailed {
        run: crate::RunId,
        lead: LeadId,
        stage: String,
        error: String,
        /// When the stage will be tried again, if it will.
        retry_in_ms: Option<i64>,
    },
    Finished {
        run: crate::RunId,
        lead: LeadId,
        duration_ms: i64,
    },
    Failed {
        run: crate::RunId,
        lead: LeadId,
        reason: String,
    },
    Cancelled {
        run: crate::RunId,
        lead: LeadId,
    },
}
