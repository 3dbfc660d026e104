//! What the model stages must answer, as Rust types. Their JSON Schemas are generated from these
//! types into `prompts/schemas/` (a test fails when the committed files drift), sent to the
//! provider as the output contract, and validated locally before grounding.
//!
//! Every list and string is bounded, so a small model that repeats itself is stopped by the
//! schema (and a provider that enforces it) rather than by the output token limit, and
//! properties come in the order a model should write them: where a fact comes from and the
//! words that state it before what it claims; the reasons before the score they justify.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most facts in one footprint answer.
pub const MAX_FACTS: usize = 12;
/// Longest quote, in characters (about 50 words).
pub const MAX_QUOTE_CHARS: usize = 300;
/// Longest fact value, in characters.
pub const MAX_VALUE_CHARS: usize = 120;
/// Longest statement (a reason, a talking point...), in characters.
pub const MAX_STATEMENT_CHARS: usize = 300;
/// Longest summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 400;
/// Facts one statement may cite.
pub const MAX_CITED: usize = 3;

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

/// How directly the quote states the fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The quote says it in so many words.
    High,
    /// The quote says it, in other words.
    Medium,
    /// The quote suggests it.
    Low,
}

impl Confidence {
    /// As the 0 to 1 share the stored fact keeps.
    pub fn share(self) -> f64 {
        match self {
            Confidence::High => 0.9,
            Confidence::Medium => 0.6,
            Confidence::Low => 0.3,
        }
    }
}

/// One fact, with the source it comes from and the words that state it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// `F1`, `F2`...: what the insights stage cites.
    #[schemars(regex(pattern = r"^F[0-9]{1,2}$"))]
    pub id: String,
    /// The id of the source excerpt (`S1`...).
    #[schemars(regex(pattern = r"^S[0-9]{1,3}$"))]
    pub source_id: String,
    /// The exact words of that source that state the fact (a sentence or a clause).
    #[schemars(length(max = 300))]
    pub quote: String,
    pub field: FactField,
    /// The fact in a few words, using the quote's own words and numbers.
    #[schemars(length(min = 1, max = 120))]
    pub value: String,
    pub confidence: Confidence,
}

/// The footprint stage's answer: only what the pages state (a field they do not state is left
/// out, never answered "unknown").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FootprintOutput {
    #[schemars(length(max = 12))]
    pub facts: Vec<Fact>,
}

/// A statement resting on verified facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grounded {
    /// What follows from the facts, in your own words (not a copy of a fact).
    #[schemars(length(min = 1, max = 300))]
    pub text: String,
    /// The ids of the 1 to 3 different facts it rests on (`F1`...).
    #[schemars(length(min = 1, max = 3))]
    pub fact_ids: Vec<String>,
}

/// The insights stage's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightsOutput {
    /// 3 to 5 reasons, each resting on different facts.
    #[schemars(length(min = 3, max = 5))]
    pub fit_reasons: Vec<Grounded>,
    /// 0 to 100; null when the facts do not allow a judgement.
    #[schemars(range(min = 0, max = 100))]
    pub fit_score: Option<u8>,
    #[schemars(length(max = 4))]
    pub talking_points: Vec<Grounded>,
    #[schemars(length(max = 4))]
    pub risks: Vec<Grounded>,
    pub next_best_action: Grounded,
    /// One to three sentences, at most 400 characters.
    #[schemars(length(min = 20, max = 400))]
    pub summary: String,
    /// The ids of the facts the summary rests on.
    #[serde(default)]
    #[schemars(length(max = 5))]
    pub summary_fact_ids: Vec<String>,
}

/// A sentence of a drafted email and the facts it states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftLine {
    /// One sentence to the lead, in the words of the facts it cites and the user's profile.
    #[schemars(length(min = 1, max = 300))]
    pub text: String,
    /// The ids of the 1 to 3 facts it states (`F1`...).
    #[schemars(length(min = 1, max = 3))]
    pub fact_ids: Vec<String>,
}

/// The email draft stage's answer: the opening paragraph, sentence by sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailDraftOutput {
    #[schemars(length(min = 1, max = 3))]
    pub sentences: Vec<DraftLine>,
}

/// The committed schema files, by name (`prompts/schemas/<name>.json`).
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    let schema =
        |root: schemars::schema::RootSchema| serde_json::to_value(root).unwrap_or_default();
    vec![
        ("footprint", schema(schemars::schema_for!(FootprintOutput))),
        ("insights", schema(schemars::schema_for!(InsightsOutput))),
        (
            "email_draft",
            schema(schemars::schema_for!(EmailDraftOutput)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: unbounded lists and strings let a small model repeat one fact until the output
    /// limit cut it off; properties came alphabetically (confidence first, reasons after score).
    #[test]
    fn every_list_and_string_is_bounded_and_properties_come_in_writing_order() {
        let all = schemas();
        let footprint = &all[0].1;
        let fact = &footprint["definitions"]["Fact"];
        let order: Vec<&str> = fact["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            order,
            ["id", "source_id", "quote", "field", "value", "confidence"]
        );
        assert_eq!(footprint["properties"]["facts"]["maxItems"], MAX_FACTS);
        assert_eq!(fact["properties"]["quote"]["maxLength"], MAX_QUOTE_CHARS);
        assert_eq!(fact["properties"]["value"]["maxLength"], MAX_VALUE_CHARS);
        assert_eq!(
            fact["properties"]["confidence"]["$ref"],
            "#/definitions/Confidence"
        );
        let insights = &all[1].1;
        let order: Vec<&str> = insights["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            order.iter().position(|p| *p == "fit_reasons")
                < order.iter().position(|p| *p == "fit_score")
        );
        let grounded = &insights["definitions"]["Grounded"]["properties"];
        assert_eq!(grounded["fact_ids"]["minItems"], 1);
        assert_eq!(grounded["fact_ids"]["maxItems"], MAX_CITED);
        assert_eq!(grounded["text"]["maxLength"], MAX_STATEMENT_CHARS);
        for list in ["talking_points", "risks"] {
            assert_eq!(insights["properties"][list]["maxItems"], 4);
        }
        assert_eq!(
            insights["properties"]["summary"]["maxLength"],
            MAX_SUMMARY_CHARS
        );
    }
}
