//! The `context` stage: which model, whose profile, which prompts, fingerprinted so a change
//! to any of them runs the model stages again.

use std::collections::BTreeMap;

use leadscout_domain::{MyProfile, StepKey};
use leadscout_store::StageMeta;
use leadscout_workflow::{Step, StepError, StepFuture, StepInput, StepOutput};

use crate::steps::RunFacts;
use serde::{Deserialize, Serialize};

use super::{ModelChoice, ModelKit};

/// The `context` stage's output: what the model stages depend on besides the pages. It is
/// recomputed every run, so changing the model, the profile or a prompt makes the model stages
/// run again instead of reusing an older answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    pub model: Option<ModelChoice>,
    pub profile: MyProfile,
    /// Prompt id → `version:fingerprint` of the text in use.
    pub prompts: BTreeMap<String, String>,
}

/// A small stable fingerprint of a prompt's text (FNV-1a).
fn fingerprint(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

pub(super) fn output<T: Serialize>(value: &T, meta: StageMeta) -> Result<StepOutput, StepError> {
    serde_json::to_value(value)
        .map(|value| StepOutput { value, meta })
        .map_err(|e| StepError::permanent(e.to_string()))
}

/// 0. Which model, whose profile, which prompts.
pub struct ContextStep {
    pub kit: ModelKit,
}

impl Step for ContextStep {
    fn key(&self) -> StepKey {
        StepKey::Context
    }

    fn reusable(&self) -> bool {
        false
    }

    fn inputs(&self) -> &'static [StepKey] {
        &[StepKey::Seed]
    }

    fn run(&self, input: StepInput) -> StepFuture<'_> {
        Box::pin(async move {
            let facts = RunFacts::of(&input)?;
            let settings = &facts.settings;
            let model = ModelChoice::from_settings(settings);
            // Without a model the prompts are not used; with one, a broken override ends the
            // model steps (which say why), never the website research.
            let prompts = match &model {
                Some(_) => match self.kit.prompts(facts) {
                    Ok(prompts) => prompts
                        .all()
                        .map(|p| {
                            (
                                p.id.clone(),
                                format!("{}:{}", p.version, fingerprint(&p.body)),
                            )
                        })
                        .collect(),
                    Err(err) => BTreeMap::from([("error".to_owned(), err.to_string())]),
                },
                None => BTreeMap::new(),
            };
            let context = Context {
                model,
                profile: settings.profile.clone(),
                prompts,
            };
            output(&context, StageMeta::default())
        })
    }
}
