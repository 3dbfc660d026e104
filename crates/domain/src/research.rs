//! What research found about a company: a profile built from its own website, the pages it was
//! read from, and the signals each page gave, every one with the URL and words it came from.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{SocialLink, Timestamp};

/// A technology seen on the company's site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TechItem {
    pub name: String,
    /// `analytics`, `crm`, `payments`, `hosting_cdn`...
    pub category: String,
}

/// The deterministic company profile: only what the site itself states.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct CompanyProfile {
    pub domain: String,
    pub website: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    /// A postal address the site publishes (JSON-LD or an `<address>` block).
    pub address: Option<String>,
    pub founded: Option<String>,
    /// Head count as the site states it ("250+", "11-50").
    pub size: Option<String>,
    pub language: Option<String>,
    pub socials: Vec<SocialLink>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub tech: Vec<TechItem>,
    /// Open positions seen; `Some(0)` means a careers page without countable postings.
    pub hiring: Option<u32>,
    /// `free_trial`, `free_plan`, `self_serve_pricing`, `contact_sales`.
    pub pricing: Vec<String>,
    /// Pages read.
    pub pages: u32,
    /// Pages that talk to AI assistants (their text is treated as data, never instructions).
    pub flagged_pages: u32,
}

impl CompanyProfile {
    /// One line for a notification or a timeline entry.
    pub fn headline(&self) -> String {
        let who = self.name.clone().unwrap_or_else(|| self.domain.clone());
        let mut parts = Vec::new();
        if let Some(description) = &self.description {
            parts.push(shorten(description, 90));
        }
        if !self.tech.is_empty() {
            parts.push(format!(
                "{} technolog{}",
                self.tech.len(),
                if self.tech.len() == 1 { "y" } else { "ies" }
            ));
        }
        match self.hiring {
            Some(n) if n > 0 => parts.push(format!("hiring ({n} open)")),
            Some(_) => parts.push("hiring".into()),
            None => {}
        }
        if parts.is_empty() {
            parts.push(format!(
                "{} page{} read",
                self.pages,
                if self.pages == 1 { "" } else { "s" }
            ));
        }
        format!("{who}: {}", parts.join(" · "))
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

/// A page research read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SourceView {
    pub url: String,
    /// `home`, `about`, `pricing`...
    pub kind: String,
    pub title: Option<String>,
    pub fetched_at: Timestamp,
    /// The page talks to AI assistants; its words are kept as data only.
    pub flagged: bool,
}

/// One thing a page showed, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SignalView {
    /// `tech`, `hiring`, `pricing`, `founded`, `size`, `location`.
    pub kind: String,
    pub name: String,
    pub value: Option<String>,
    pub evidence: String,
    pub url: String,
}

/// Everything research knows about a company, for the lead page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CompanyResearch {
    pub profile: CompanyProfile,
    pub researched_at: Timestamp,
    pub sources: Vec<SourceView>,
    pub signals: Vec<SignalView>,
    /// What the footprint model stage stated about the company, verified or not.
    #[serde(default)]
    pub facts: Vec<FactView>,
}

/// A company fact a model stated, with the words it quoted and whether they were found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FactView {
    /// `F1`, `F2`...: what insights cite.
    pub key: String,
    /// `what_they_do`, `industry`, `size_band`, `products`, `customers`, `recent_signals`.
    pub field: String,
    pub value: String,
    pub quote: String,
    /// The page the quote is from; `None` when the model cited a source it was not given.
    pub source_url: Option<String>,
    pub confidence: f64,
    /// The quote was found in the cited page. Unverified facts are shown, never written.
    pub verified: bool,
    /// Why it is not verified.
    pub problem: Option<String>,
    /// The cited page's title and when it was read, once stored.
    #[serde(default)]
    pub source_title: Option<String>,
    #[serde(default)]
    pub fetched_at: Option<Timestamp>,
}

/// A statement of the insights stage and the facts it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GroundedView {
    pub text: String,
    pub fact_ids: Vec<String>,
    /// Every cited fact exists and is verified.
    pub verified: bool,
}

/// The insights stage's judgement of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct InsightsView {
    pub summary: String,
    /// The summary cites verified facts and states no number they do not. An unverified
    /// summary is shown as such and never as the headline.
    #[serde(default)]
    pub summary_verified: bool,
    /// Shown as the lead's score only when `fit_verified`.
    pub fit_score: Option<u8>,
    /// At least three reasons rest on verified facts.
    pub fit_verified: bool,
    pub fit_reasons: Vec<GroundedView>,
    pub talking_points: Vec<GroundedView>,
    pub risks: Vec<GroundedView>,
    pub next_best_action: Option<GroundedView>,
    pub model: String,
    pub created_at: Timestamp,
}

/// The result of checking one claim of a model answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GroundingView {
    /// `F1`, or `fit reason 2`.
    pub claim: String,
    pub verified: bool,
    pub problem: Option<String>,
}

/// The three context layers of one model call, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct LayersView {
    pub shared: String,
    pub stage: String,
    pub task: String,
    /// The repair turn's message, when this call was a repair.
    pub repair: Option<String>,
}

/// One model call of a research run, for the context inspector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ModelCallView {
    pub id: i64,
    pub run: i64,
    pub stage: String,
    pub attempt: i64,
    /// 1 for the first call, 2 for the repair.
    pub turn: i64,
    pub prompt_id: String,
    pub prompt_version: i64,
    pub provider: crate::ModelProvider,
    pub model: String,
    pub layers: LayersView,
    /// Estimated tokens per layer (about four characters a token).
    pub tokens_shared: i64,
    pub tokens_stage: i64,
    pub tokens_task: i64,
    /// What the provider counted.
    pub tokens_in: Option<i64>,
    pub tokens_out: Option<i64>,
    pub tokens_cached: Option<i64>,
    pub cost_usd: Option<f64>,
    pub latency_ms: Option<i64>,
    /// `valid`, `invalid` (schema or checks failed) or `failed` (no usable answer).
    pub outcome: String,
    /// Validation errors, or the provider's error.
    pub errors: Vec<String>,
    pub grounding: Vec<GroundingView>,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_names_the_company_and_what_stands_out() {
        let mut p = CompanyProfile {
            domain: "acme.example".into(),
            pages: 1,
            ..CompanyProfile::default()
        };
        assert_eq!(p.headline(), "acme.example: 1 page read");
        p.name = Some("Acme".into());
        p.description = Some("Anvils, rockets and other desert logistics for coyotes who plan ahead, shipped overnight anywhere.".into());
        p.tech = vec![TechItem {
            name: "Stripe".into(),
            category: "payments".into(),
        }];
        p.hiring = Some(3);
        assert_eq!(
            p.headline(),
            "Acme: Anvils, rockets and other desert logistics for coyotes who plan ahead, shipped overnight… · 1 technology · hiring (3 open)"
        );
    }
}
