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
    /// The chance, in percent (0-100), that a deal in this stage is won: what the forecast
    /// weighs its value by.
    pub probability: u8,
}

/// What the "add stage" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewStage {
    pub name: String,
    pub kind: StageKind,
    /// `#rrggbb`; a colour from the default palette when absent.
    pub color: Option<String>,
}

/// Changes to a stage; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StageEdit {
    pub name: Option<String>,
    pub kind: Option<StageKind>,
    pub color: Option<String>,
    /// Percent, 0-100.
    #[serde(default)]
    pub probability: Option<u8>,
}

/// A refused stage edit: which input (`name` or `color`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StageInputError {
    pub field: &'static str,
    pub message: String,
}

/// Colours offered for new stages, in order.
pub const STAGE_PALETTE: [&str; 8] = [
    "#64748b", "#3b82f6", "#8b5cf6", "#f59e0b", "#10b981", "#ef4444", "#ec4899", "#14b8a6",
];

impl StageKind {
    /// The probability a new stage of this kind starts with: closed stages are certain, an
    /// open one is a coin toss until the user says otherwise.
    pub fn default_probability(self) -> u8 {
        match self {
            StageKind::Open => 50,
            StageKind::Won => 100,
            StageKind::Lost => 0,
        }
    }
}

/// A probability as a percentage the user typed into a number field.
pub fn check_stage_probability(value: u8) -> Result<u8, StageInputError> {
    if value > 100 {
        return Err(StageInputError {
            field: "probability",
            message: "A probability is a percentage from 0 to 100.".into(),
        });
    }
    Ok(value)
}

pub fn normalize_stage_name(raw: &str) -> Result<String, StageInputError> {
    let name = raw.trim();
    let refuse = |message: &str| StageInputError {
        field: "name",
        message: message.to_owned(),
    };
    if name.is_empty() {
        return Err(refuse("Give the stage a name."));
    }
    if name.chars().any(char::is_control) {
        return Err(refuse(
            "The name contains an invisible control character; retype it.",
        ));
    }
    if name.chars().count() > 40 {
        return Err(refuse(
            "Keep stage names under 40 characters so columns stay readable.",
        ));
    }
    Ok(name.to_owned())
}

pub fn normalize_stage_color(raw: &str) -> Result<String, StageInputError> {
    let color = raw.trim().to_lowercase();
    let hex = color.strip_prefix('#').unwrap_or(&color);
    let expanded: String = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect(),
        6 => hex.to_owned(),
        _ => String::new(),
    };
    if expanded.len() == 6 && expanded.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(format!("#{expanded}"))
    } else {
        Err(StageInputError {
            field: "color",
            message: "Pick a colour as #rrggbb, like #3b82f6.".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_and_colours_are_checked() {
        assert_eq!(
            normalize_stage_name("  Demo booked ").unwrap(),
            "Demo booked"
        );
        assert_eq!(normalize_stage_name(" ").unwrap_err().field, "name");
        assert!(normalize_stage_name(&"x".repeat(41)).is_err());
        assert_eq!(normalize_stage_color("#ABC").unwrap(), "#aabbcc");
        assert_eq!(normalize_stage_color("3b82f6").unwrap(), "#3b82f6");
        assert_eq!(normalize_stage_color("blue").unwrap_err().field, "color");
    }

    #[test]
    fn stage_kind_round_trips_through_its_stored_form() {
        for kind in [StageKind::Open, StageKind::Won, StageKind::Lost] {
            assert_eq!(StageKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(StageKind::parse("closed"), None);
    }
}
