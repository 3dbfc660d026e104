//! The deterministic stages of the lead-research workflow: resolve the company's domain, crawl
//! its site, build a grounded profile from what the pages say, and write it back. With no model
//! configured this is the whole workflow, and the user still gets a company profile.
//!
//! This module holds what every step shares (the seed, the run's facts, reading a declared
//! input); each step lives in its own file, in the order the workflow runs them. The model steps
//! are in `crate::model`.

use std::sync::{Arc, OnceLock};

use leadscout_context::prompt::Prompts;
use leadscout_domain::{Lead, LeadId, Settings, StepKey, Timestamp};
use leadscout_store::Store;
use leadscout_workflow::{
    RunStart, SeedFn, StepError, StepInput, StepOutput, Workflow, WorkflowError,
};
use serde::{Deserialize, Serialize};

use crate::model::{ContextStep, FootprintStep, InsightsStep, ModelKit};
use crate::{CrawlConfig, Fetcher};

mod crawl;
mod profile;
mod resolve;
mod write;

pub use crawl::{step_error, CrawlStep};
pub use profile::ProfileStep;
pub use resolve::ResolveStep;
pub use write::{WriteStep, Written};

/// The workflow's name in the `runs` table.
pub const WORKFLOW: &str = "lead-research";

/// Research is reused for this long: two leads at one company in the same week share one crawl,
/// and "research now" a week later reads the site again.
const FRESH_FOR_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// The lead facts a run starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Seed {
    pub lead: i64,
    pub website: Option<String>,
    pub email: Option<String>,
    pub company_domain: Option<String>,
    /// The company's known website (from an earlier lead or research).
    pub company_website: Option<String>,
    /// Which freshness period the run falls in (see [`FRESH_FOR_MS`]).
    pub period: i64,
}

/// Where the company lives on the web.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolved {
    pub domain: String,
    pub start_url: String,
    pub period: i64,
}

/// What one run reads once, when it starts, and all its steps share (the engine's run
/// context): the lead, the settings, and the prompts, loaded the first time a model step asks
/// (a run without a model never reads them).
pub struct RunFacts {
    pub lead: Lead,
    pub settings: Settings,
    prompts: OnceLock<Result<Prompts, String>>,
}

impl RunFacts {
    pub fn new(lead: Lead, settings: Settings) -> RunFacts {
        RunFacts {
            lead,
            settings,
            prompts: OnceLock::new(),
        }
    }

    /// The run's facts, from the context its seed made.
    pub fn of(input: &StepInput) -> Result<&RunFacts, StepError> {
        input.context::<RunFacts>().ok_or_else(|| {
            StepError::permanent("the run was not started by the research workflow's seed")
        })
    }

    /// The prompts (with the user's overrides from `dir`), read from disk once per run.
    pub fn prompts(&self, dir: Option<&std::path::Path>) -> Result<&Prompts, StepError> {
        self.prompts
            .get_or_init(|| {
                Prompts::load(dir).map_err(|e| {
                    format!("A prompt override cannot be used: {e}. Fix or reset it in Settings.")
                })
            })
            .as_ref()
            .map_err(|message| StepError::permanent(message.clone()))
    }
}

/// The run's start: its seed (the lead's website, email and company domain) and its
/// [`RunFacts`], read once when the run starts.
pub fn seed(store: Store) -> SeedFn {
    Arc::new(move |lead: LeadId, now: Timestamp| {
        let store = store.clone();
        Box::pin(async move {
            let found = store
                .lead(lead)
                .await
                .map_err(|e| StepError::transient(format!("could not read the lead: {e}")))?;
            let Some(found) = found else {
                return Err(StepError::Cancelled);
            };
            let settings = store
                .settings()
                .await
                .map_err(|e| StepError::transient(format!("could not read settings: {e}")))?;
            let company = match found.company_id {
                Some(company) => store.company(company).await.map_err(|e| {
                    StepError::transient(format!("could not read the company: {e}"))
                })?,
                None => None,
            };
            let (company_domain, company_website) =
                company.map(|c| (c.domain, c.website)).unwrap_or_default();
            let seed = Seed {
                lead: lead.0,
                website: found.website.clone(),
                email: found.email.clone(),
                company_domain,
                company_website,
                period: now.0 / FRESH_FOR_MS,
            };
            Ok(RunStart {
                seed: serde_json::to_value(seed)
                    .map_err(|e| StepError::permanent(e.to_string()))?,
                context: Arc::new(RunFacts::new(found, settings)),
            })
        })
    })
}

/// Builds the workflow on a fetcher and the model kit (which holds the store):
/// resolve → crawl → profile, and context → footprint → insights when a model is set up,
/// then one write-back of everything.
pub fn workflow(
    kit: ModelKit,
    fetcher: Arc<Fetcher>,
    config: CrawlConfig,
) -> Result<Workflow, WorkflowError> {
    let store = kit.store.clone();
    Workflow::new(
        WORKFLOW,
        vec![
            Arc::new(ResolveStep),
            Arc::new(CrawlStep::new(fetcher, config, store.clone())),
            Arc::new(ProfileStep),
            Arc::new(ContextStep { kit: kit.clone() }),
            Arc::new(FootprintStep { kit: kit.clone() }),
            Arc::new(InsightsStep { kit }),
            Arc::new(WriteStep::new(store)),
        ],
    )
    .map(|workflow| workflow.with_changes(Arc::new(WriteStep::changes)))
}

/// A declared input, read as the type its step writes.
pub(crate) fn parse<T: for<'de> Deserialize<'de>>(
    input: &StepInput,
    key: StepKey,
) -> Result<T, StepError> {
    serde_json::from_value(input.input(key).clone())
        .map_err(|e| StepError::permanent(format!("the {key} step's result is unreadable: {e}")))
}

pub(crate) fn output<T: Serialize>(value: &T) -> Result<StepOutput, StepError> {
    serde_json::to_value(value)
        .map(StepOutput::new)
        .map_err(|e| StepError::permanent(e.to_string()))
}
