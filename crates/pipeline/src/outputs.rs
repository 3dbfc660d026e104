//! What the model stages must answer, as Rust types. Their JSON Schemas are generated from these
//! types into `prompts/schemas/` (a test fails when the committed files drift), sent to the
//! provider as the output contract, and validated locally before grounding.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a company fact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FactField {
    WhatTheyDo,
    Industry,
    SizeBand,
    Products,
    Customers,
    RecentSignals,
}

/// One fact, with the source it comes from and the words that state it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// `F1`, `F2`...: what the insights stage cites.
    pub id: String,
    pub field: FactField,
    /// The fact in a few words, or "unknown".
    pub value: String,
    /// The id of the source excerpt (`S1`...).
    pub source_id: String,
    /// The exact words of that source that state the fact.
    pub quote: String,
    /// 0 to 1: how directly the quote states the fact.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub confidence: f64,
}

/// The footprint stage's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FootprintOutput {
    pub facts: Vec<Fact>,
}

/// A statement resting on verified facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grounded {
    pub text: String,
    /// The ids of the facts it rests on (`F1`...).
    pub fact_ids: Vec<String>,
}

/// The insights stage's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightsOutput {
    /// At most 60 words.
    pub summary: String,
    /// 0 to 100; null when the facts do not allow a judgement.
    #[schemars(range(min = 0, max = 100))]
    pub fit_score: Option<u8>,
    /// 3 to 5 reasons.
    #[schemars(length(min = 3, max = 5))]
    pub fit_reasons: Vec<Grounded>,
    pub talking_points: Vec<Grounded>,
    pub risks: Vec<Grounded>,
    pub next_best_action: Grounded,
}

/// The committed schema files, by name (`prompts/schemas/<name>.json`).
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    let schema =
        |root: schemars::schema::RootSchema| serde_json::to_value(root).unwrap_or_default();
    vec![
        ("footprint", schema(schemars::schema_for!(FootprintOutput))),
        ("insights", schema(schemars::schema_for!(InsightsOutput))),
    ]
}
