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
