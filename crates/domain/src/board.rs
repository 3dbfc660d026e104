//! The pipeline board: stages in order, each with its leads in order.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::forecast::Weighing;
use crate::{Lead, LeadId, Pipeline, Stage, StageId, Timestamp};

/// One column: a stage and the leads in it, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BoardColumn {
    pub stage: Stage,
    pub leads: Vec<Lead>,
    /// The sum of the column's deal values, one entry per currency, largest first.
    pub value_totals: Vec<MoneyTotal>,
    /// The same sums weighed by the stage's win probability (the forecast's rule).
    pub weighted_totals: Vec<MoneyTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MoneyTotal {
    pub currency: String,
    /// Minor units (cents).
    pub amount: i64,
}

impl BoardColumn {
    pub fn new(stage: Stage, leads: Vec<Lead>) -> Self {
        let mut weighing = Weighing::default();
        for lead in &leads {
            if let Some(value) = lead.deal_value {
                weighing.add(&lead.currency, value, stage.probability);
            }
        }
        BoardColumn {
            stage,
            leads,
            value_totals: weighing.totals(),
            weighted_totals: weighing.weighted(),
        }
    }
}

/// Every column of the board, left to right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    /// Every pipeline, in menu order.
    pub pipelines: Vec<Pipeline>,
    /// Every stage of every pipeline with its live leads, pipeline by pipeline in menu order
    /// and in board order within each.
    pub columns: Vec<BoardColumn>,
}

impl Board {
    /// How many leads the board holds in all.
    pub fn lead_count(&self) -> usize {
        self.columns.iter().map(|c| c.leads.len()).sum()
    }
}

/// A lead as its card on the board uses it: what the card shows, what the board's filter
/// searches and what the column totals add up. The drawer reads the whole [`Lead`]. Without the
/// phone, LinkedIn, source, position, research markers and timestamps, a 10,000-lead board is
/// about a third smaller on its way to the window, and the way there costs in proportion to
/// its size (docs/benchmarks.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub id: LeadId,
    pub full_name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub company_name: Option<String>,
    pub website: Option<String>,
    pub stage_id: StageId,
    /// In minor units of `currency` (cents).
    pub deal_value: Option<i64>,
    pub currency: String,
    pub next_step: Option<String>,
    /// `YYYY-MM-DD`.
    pub next_step_due: Option<String>,
    pub tags: Vec<String>,
    /// Optional as on [`Lead`], so that a whole lead is also a card on the TypeScript side.
    #[serde(default)]
    pub fit_score: Option<u8>,
    /// The latest call, email or meeting (optional as on [`Lead`]).
    #[serde(default)]
    pub last_contacted_at: Option<Timestamp>,
}

impl From<Lead> for Card {
    fn from(lead: Lead) -> Self {
        Card {
            id: lead.id,
            full_name: lead.full_name,
            title: lead.title,
            email: lead.email,
            company_name: lead.company_name,
            website: lead.website,
            stage_id: lead.stage_id,
            deal_value: lead.deal_value,
            currency: lead.currency,
            next_step: lead.next_step,
            next_step_due: lead.next_step_due,
            tags: lead.tags,
            fit_score: lead.fit_score,
            last_contacted_at: lead.last_contacted_at,
        }
    }
}

/// A column as the window gets it: the stage, its cards top to bottom, and the totals of all of
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CardColumn {
    pub stage: Stage,
    pub leads: Vec<Card>,
    /// The sum of the column's deal values, one entry per currency, largest first.
    pub value_totals: Vec<MoneyTotal>,
    /// The same sums weighed by the stage's win probability.
    #[serde(default)]
    pub weighted_totals: Vec<MoneyTotal>,
}

/// The board as the window gets it: every column, left to right, with cards instead of whole
/// leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BoardView {
    pub pipelines: Vec<Pipeline>,
    pub columns: Vec<CardColumn>,
}

impl From<Board> for BoardView {
    fn from(board: Board) -> Self {
        BoardView {
            pipelines: board.pipelines,
            columns: board
                .columns
                .into_iter()
                .map(|column| CardColumn {
                    stage: column.stage,
                    leads: column.leads.into_iter().map(Card::from).collect(),
                    value_totals: column.value_totals,
                    weighted_totals: column.weighted_totals,
                })
                .collect(),
        }
    }
}
