//! The insights stage: the judgement of the lead, from verified facts only.

use std::collections::BTreeMap;

use leadscout_context::grounding::{self};
use leadscout_context::outputs::{Grounded, InsightsOutput};
use leadscout_context::prompt::{assemble, Excerpt};
use leadscout_domain::{
    CompanyProfile, FactView, GroundedView, GroundingView, InsightsView, StepKey, Timestamp,
};
use leadscout_store::StageMeta;
use leadscout_workflow::{Step, StepError, StepFuture, StepInput, StepOutput};

use crate::steps::{parse, RunFacts};
use serde::{Deserialize, Serialize};

use super::budget::budget_stop;
use super::call::Call;
use super::context::output;
use super::failure::{is_unknown, step_result};
use super::request::shared_vars;
use super::validate::{
    check_insights, grounded, reasons_on_different_facts, restatement_problem, Cited,
};
use super::{Context, Footprint, ModelKit, INSIGHTS_PROMPT, NO_MODEL, VERIFIED_REASONS};

/// The insights stage's output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Insights {
    pub skipped: Option<String>,
    /// Why the model step ended without insights, as for [`Footprint::failed`].
    pub failed: Option<String>,
    pub insights: Option<InsightsView>,
    /// One line for the notification.
    pub headline: String,
}

/// 2. The judgement of the lead, from verified facts only.
pub struct InsightsStep {
    pub kit: ModelKit,
}

impl InsightsStep {
    /// The checked answer as stored, with the grounding of each statement. `facts` holds the
    /// verified facts the model was given; `company` is the lead's company as the prompt names
    /// it, which the summary may name.
    pub fn view(
        output: &InsightsOutput,
        facts: &Cited,
        company: &str,
        model: &str,
        now: Timestamp,
    ) -> (InsightsView, Vec<GroundingView>) {
        let mut report = Vec::new();
        let summary = output.summary.trim().to_owned();
        let summary_ids: Vec<String> = output
            .summary_fact_ids
            .iter()
            .map(|i| i.trim().to_owned())
            .collect();
        let summary_problem = restatement_problem(&summary, &summary_ids, facts, Some(&[company]));
        report.push(GroundingView {
            claim: "summary".into(),
            verified: summary_problem.is_none(),
            problem: summary_problem.clone(),
        });
        let mut list = |label: &str, items: &[Grounded]| -> Vec<GroundedView> {
            let mut said: Vec<String> = Vec::new();
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let (mut view, mut problem) = grounded(item, facts);
                    let text = grounding::normalize(item.text.trim_end_matches('.'));
                    if let Some(j) = said.iter().position(|t| *t == text) {
                        view.verified = false;
                        problem = Some(format!("repeats {label} {}", j + 1));
                    }
                    said.push(text);
                    report.push(GroundingView {
                        claim: format!("{label} {}", i + 1),
                        verified: view.verified,
                        problem,
                    });
                    view
                })
                .collect()
        };
        let fit_reasons = list("fit reason", &output.fit_reasons);
        let talking_points = list("talking point", &output.talking_points);
        let risks = list("risk", &output.risks);
        let next = list(
            "next action",
            std::slice::from_ref(&output.next_best_action),
        );
        let standing = reasons_on_different_facts(&fit_reasons);
        let fit_verified = output.fit_score.is_some() && standing >= VERIFIED_REASONS;
        report.push(GroundingView {
            claim: "fit score".into(),
            verified: fit_verified,
            problem: (!fit_verified).then(|| match output.fit_score {
                None => "no score given".to_owned(),
                Some(_) => format!(
                    "{standing} of its reasons rest on different verified facts; {VERIFIED_REASONS} are needed"
                ),
            }),
        });
        (
            InsightsView {
                summary,
                summary_verified: summary_problem.is_none(),
                fit_score: output.fit_score.map(|s| s.min(100)),
                fit_verified,
                fit_reasons,
                talking_points,
                risks,
                next_best_action: next.into_iter().next(),
                model: model.to_owned(),
                created_at: now,
            },
            report,
        )
    }

    /// The notification line: the score when it counts and the summary when it is verified;
    /// an unverified summary is never the headline.
    pub fn headline(view: &InsightsView) -> String {
        let summary = view.summary_verified.then(|| {
            if view.summary.chars().count() > 110 {
                let cut: String = view.summary.chars().take(110).collect();
                format!(
                    "{}…",
                    cut.rsplit_once(' ')
                        .map_or(cut.as_str(), |(h, _)| h)
                        .trim_end()
                )
            } else {
                view.summary.clone()
            }
        });
        let score = view.fit_score.filter(|_| view.fit_verified);
        match (score, summary) {
            (Some(score), Some(summary)) => format!("Fit {score}/100 · {summary}"),
            (Some(score), None) => format!("Fit {score}/100 · the reasons are on the lead."),
            (None, Some(summary)) => summary,
            (None, None) => {
                "Insights are ready; the model's summary could not be checked against the website, so it is marked unverified."
                    .to_owned()
            }
        }
    }
}

