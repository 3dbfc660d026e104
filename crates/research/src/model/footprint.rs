//! The footprint stage: company facts from the chosen page excerpts, each grounded in a quote.

use std::collections::{BTreeMap, BTreeSet};

use leadscout_context::excerpts::{self, Page};
use leadscout_context::grounding::{self, Claim};
use leadscout_context::outputs::{FootprintOutput, MAX_FACTS};
use leadscout_context::prompt::{assemble, Excerpt, Prompt};
use leadscout_domain::{CompanyProfile, FactView, GroundingView, StepKey};
use leadscout_store::StageMeta;
use leadscout_workflow::{Step, StepError, StepFuture, StepInput, StepOutput};

use crate::steps::{parse, RunFacts};
use serde::{Deserialize, Serialize};

use crate::Crawl;

use super::budget::budget_stop;
use super::call::Call;
use super::context::output;
use super::failure::{is_unknown, step_result, unverified_reason};
use super::request::shared_vars;
use super::{Context, ModelKit, FOOTPRINT_PROMPT, NO_MODEL};

/// The footprint stage's output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Footprint {
    /// Why no model was asked (no model configured, nothing to read).
    pub skipped: Option<String>,
    /// Why the model step ended without facts (cut off, invalid twice, refused, timed out...),
    /// in words a salesperson can act on. The website research is kept all the same.
    pub failed: Option<String>,
    pub model: String,
    pub facts: Vec<FactView>,
}

/// 1. Company facts from the pages, each grounded in a quote.
pub struct FootprintStep {
    pub kit: ModelKit,
}

impl FootprintStep {
    /// The excerpts a footprint prompt offers: page text chunks ranked by the prompt's
    /// questions, within its task budget. Pages are numbered S1, S2... in crawl order.
    pub fn excerpts(prompt: &Prompt, crawl: &Crawl) -> Vec<Excerpt> {
        let pages: Vec<Page> = crawl
            .pages
            .iter()
            .map(|p| Page {
                url: p.url.clone(),
                text: p.text.clone(),
            })
            .collect();
        footprint_excerpts(prompt, &pages)
    }

    /// Turns a checked answer into stored facts: renumbered F1..., `unknown` answers dropped,
    /// each with its page URL and grounding result.
    /// `planted` holds each page's passages aimed at AI assistants (by URL): a quote from one
    /// of them is never a fact.
    pub fn facts(
        output: &FootprintOutput,
        included: &[Excerpt],
        planted: &BTreeMap<String, Vec<String>>,
    ) -> (Vec<FactView>, Vec<GroundingView>) {
        let urls: BTreeMap<&str, &str> = included
            .iter()
            .map(|e| (e.id.as_str(), e.url.as_str()))
            .collect();
        // "unknown" answers are dropped, and a fact stated again (a small model looping) once.
        let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
        let known: Vec<_> = output
            .facts
            .iter()
            .filter(|f| !is_unknown(&f.value))
            .filter(|f| {
                seen.insert((
                    grounding::normalize(&f.value),
                    grounding::quote_text(&f.quote),
                ))
            })
            .take(MAX_FACTS)
            .collect();
        let claims: Vec<Claim> = known
            .iter()
            .map(|f| Claim {
                field: serde_json::to_value(f.field)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                value: f.value.clone(),
                source_id: f.source_id.clone(),
                quote: f.quote.clone(),
            })
            .collect();
        let results = grounding::check(&claims, included);
        let mut facts = Vec::new();
        let mut report = Vec::new();
        for (i, (claim, result)) in claims.iter().zip(results).enumerate() {
            let key = format!("F{}", i + 1);
            let url = urls.get(claim.source_id.trim()).copied();
            let quote = grounding::quote_text(&claim.quote);
            let from_planted = url.and_then(|u| planted.get(u)).is_some_and(|passages| {
                passages.iter().any(|p| {
                    let p = grounding::normalize(p);
                    !quote.is_empty() && (p.contains(&quote) || quote.contains(&p))
                })
            });
            let problem = match result {
                _ if from_planted => {
                    Some("quotes text aimed at AI assistants, which is never a fact".to_owned())
                }
                Err(p) => Some(unverified_reason(&p)),
                Ok(()) => None,
            };
            report.push(GroundingView {
                claim: format!("{key} ({}: {})", claim.field, claim.value),
                verified: problem.is_none(),
                problem: problem.clone(),
            });
            facts.push(FactView {
                key,
                field: claim.field.clone(),
                value: claim.value.trim().to_owned(),
                quote: claim.quote.trim().to_owned(),
                source_url: url.map(str::to_owned),
                confidence: known[i].confidence.share(),
                verified: problem.is_none(),
                problem,
                source_title: None,
                fetched_at: None,
            });
        }
        (facts, report)
    }
}

