//! Research: THE rule for which leads it starts for, the engine that runs it in the process
//! holding the data folder's lock, and what it is likely to cost.

use std::path::PathBuf;
use std::sync::Arc;

use leadscout_domain::{
    CostLedger, LeadId, ModelCallView, RunEvent, RunHistory, RunId, RunSummary, RunTrigger,
    Timestamp,
};
use leadscout_llm::build_http_client;
use leadscout_llm::keys::Keychain;
use leadscout_research::model::{KeychainModels, ModelKit};
use leadscout_research::steps::{seed, workflow, WORKFLOW};
use leadscout_research::{AllowList, CrawlConfig, FetchConfig, Fetcher, Guard};
use leadscout_store::Store;
use leadscout_workflow::{Engine, EngineConfig, EventSink, Notifier, SystemClock};
use serde::{Deserialize, Serialize};
use specta::Type;
use tokio_util::sync::CancellationToken;

use crate::{AppError, Leadscout, SkippedLead};

/// Development and test builds only: `name=127.0.0.1:port` entries (comma-separated) that the
/// SSRF guard resolves and lets through, so the end-to-end tests can serve fixture websites on
/// loopback under real-looking names. Release builds ignore it.
pub const TEST_ALLOW_ENV: &str = "LEADSCOUT_TEST_ALLOW_HOSTS";

/// What became of a "research now" request.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ResearchRequest {
    pub queued: Vec<LeadId>,
    pub skipped: Vec<SkippedLead>,
}

/// What researching one lead is likely to cost with the chosen model, shown before the user
/// starts it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ResearchEstimate {
    /// The model research would use; `None` without one (research is then free).
    pub model: Option<String>,
    /// US dollars; `None` for a model without a known price (local models).
    pub usd: Option<f64>,
    pub tokens_in: u32,
    pub tokens_out: u32,
    /// Measured from this app's recent calls, rather than the default guess.
    pub measured: bool,
    pub today_usd: f64,
    pub per_day_cents: Option<u32>,
    pub per_lead_cents: Option<u32>,
}

/// Tokens one lead takes before any call was measured: both stages' budgets nearly full.
const DEFAULT_LEAD_TOKENS: (i64, i64) = (8_000, 1_500);

/// The running engine.
pub struct Research {
    pub engine: Arc<Engine>,
    events: Arc<dyn EventSink>,
    shutdown: CancellationToken,
}

impl Research {
    /// Tells the listener a run was queued and the workers that there is work.
    pub fn queued(&self, run: RunId, lead: LeadId) {
        self.events.emit(RunEvent::Queued { run, lead });
        self.engine.wake();
    }

    pub fn stop(&self) {
        self.shutdown.cancel();
    }
}

/// The guard's loopback allowances: none in release builds; in debug builds what
/// [`TEST_ALLOW_ENV`] lists.
pub fn allow_list() -> AllowList {
    if !cfg!(debug_assertions) {
        return AllowList::none();
    }
    let Ok(list) = std::env::var(TEST_ALLOW_ENV) else {
        return AllowList::none();
    };
    let allow = AllowList::parse(&list);
    if !allow.is_empty() {
        tracing::warn!(%list, "test build: the research guard lets these local addresses through");
    }
    allow
}

/// Builds and starts the engine on the current async runtime, for the process that holds the
/// data folder's lock. Runs left by an earlier process resume at once; owed notifications are
/// delivered through `notifier`, progress through `events`. Idle workers look for runs another
/// process queued every few seconds, so a run the command line queued while the app runs is
/// picked up by the app.
pub async fn start(
    store: Store,
    keychain: Arc<dyn Keychain>,
    prompts_dir: PathBuf,
    events: Arc<dyn EventSink>,
    notifier: Arc<dyn Notifier>,
) -> anyhow::Result<Research> {
    // Settings that do not read leave research running with the default workers; each run
    // then says why it cannot read them, and saving new settings mends it.
    let settings = store.settings().await.unwrap_or_else(|err| {
        tracing::warn!(error = %err, "research starts with the default settings");
        leadscout_domain::Settings::default()
    });
    // This process holds the instance lock: runs a crashed copy left running resume right away
    // instead of when their leases would have expired.
    let released = store.release_leases(Timestamp::now()).await?;
    if released > 0 {
        tracing::info!(released, "resuming research interrupted by the last exit");
    }
    let fetcher = Fetcher::new(Guard::new(allow_list()), FetchConfig::default())?;
    let kit = ModelKit {
        store: store.clone(),
        models: Arc::new(KeychainModels::new(keychain, build_http_client()?)),
        prompts_dir: Some(prompts_dir),
        call_timeout: leadscout_research::model::CALL_TIMEOUT,
    };
    let workflow = workflow(kit, Arc::new(fetcher), CrawlConfig::default())?;
    let config = EngineConfig {
        workers: usize::from(settings.workers.max(1)),
        // Short enough that a run cut off by a crash resumes soon after the next start.
        lease: std::time::Duration::from_secs(30),
        ..EngineConfig::default()
    };
    let engine = Engine::new(
        store.clone(),
        workflow,
        seed(store),
        Arc::new(SystemClock),
        Arc::clone(&events),
        notifier,
        config,
    );
    let shutdown = CancellationToken::new();
    engine.start(shutdown.clone());
    tracing::info!(workers = settings.workers, "research engine started");
    Ok(Research {
        engine,
        events,
        shutdown,
    })
}

