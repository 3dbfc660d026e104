//! Pipeline stages: the columns of the board.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::StageId;

/// Whether a stage holds live deals or closed ones. Closed stages (won, lost) count towards
/// results rather than the open pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum StageKind {
    Open,
    Won,
    Lost,
}

impl StageKind {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Open => "open",
            StageKind::Won => "won",
            StageKind::Lost => "lost",
        }
    }

    /// Parses the stored value; `None` for anything the schema's CHECK constraint would reject.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(StageKind::Open),
            "won" => Some(StageKind::Won),
            "lost" => Some(StageKind::Lost),
            _ => None,
        }
    }
}

/// One column of the pipeline board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    pub id: StageId,
    pub name: String,
    pub kind: StageKind,
    /// A `#rrggbb` colour for the column's marker.
    pub color: String,
    /// 0-based order on the board.
    pub position: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_kind_round_trips_through_its_stored_form() {
        for kind in [StageKind::Open, StageKind::Won, StageKind::Lost] {
            assert_eq!(StageKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(StageKind::parse("closed"), None);
    }
}