/// The excerpts of `pages` a footprint prompt offers, ranked by its questions within its task
/// budget (the header line and block tags take a little of it).
pub fn footprint_excerpts(prompt: &Prompt, pages: &[Page]) -> Vec<Excerpt> {
    let budget = prompt.budgets.task.saturating_sub(prompt.budgets.task / 20);
    excerpts::select(pages, &prompt.questions, budget)
}

/// The checks of a footprint answer beyond its schema: none refuse it. "unknown" facts and
/// repeats are dropped and every other fact is grounded on its own, so one bad fact costs
/// only itself.
fn check_footprint(_output: &FootprintOutput) -> Vec<String> {
    Vec::new()
}

impl FootprintStep {
    /// The step itself; [`Step::run`] turns a failure the model caused into an output that
    /// says so.
    async fn answer(&self, input: StepInput) -> Result<StepOutput, StepError> {
        let context: Context = parse(&input, StepKey::Context)?;
        let crawl: Crawl = parse(&input, StepKey::Crawl)?;
        let Some(choice) = &context.model else {
            return output(
                &Footprint {
                    skipped: Some(NO_MODEL.into()),
                    ..Footprint::default()
                },
                StageMeta::default(),
            );
        };
        let facts = RunFacts::of(&input)?;
        let prompts = self.kit.prompts(facts)?;
        let prompt = prompts
            .get(FOOTPRINT_PROMPT)
            .map_err(|e| StepError::permanent(e.to_string()))?;
        let excerpts = Self::excerpts(prompt, &crawl);
        if excerpts.is_empty() {
            return output(
                &Footprint {
                    skipped: Some(
                        "No insights: the pages read had no text to ask a model about.".into(),
                    ),
                    ..Footprint::default()
                },
                StageMeta::default(),
            );
        }
        let company: CompanyProfile = parse(&input, StepKey::Profile)?;
        let vars = shared_vars(input.now(), &facts.lead, &context.profile, &company);
        let layers = assemble(
            prompts,
            FOOTPRINT_PROMPT,
            &vars,
            &BTreeMap::from([("sources".to_owned(), excerpts)]),
        )
        .map_err(|e| StepError::permanent(e.to_string()))?;
        if let Some(reason) = budget_stop(&self.kit.store, &input, &facts.settings).await? {
            return output(
                &Footprint {
                    skipped: Some(format!("The model was not asked: {reason}")),
                    ..Footprint::default()
                },
                StageMeta::default(),
            );
        }
        let client = self.kit.models.connect(choice).await?;
        let planted: BTreeMap<String, Vec<String>> = crawl
            .pages
            .iter()
            .filter(|p| !p.injection.is_empty())
            .map(|p| (p.url.clone(), p.injection.clone()))
            .collect();
        let (answer, meta) = Call {
            kit: &self.kit,
            input: &input,
            stage: self.key().as_str(),
            prompt,
            layers: &layers,
            client: client.as_ref(),
            provider: choice.provider,
            meta: StageMeta::default(),
        }
        .run(check_footprint, |out: &FootprintOutput, _model: &str| {
            Self::facts(out, &layers.included, &planted)
        })
        .await?;
        output(
            &Footprint {
                skipped: None,
                failed: None,
                model: answer.model,
                facts: answer.value,
            },
            meta,
        )
    }
}

impl Step for FootprintStep {
    fn key(&self) -> StepKey {
        StepKey::Footprint
    }

    fn inputs(&self) -> &'static [StepKey] {
        &[StepKey::Context, StepKey::Crawl, StepKey::Profile]
    }

    fn run(&self, input: StepInput) -> StepFuture<'_> {
        Box::pin(async move {
            let last_try = input.last_try;
            let model = input
                .input(StepKey::Context)
                .pointer("/model/model")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned();
            match step_result(self.answer(input).await, last_try)? {
                Ok(done) => Ok(done),
                Err(reason) => output(
                    &Footprint {
                        failed: Some(reason),
                        model,
                        ..Footprint::default()
                    },
                    StageMeta::default(),
                ),
            }
        })
    }

    fn reuses(&self, output: &serde_json::Value) -> bool {
        output.get("failed").is_none_or(serde_json::Value::is_null)
    }
}
