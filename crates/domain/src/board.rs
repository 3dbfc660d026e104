//! The pipeline board: stages in order, each with its leads in order.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{Lead, Stage};

/// One column: a stage and the leads in it, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BoardColumn {
    pub stage: Stage,
    pub leads: Vec<Lead>,
    /// The sum of the column's deal values, one entry per currency, largest first.
    pub value_totals: Vec<MoneyTotal>,
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
        let mut totals: Vec<MoneyTotal> = Vec::new();
        for lead in &leads {
            let Some(value) = lead.deal_value else {
                continue;
            };
            match totals.iter_mut().find(|t| t.currency == lead.currency) {
                Some(t) => t.amount = t.amount.saturating_add(value),
                None => totals.push(MoneyTotal {
                    currency: lead.currency.clone(),
                    amount: value,
                }),
            }
        }
        totals.sort_by(|a, b| {
            b.amount
                .cmp(&a.amount)
                .then_with(|| a.currency.cmp(&b.currency))
        });
        BoardColumn {
            stage,
            leads,
            value_totals: totals,
        }
    }
}

/// Every column of the board, left to right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    pub columns: Vec<BoardColumn>,
}

impl Board {
    /// How many leads the board holds in all.
    pub fn lead_count(&self) -> usize {
        self.columns.iter().map(|c| c.leads.len()).sum()
    }
}
