//! Pipeline stages: the columns of the board.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{PipelineId, StageId};

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
    /// The pipeline whose board the stage is a column of.
    pub pipeline_id: PipelineId,
    pub name: String,
    pub kind: StageKind,
    /// A `#rrggbb` colour for the column's marker.
    pub color: String,
    /// 0-based order on its pipeline's board.
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
    /// The pipeline to add it to; the first one when absent.
    #[serde(default)]
    pub pipeline_id: Option<PipelineId>,
}

/// A sales pipeline: a board with stages of its own (new business, renewals, partners). Every
/// lead is in exactly one, the pipeline of its stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    pub id: PipelineId,
    pub name: String,
    /// 0-based order in the pipeline menu; the first pipeline is where leads go when none is
    /// named.
    pub position: i64,
}

/// Every pipeline and every stage, without the leads: what Settings needs to name stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PipelineStages {
    /// In menu order.
    pub pipelines: Vec<Pipeline>,
    /// Pipeline by pipeline, each in board order.
    pub stages: Vec<Stage>,
}

/// What the "new pipeline" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewPipeline {
    pub name: String,
    /// A pipeline whose stages (names, kinds, colours, probabilities) the new one starts with;
    /// without one it starts with "Open", "Won" and "Lost".
    #[serde(default)]
    pub copy_stages_from: Option<PipelineId>,
}

/// The stages a new pipeline starts with when it copies none: (name, kind, colour, probability).
pub const NEW_PIPELINE_STAGES: [(&str, StageKind, &str, u8); 3] = [
    ("Open", StageKind::Open, "#3b82f6", 50),
    ("Won", StageKind::Won, "#10b981", 100),
    ("Lost", StageKind::Lost, "#ef4444", 0),
];

/// A pipeline's name as typed: trimmed, non-empty, printable and short enough for the menu.
pub fn normalize_pipeline_name(raw: &str) -> Result<String, StageInputError> {
    let name = raw.trim();
    let refuse = |message: &str| StageInputError {
        field: "name",
        message: message.to_owned(),
    };
    if name.is_empty() {
        return Err(refuse("Give the pipeline a name."));
    }
    if name.chars().any(char::is_control) {
        return Err(refuse(
            "The name contains an invisible control character; retype it.",
        ));
    }
    if name.chars().count() > 40 {
        return Err(refuse("Keep pipeline names under 40 characters."));
    }
    Ok(name.to_owned())
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
    fn pipeline_names_are_checked() {
        assert_eq!(normalize_pipeline_name(" Renewals ").unwrap(), "Renewals");
        assert_eq!(
            normalize_pipeline_name("\t").unwrap_err().message,
            "Give the pipeline a name."
        );
        assert!(normalize_pipeline_name("Re\u{7}newals").is_err());
        assert!(normalize_pipeline_name(&"p".repeat(40)).is_ok());
        assert!(normalize_pipeline_name(&"p".repeat(41)).is_err());
    }

    #[test]
    fn stage_kind_round_trips_through_its_stored_form() {
        for kind in [StageKind::Open, StageKind::Won, StageKind::Lost] {
            assert_eq!(StageKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(StageKind::parse("closed"), None);
    }
}