impl InsightsStep {
    /// The step itself; [`Step::run`] turns a failure the model caused into an output that
    /// says so.
    async fn answer(&self, input: StepInput) -> Result<StepOutput, StepError> {
        let context: Context = parse(&input, StepKey::Context)?;
        let footprint: Footprint = parse(&input, StepKey::Footprint)?;
        let company: CompanyProfile = parse(&input, StepKey::Profile)?;
        let skip = |reason: String| {
            output(
                &Insights {
                    skipped: Some(reason),
                    ..Insights::default()
                },
                StageMeta::default(),
            )
        };
        if let Some(reason) = footprint.skipped {
            return skip(reason);
        }
        if footprint.failed.is_some() {
            return skip("No insights: the facts step did not finish.".into());
        }
        let Some(choice) = &context.model else {
            return skip(NO_MODEL.into());
        };
        let usable: Vec<&FactView> = footprint
            .facts
            .iter()
            .filter(|f| f.verified && !is_unknown(&f.value))
            .collect();
        if usable.is_empty() {
            return skip(
                    "No insights: the website stated nothing the model could quote, so there is nothing verified to judge from."
                        .into(),
                );
        }
        let facts_read = RunFacts::of(&input)?;
        let prompts = self.kit.prompts(facts_read)?;
        let prompt = prompts
            .get(INSIGHTS_PROMPT)
            .map_err(|e| StepError::permanent(e.to_string()))?;
        let facts: Vec<Excerpt> = usable
            .iter()
            .map(|f| Excerpt {
                id: f.key.clone(),
                url: f.source_url.clone().unwrap_or_default(),
                text: format!("{}: {}\nQuote: \"{}\"", f.field, f.value, f.quote),
            })
            .collect();
        let vars = shared_vars(input.now(), &facts_read.lead, &context.profile, &company);
        let layers = assemble(
            prompts,
            INSIGHTS_PROMPT,
            &vars,
            &BTreeMap::from([("facts".to_owned(), facts)]),
        )
        .map_err(|e| StepError::permanent(e.to_string()))?;
        // Only facts the prompt holds may be cited.
        let company_name = vars.get("lead_company").cloned().unwrap_or_default();
        let verified: Cited = usable
            .iter()
            .filter(|f| layers.included.iter().any(|e| e.id == f.key))
            .map(|f| (f.key.clone(), (f.value.clone(), f.quote.clone())))
            .collect();
        if let Some(reason) = budget_stop(&self.kit.store, &input, &facts_read.settings).await? {
            return skip(format!("The model was not asked: {reason}"));
        }
        let client = self.kit.models.connect(choice).await?;
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
        .run(check_insights, |out: &InsightsOutput, model: &str| {
            Self::view(out, &verified, &company_name, model, input.now())
        })
        .await?;
        let view = answer.value;
        let headline = Self::headline(&view);
        output(
            &Insights {
                skipped: None,
                failed: None,
                insights: Some(view),
                headline,
            },
            meta,
        )
    }
}

impl Step for InsightsStep {
    fn key(&self) -> StepKey {
        StepKey::Insights
    }

    fn inputs(&self) -> &'static [StepKey] {
        &[
            StepKey::Seed,
            StepKey::Context,
            StepKey::Profile,
            StepKey::Footprint,
        ]
    }

    fn run(&self, input: StepInput) -> StepFuture<'_> {
        Box::pin(async move {
            let last_try = input.last_try;
            match step_result(self.answer(input).await, last_try)? {
                Ok(done) => Ok(done),
                Err(reason) => output(
                    &Insights {
                        failed: Some(reason),

                        ..Insights::default()
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