impl Leadscout {
    /// Queues research for each lead that has something to start from (the domain's
    /// [`leadscout_domain::research_domain`] rule); the others are listed with the reason.
    /// "Research now" reuses fresh results where the inputs did not change; `force` ("re-run")
    /// recomputes every step.
    pub async fn request_research(
        &self,
        ids: &[LeadId],
        force: bool,
    ) -> Result<ResearchRequest, AppError> {
        let trigger = if force {
            RunTrigger::Rerun
        } else {
            RunTrigger::Manual
        };
        let mut request = ResearchRequest {
            queued: Vec::new(),
            skipped: Vec::new(),
        };
        for &id in ids {
            let Some(lead) = self.store.lead(id).await? else {
                request.skipped.push(SkippedLead {
                    lead: id,
                    reason: "This lead no longer exists.".into(),
                });
                continue;
            };
            if !lead.researchable() {
                request.skipped.push(SkippedLead {
                    lead: id,
                    reason: format!(
                        "{} has no company website or work email to research.",
                        lead.full_name
                    ),
                });
                continue;
            }
            let run = self
                .store
                .enqueue_run(id, WORKFLOW, trigger, Timestamp::now())
                .await?;
            self.queued(Some(run), id);
            request.queued.push(id);
        }
        Ok(request)
    }

    /// Stops the lead's research: a queued run at once, a running one at its next step.
    pub async fn cancel_research(&self, id: LeadId) -> Result<(), AppError> {
        match &self.research {
            Some(research) => research.engine.cancel(id).await?,
            None => {
                self.store.cancel_runs_of(id, Timestamp::now()).await?;
            }
        }
        Ok(())
    }

    /// The model calls behind the lead's latest research, with the context layers as sent,
    /// tokens, cost, latency and how each answer was validated and grounded.
    pub async fn model_calls(&self, lead: LeadId) -> Result<Vec<ModelCallView>, AppError> {
        Ok(self.store.lead_model_calls(lead).await?)
    }

    /// The lead's recent runs with every stage attempt.
    pub async fn run_history(&self, lead: LeadId) -> Result<Vec<RunHistory>, AppError> {
        Ok(self.store.lead_run_history(lead).await?)
    }

    /// What model calls cost today, this month, by day and by lead.
    pub async fn cost_ledger(&self) -> Result<CostLedger, AppError> {
        Ok(self.store.cost_ledger(Timestamp::now()).await?)
    }

    /// The lead's latest research run, if it has one.
    pub async fn latest_run(&self, lead: LeadId) -> Result<Option<RunSummary>, AppError> {
        Ok(self.store.latest_runs(Some(lead)).await?.into_iter().next())
    }

    /// What researching one lead is likely to cost with the chosen model.
    pub async fn research_estimate(&self) -> Result<ResearchEstimate, AppError> {
        let settings = self.store.settings().await?;
        let typical = self.store.typical_lead_tokens().await?;
        let (tokens_in, tokens_out) = typical.unwrap_or(DEFAULT_LEAD_TOKENS);
        let model = settings.model.provider.and(settings.model.model.clone());
        let usd = match (settings.model.provider, &model) {
            (Some(kind), Some(model)) => leadscout_llm::pricing::cost_usd(
                kind.into(),
                model,
                &leadscout_llm::Usage {
                    input_tokens: u64::try_from(tokens_in).unwrap_or(0),
                    output_tokens: u64::try_from(tokens_out).unwrap_or(0),
                    ..leadscout_llm::Usage::default()
                },
            ),
            _ => None,
        };
        let today_usd = self
            .store
            .model_spend_since(Timestamp::now().start_of_day())
            .await?;
        Ok(ResearchEstimate {
            model,
            usd,
            tokens_in: u32::try_from(tokens_in).unwrap_or(u32::MAX),
            tokens_out: u32::try_from(tokens_out).unwrap_or(u32::MAX),
            measured: typical.is_some(),
            today_usd,
            per_day_cents: settings.budget.per_day_cents,
            per_lead_cents: settings.budget.per_lead_cents,
        })
    }
}
