//! The model stages of lead research. `context` reads which model to use and the user's profile;
//! `footprint` asks the model for company facts from the chosen page excerpts, each with a
//! source id and a quote; `insights` judges the lead from the verified facts only. Every answer
//! is validated (JSON Schema, then the stage's own checks; one repair turn sends the errors
//! back) and grounded (cited source in the prompt, quote found in it). Every call is recorded
//! with its three context layers for the context inspector. With no model configured both model
//! stages skip, and research is the deterministic website profile alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use leadscout_domain::{
    CompanyProfile, FactView, GroundedView, GroundingView, InsightsView, LayersView, LeadId,
    ModelCallView, MyProfile, Timestamp,
};
use leadscout_llm::discovery::{client_for_with, Endpoint, EndpointKind, HttpClient};
use leadscout_llm::keys::Keychain;
use leadscout_llm::{
    BoxFuture, CallTimeouts, LlmClient, LlmError, Message, OutputSchema, StructuredRequest, Url,
};
use leadscout_pipeline::excerpts::{self, Page};
use leadscout_pipeline::grounding::{self, Claim, Unverified};
use leadscout_pipeline::outputs::{schemas, FootprintOutput, Grounded, InsightsOutput};
use leadscout_pipeline::prompt::{assemble, tokens, Excerpt, Layers, Prompt, Prompts};
use leadscout_pipeline::{Stage, StageError, StageFuture, StageInput, StageOutput};
use leadscout_store::{StageMeta, Store};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Crawl;

pub const FOOTPRINT_PROMPT: &str = "lead-research/footprint";
pub const INSIGHTS_PROMPT: &str = "lead-research/insights";

/// Why the model stages skip when no model is set up (research is the website profile alone).
pub const NO_MODEL: &str = "No model is set up (Settings → Model).";

/// How long one model call may take before it counts as a timeout (and is retried).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(180);
/// Most facts kept from one answer.
const MAX_FACTS: usize = 12;
/// The insights summary's limit.
const SUMMARY_WORDS: usize = 60;
/// Verified reasons a fit score needs before it becomes the lead's score.
const VERIFIED_REASONS: usize = 3;

/// Which model research uses, as Settings named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelChoice {
    pub provider: String,
    pub base_url: Option<String>,
    pub model: String,
    /// Settings' deadlines: silence for local servers, total time for remote providers.
    #[serde(default)]
    pub timeouts: CallTimeouts,
}

/// Connects to the model Settings chose.
pub trait Models: Send + Sync {
    fn connect<'a>(
        &'a self,
        choice: &'a ModelChoice,
    ) -> BoxFuture<'a, Result<Box<dyn LlmClient>, StageError>>;
}

/// The app's way: the provider's own adapter, its API key read from the OS keychain at the
/// moment of the call (never stored anywhere else).
pub struct KeychainModels {
    keychain: Arc<dyn Keychain>,
    http: HttpClient,
}

impl KeychainModels {
    pub fn new(keychain: Arc<dyn Keychain>, http: HttpClient) -> KeychainModels {
        KeychainModels { keychain, http }
    }
}

impl Models for KeychainModels {
    fn connect<'a>(
        &'a self,
        choice: &'a ModelChoice,
    ) -> BoxFuture<'a, Result<Box<dyn LlmClient>, StageError>> {
        Box::pin(async move {
            let kind = EndpointKind::parse(&choice.provider).ok_or_else(|| {
                StageError::permanent(format!(
                    "{} is not a model provider Leadscout knows; choose another in Settings.",
                    choice.provider
                ))
            })?;
            let base_url = match &choice.base_url {
                Some(raw) => Some(Url::parse(raw).map_err(|_| {
                    StageError::permanent(format!(
                        "The model server address {raw} is not valid; fix it in Settings."
                    ))
                })?),
                None => None,
            };
            let api_key = match kind.key_account() {
                Some(account) => {
                    let keychain = Arc::clone(&self.keychain);
                    tokio::task::spawn_blocking(move || keychain.get(account))
                        .await
                        .map_err(|e| StageError::transient(e.to_string()))?
                        .map_err(|e| StageError::permanent(e.to_string()))?
                }
                None => None,
            };
            let endpoint = Endpoint {
                kind,
                base_url,
                api_key,
            };
            client_for_with(&endpoint, &choice.model, self.http.clone(), choice.timeouts)
                .map_err(|e| StageError::permanent(e.to_string()))
        })
    }
}

/// What the model stages share: the store, the way to a model and the prompts folder.
#[derive(Clone)]
pub struct ModelKit {
    pub store: Store,
    pub models: Arc<dyn Models>,
    /// The user's prompt overrides (`<data folder>/prompts`); `None` uses the shipped prompts.
    pub prompts_dir: Option<PathBuf>,
    /// How long one model call may take ([`CALL_TIMEOUT`] in the app).
    pub call_timeout: Duration,
}

impl ModelKit {
    fn prompts(&self) -> Result<Prompts, StageError> {
        Prompts::load(self.prompts_dir.as_deref()).map_err(|e| {
            StageError::permanent(format!(
                "A prompt override cannot be used: {e}. Fix or reset it in Settings."
            ))
        })
    }
}

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

fn parse<T: DeserializeOwned>(input: &StageInput, name: &str) -> Result<T, StageError> {
    serde_json::from_value(input.input(name).clone())
        .map_err(|e| StageError::permanent(format!("the {name} step's result is unreadable: {e}")))
}

fn output<T: Serialize>(value: &T, meta: StageMeta) -> Result<StageOutput, StageError> {
    serde_json::to_value(value)
        .map(|value| StageOutput { value, meta })
        .map_err(|e| StageError::permanent(e.to_string()))
}

/// 0. Which model, whose profile, which prompts.
pub struct ContextStage {
    pub kit: ModelKit,
}

impl Stage for ContextStage {
    fn name(&self) -> &'static str {
        "context"
    }

    fn reusable(&self) -> bool {
        false
    }

    fn inputs(&self) -> &'static [&'static str] {
        &["seed"]
    }

    fn run(&self, _input: StageInput) -> StageFuture<'_> {
        Box::pin(async move {
            let settings = self
                .kit
                .store
                .settings()
                .await
                .map_err(|e| StageError::transient(format!("could not read settings: {e}")))?;
            let model = match (settings.model.provider, settings.model.model) {
                (Some(provider), Some(model)) => Some(ModelChoice {
                    provider,
                    base_url: settings.model.base_url,
                    model,
                    timeouts: CallTimeouts {
                        total: Duration::from_secs(u64::from(settings.timeouts.total_seconds)),
                        silence: Duration::from_secs(u64::from(settings.timeouts.silence_seconds)),
                    },
                }),
                _ => None,
            };
            // Without a model the prompts are not used, so a broken override cannot stop the
            // website research.
            let prompts = match &model {
                Some(_) => self
                    .kit
                    .prompts()?
                    .all()
                    .map(|p| {
                        (
                            p.id.clone(),
                            format!("{}:{}", p.version, fingerprint(&p.body)),
                        )
                    })
                    .collect(),
                None => BTreeMap::new(),
            };
            let context = Context {
                model,
                profile: settings.profile,
                prompts,
            };
            output(&context, StageMeta::default())
        })
    }
}

/// The footprint stage's output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Footprint {
    /// Why no model was asked (no model configured, nothing to read).
    pub skipped: Option<String>,
    pub model: String,
    pub facts: Vec<FactView>,
}

/// The insights stage's output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Insights {
    pub skipped: Option<String>,
    pub insights: Option<InsightsView>,
    /// One line for the notification.
    pub headline: String,
}

/// The variables of the shared context layer: today, the user, the lead.
/// The company is named as the user typed it, else as its website does, else by its domain.
async fn shared_vars(
    store: &Store,
    lead: LeadId,
    profile: &MyProfile,
    company: &CompanyProfile,
) -> Result<BTreeMap<&'static str, String>, StageError> {
    let domain = company.domain.as_str();
    let found = store
        .lead(lead)
        .await
        .map_err(|e| StageError::transient(format!("could not read the lead: {e}")))?
        .ok_or(StageError::Cancelled)?;
    let or_unknown = |v: Option<String>| {
        v.map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown".to_owned())
    };
    let text = |s: &str| or_unknown(Some(s.to_owned()));
    Ok([
        ("today", Timestamp::now().date()),
        ("user_company", text(&profile.company)),
        ("user_offering", text(&profile.offering)),
        ("user_ideal_customer", text(&profile.ideal_customer)),
        ("lead_name", text(&found.full_name)),
        ("lead_title", or_unknown(found.title)),
        (
            "lead_company",
            found
                .company_name
                .or_else(|| company.name.clone())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| domain.to_owned()),
        ),
        ("lead_domain", domain.to_owned()),
    ]
    .into_iter()
    .collect())
}

fn schema_for(prompt: &Prompt) -> Result<OutputSchema, StageError> {
    let value = schemas()
        .into_iter()
        .find(|(name, _)| *name == prompt.schema)
        .map(|(_, v)| v)
        .ok_or_else(|| {
            StageError::permanent(format!(
                "prompt {} names the schema {}, which does not exist",
                prompt.id, prompt.schema
            ))
        })?;
    OutputSchema::new(format!("leadscout_{}", prompt.schema), value)
        .map_err(|e| StageError::permanent(e.to_string()))
}

/// Whether a model stage may call the model now. Over the per-lead cap the stage skips, and
/// research keeps everything it found without the model; over the per-day cap the run waits
/// for the next day ([`StageError::Deferred`]).
async fn budget_stop(
    store: &Store,
    run: leadscout_domain::RunId,
) -> Result<Option<String>, StageError> {
    let settings = store
        .settings()
        .await
        .map_err(|e| StageError::transient(format!("could not read settings: {e}")))?;
    let read = |e: leadscout_store::StoreError| {
        StageError::transient(format!("could not read what research spent: {e}"))
    };
    let dollars = |cents: u32| f64::from(cents) / 100.0;
    if let Some(cap) = settings.budget.per_lead_cents {
        let spent = store.run_model_spend(run).await.map_err(read)?;
        if spent * 100.0 >= f64::from(cap) {
            return Ok(Some(format!(
                "this lead's research reached its model budget (${spent:.2} of ${:.2}; Settings → Research).",
                dollars(cap)
            )));
        }
    }
    if let Some(cap) = settings.budget.per_day_cents {
        let today = Timestamp::now().start_of_day();
        let spent = store.model_spend_since(today).await.map_err(read)?;
        if spent * 100.0 >= f64::from(cap) {
            // Queued work is never dropped: the run waits for tomorrow (or a higher cap).
            return Err(StageError::Deferred {
                message: format!(
                    "Waiting: today's model budget is spent (${spent:.2} of ${:.2}). Research continues tomorrow, or raise the cap in Settings → Research.",
                    dollars(cap)
                ),
                until: Timestamp(today.0 + 24 * 60 * 60 * 1000),
            });
        }
    }
    Ok(None)
}

/// What one checked answer gave.
struct Answer<R> {
    /// What the stage made of the checked answer.
    value: R,
    /// The model that answered, as the provider names it.
    model: String,
}

/// One model call with its validation, grounding and at most one repair turn, every call
/// recorded with its layers.
struct Call<'a> {
    kit: &'a ModelKit,
    input: &'a StageInput,
    stage: &'static str,
    prompt: &'a Prompt,
    layers: &'a Layers,
    client: &'a dyn LlmClient,
    /// The provider as Settings names it (`openai_compatible`, `ollama`...).
    provider: &'a str,
    meta: StageMeta,
}

impl Call<'_> {
    async fn record(
        &self,
        turn: i64,
        repair: Option<&str>,
        answered: Option<(&str, &leadscout_llm::Usage, Option<f64>, Duration)>,
        outcome: &str,
        errors: &[String],
        grounding: &[GroundingView],
    ) {
        let (model, usage, cost, latency) = match answered {
            Some((model, usage, cost, latency)) => (
                model.to_owned(),
                Some(usage),
                cost,
                Some(i64::try_from(latency.as_millis()).unwrap_or(i64::MAX)),
            ),
            None => (self.client.model().to_owned(), None, None, None),
        };
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let call = ModelCallView {
            id: 0,
            run: self.input.run.0,
            stage: self.stage.to_owned(),
            attempt: self.input.attempt,
            turn,
            prompt_id: self.prompt.id.clone(),
            prompt_version: i64::from(self.prompt.version),
            provider: self.provider.to_owned(),
            model,
            layers: LayersView {
                shared: self.layers.shared.clone(),
                stage: self.layers.stage.clone(),
                task: self.layers.task.clone(),
                repair: repair.map(str::to_owned),
            },
            tokens_shared: count(tokens(&self.layers.shared) as u64),
            tokens_stage: count(tokens(&self.layers.stage) as u64),
            tokens_task: count(tokens(&self.layers.task) as u64),
            tokens_in: usage.map(|u| count(u.input_tokens)),
            tokens_out: usage.map(|u| count(u.output_tokens)),
            tokens_cached: usage.map(|u| count(u.cached_input_tokens)),
            cost_usd: cost,
            latency_ms: latency,
            outcome: outcome.to_owned(),
            errors: errors.to_vec(),
            grounding: grounding.to_vec(),
            created_at: Timestamp(0),
        };
        // The inspector is a view; a failed write must not fail the research.
        if let Err(err) = self
            .kit
            .store
            .record_model_call(&call, Timestamp::now())
            .await
        {
            tracing::warn!(error = %err, stage = self.stage, "could not record a model call");
        }
    }

    fn add_usage(&mut self, model: &str, usage: &leadscout_llm::Usage, cost: Option<f64>) {
        let add = |total: Option<i64>, n: u64| {
            Some(total.unwrap_or(0) + i64::try_from(n).unwrap_or(i64::MAX))
        };
        self.meta.model = Some(model.to_owned());
        self.meta.tokens_in = add(self.meta.tokens_in, usage.input_tokens);
        self.meta.tokens_out = add(self.meta.tokens_out, usage.output_tokens);
        self.meta.tokens_cached = add(self.meta.tokens_cached, usage.cached_input_tokens);
        if let Some(cost) = cost {
            self.meta.cost_usd = Some(self.meta.cost_usd.unwrap_or(0.0) + cost);
        }
    }

    /// Sends the layers, validates the answer as `T` plus `check`, grounds it with `ground`;
    /// one repair turn when the answer is invalid.
    /// `judge` turns a valid answer (and the answering model's name) into the stage's result
    /// and the grounding of each claim, once.
    async fn run<T: DeserializeOwned, R>(
        mut self,
        check: impl Fn(&T) -> Vec<String>,
        judge: impl Fn(&T, &str) -> (R, Vec<GroundingView>),
    ) -> Result<(Answer<R>, StageMeta), StageError> {
        let schema = schema_for(self.prompt)?;
        let mut request = StructuredRequest::new(schema)
            .system(format!("{}\n\n{}", self.layers.shared, self.layers.stage))
            .user(self.layers.task.clone())
            .limits(leadscout_llm::Limits {
                max_output_tokens: self.prompt.max_output_tokens,
                timeout: self.kit.call_timeout,
                temperature: Some(self.prompt.temperature),
            });
        self.meta.prompt_id = Some(self.prompt.id.clone());
        self.meta.prompt_version = Some(self.prompt.version.to_string());
        let mut repair: Option<String> = None;
        for turn in 1..=2 {
            let result = tokio::select! {
                result = self.client.complete(&request) => result,
                () = self.input.cancel.cancelled() => return Err(StageError::Cancelled),
            };
            // What the model wrote, for a repair turn; and the errors that call for one.
            let (written, errors): (String, Vec<String>) = match result {
                Ok(response) => {
                    self.add_usage(&response.model, &response.usage, response.cost_usd);
                    let answered = Some((
                        response.model.as_str(),
                        &response.usage,
                        response.cost_usd,
                        response.latency,
                    ));
                    match serde_json::from_value::<T>(response.value.clone()) {
                        Ok(value) => {
                            let errors = check(&value);
                            if errors.is_empty() {
                                let (judged, grounding) = judge(&value, &response.model);
                                self.record(
                                    turn,
                                    repair.as_deref(),
                                    answered,
                                    "valid",
                                    &[],
                                    &grounding,
                                )
                                .await;
                                let model = response.model.clone();
                                return Ok((
                                    Answer {
                                        value: judged,
                                        model,
                                    },
                                    self.meta,
                                ));
                            }
                            self.record(turn, repair.as_deref(), answered, "invalid", &errors, &[])
                                .await;
                            (response.value.to_string(), errors)
                        }
                        Err(err) => {
                            let errors =
                                vec![format!("the answer does not match the schema: {err}")];
                            self.record(turn, repair.as_deref(), answered, "invalid", &errors, &[])
                                .await;
                            (response.value.to_string(), errors)
                        }
                    }
                }
                Err(err) if err.kind().is_repairable() => {
                    let (written, errors) = repairable(&err);
                    if let Some(call) = err.answered_call() {
                        self.add_usage(&call.model, &call.usage, call.cost_usd);
                        let answered = Some((
                            call.model.as_str(),
                            &call.usage,
                            call.cost_usd,
                            call.latency,
                        ));
                        self.record(turn, repair.as_deref(), answered, "invalid", &errors, &[])
                            .await;
                    }
                    (written, errors)
                }
                Err(err) => {
                    let message = err.to_string();
                    let answered = err
                        .answered_call()
                        .map(|c| (c.model.as_str(), &c.usage, c.cost_usd, c.latency));
                    if let Some(call) = err.answered_call() {
                        self.add_usage(&call.model, &call.usage, call.cost_usd);
                    }
                    self.record(
                        turn,
                        repair.as_deref(),
                        answered,
                        "failed",
                        std::slice::from_ref(&message),
                        &[],
                    )
                    .await;
                    return Err(stage_error(&err));
                }
            };
            if turn == 2 {
                return Err(StageError::permanent(format!(
                    "The model's answer for the {} step was invalid twice: {}",
                    self.stage,
                    errors.join("; ")
                )));
            }
            let message = format!(
                "Your answer did not pass validation:\n{}\nAnswer again with the complete JSON \
                 object, fixing these problems and changing nothing else.",
                errors
                    .iter()
                    .map(|e| format!("- {e}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            request.messages.push(Message::assistant(written));
            request.messages.push(Message::user(message.clone()));
            repair = Some(message);
        }
        Err(StageError::permanent("unreachable: two turns at most"))
    }
}

/// The model's text and the validation errors of a repairable failure.
fn repairable(err: &LlmError) -> (String, Vec<String>) {
    match err {
        LlmError::InvalidJson { raw, message, .. } => (
            raw.clone(),
            vec![format!("the answer is not valid JSON: {message}")],
        ),
        LlmError::SchemaMismatch {
            value, violations, ..
        } => (
            value.to_string(),
            violations.iter().map(ToString::to_string).collect(),
        ),
        other => (String::new(), vec![other.to_string()]),
    }
}

/// A failed call as the engine needs it: load and network problems are retried (honouring
/// Retry-After); a bad key, a refusal, an unknown model or a too-long prompt are not.
fn stage_error(err: &LlmError) -> StageError {
    if err.is_transient() {
        StageError::Transient {
            message: err.to_string(),
            retry_after: err.retry_after(),
        }
    } else {
        StageError::permanent(err.to_string())
    }
}

fn unverified_reason(problem: &Unverified) -> String {
    match problem {
        Unverified::UnknownSource(id) => {
            format!("cites source {id}, which was not in the model's context")
        }
        Unverified::QuoteNotFound => "the quote is not in the cited page".to_owned(),
        Unverified::NoQuote => "no quote".to_owned(),
    }
}

fn is_unknown(value: &str) -> bool {
    let v = value.trim().trim_end_matches('.').to_ascii_lowercase();
    v.is_empty() || v == "unknown" || v == "n/a" || v == "none"
}

/// 1. Company facts from the pages, each grounded in a quote.
pub struct FootprintStage {
    pub kit: ModelKit,
}

impl FootprintStage {
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
        let known: Vec<_> = output
            .facts
            .iter()
            .filter(|f| !is_unknown(&f.value))
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
            let quote = grounding::normalize(claim.quote.trim_matches(['"', '\'', ' ', '.']));
            let from_planted = url.and_then(|u| planted.get(u)).is_some_and(|passages| {
                passages.iter().any(|p| {
                    let p = grounding::normalize(p);
                    !quote.is_empty() && (p.contains(&quote) || quote.contains(&p))
                })
            });
            let problem = match result {
                Err(p) => Some(unverified_reason(&p)),
                Ok(()) if from_planted => {
                    Some("quotes text aimed at AI assistants, which is never a fact".to_owned())
                }
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
                confidence: known[i].confidence.clamp(0.0, 1.0),
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

/// The checks of a footprint answer beyond its schema.
fn check_footprint(output: &FootprintOutput) -> Vec<String> {
    let mut errors = Vec::new();
    for fact in &output.facts {
        if !is_unknown(&fact.value) && fact.quote.trim().is_empty() {
            errors.push(format!(
                "fact {} has a value but no quote; quote the source or answer \"unknown\"",
                fact.id
            ));
        }
        if !(0.0..=1.0).contains(&fact.confidence) {
            errors.push(format!("fact {} has a confidence outside 0 to 1", fact.id));
        }
    }
    errors
}

impl Stage for FootprintStage {
    fn name(&self) -> &'static str {
        "footprint"
    }

    fn inputs(&self) -> &'static [&'static str] {
        &["context", "crawl", "profile"]
    }

    fn run(&self, input: StageInput) -> StageFuture<'_> {
        Box::pin(async move {
            let context: Context = parse(&input, "context")?;
            let crawl: Crawl = parse(&input, "crawl")?;
            let Some(choice) = &context.model else {
                return output(
                    &Footprint {
                        skipped: Some(NO_MODEL.into()),
                        ..Footprint::default()
                    },
                    StageMeta::default(),
                );
            };
            let prompts = self.kit.prompts()?;
            let prompt = prompts
                .get(FOOTPRINT_PROMPT)
                .map_err(|e| StageError::permanent(e.to_string()))?;
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
            let company: CompanyProfile = parse(&input, "profile")?;
            let vars = shared_vars(&self.kit.store, input.lead, &context.profile, &company).await?;
            let layers = assemble(
                &prompts,
                FOOTPRINT_PROMPT,
                &vars,
                &BTreeMap::from([("sources".to_owned(), excerpts)]),
            )
            .map_err(|e| StageError::permanent(e.to_string()))?;
            if let Some(reason) = budget_stop(&self.kit.store, input.run).await? {
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
                stage: self.name(),
                prompt,
                layers: &layers,
                client: client.as_ref(),
                provider: &choice.provider,
                meta: StageMeta::default(),
            }
            .run(check_footprint, |out: &FootprintOutput, _model: &str| {
                Self::facts(out, &layers.included, &planted)
            })
            .await?;
            output(
                &Footprint {
                    skipped: None,
                    model: answer.model,
                    facts: answer.value,
                },
                meta,
            )
        })
    }
}

/// 2. The judgement of the lead, from verified facts only.
pub struct InsightsStage {
    pub kit: ModelKit,
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The checks of an insights answer beyond its schema.
fn check_insights(output: &InsightsOutput) -> Vec<String> {
    let mut errors = Vec::new();
    let count = words(&output.summary);
    if count > SUMMARY_WORDS {
        errors.push(format!(
            "the summary has {count} words; it must have at most {SUMMARY_WORDS}"
        ));
    }
    if output.fit_score.is_some_and(|s| s > 100) {
        errors.push("the fit score must be between 0 and 100".into());
    }
    errors
}

fn grounded(item: &Grounded, verified: &BTreeSet<String>) -> (GroundedView, Option<String>) {
    let ids: Vec<String> = item.fact_ids.iter().map(|i| i.trim().to_owned()).collect();
    let problem = if ids.is_empty() {
        Some("cites no fact".to_owned())
    } else {
        ids.iter()
            .find(|id| !verified.contains(*id))
            .map(|id| format!("cites {id}, which is not a verified fact"))
    };
    (
        GroundedView {
            text: item.text.trim().to_owned(),
            fact_ids: ids,
            verified: problem.is_none(),
        },
        problem,
    )
}

impl InsightsStage {
    /// The checked answer as stored, with the grounding of each statement.
    pub fn view(
        output: &InsightsOutput,
        verified: &BTreeSet<String>,
        model: &str,
    ) -> (InsightsView, Vec<GroundingView>) {
        let mut report = Vec::new();
        let mut list = |label: &str, items: &[Grounded]| -> Vec<GroundedView> {
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let (view, problem) = grounded(item, verified);
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
        let verified_reasons = fit_reasons.iter().filter(|r| r.verified).count();
        let fit_verified = output.fit_score.is_some() && verified_reasons >= VERIFIED_REASONS;
        report.push(GroundingView {
            claim: "fit score".into(),
            verified: fit_verified,
            problem: (!fit_verified).then(|| match output.fit_score {
                None => "no score given".to_owned(),
                Some(_) => format!(
                    "{verified_reasons} of its reasons rest on verified facts; {VERIFIED_REASONS} are needed"
                ),
            }),
        });
        (
            InsightsView {
                summary: output.summary.trim().to_owned(),
                fit_score: output.fit_score.map(|s| s.min(100)),
                fit_verified,
                fit_reasons,
                talking_points,
                risks,
                next_best_action: next.into_iter().next(),
                model: model.to_owned(),
                created_at: Timestamp::now(),
            },
            report,
        )
    }

    /// The notification line: the verified score and the summary.
    pub fn headline(view: &InsightsView) -> String {
        let summary: String = if view.summary.chars().count() > 110 {
            let cut: String = view.summary.chars().take(110).collect();
            format!(
                "{}…",
                cut.rsplit_once(' ')
                    .map_or(cut.as_str(), |(h, _)| h)
                    .trim_end()
            )
        } else {
            view.summary.clone()
        };
        match (view.fit_score, view.fit_verified) {
            (Some(score), true) => format!("Fit {score}/100 · {summary}"),
            _ => summary,
        }
    }
}

impl Stage for InsightsStage {
    fn name(&self) -> &'static str {
        "insights"
    }

    fn inputs(&self) -> &'static [&'static str] {
        &["seed", "context", "profile", "footprint"]
    }

    fn run(&self, input: StageInput) -> StageFuture<'_> {
        Box::pin(async move {
            let context: Context = parse(&input, "context")?;
            let footprint: Footprint = parse(&input, "footprint")?;
            let company: CompanyProfile = parse(&input, "profile")?;
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
            let prompts = self.kit.prompts()?;
            let prompt = prompts
                .get(INSIGHTS_PROMPT)
                .map_err(|e| StageError::permanent(e.to_string()))?;
            let facts: Vec<Excerpt> = usable
                .iter()
                .map(|f| Excerpt {
                    id: f.key.clone(),
                    url: f.source_url.clone().unwrap_or_default(),
                    text: format!("{}: {}\nQuote: \"{}\"", f.field, f.value, f.quote),
                })
                .collect();
            let vars = shared_vars(&self.kit.store, input.lead, &context.profile, &company).await?;
            let layers = assemble(
                &prompts,
                INSIGHTS_PROMPT,
                &vars,
                &BTreeMap::from([("facts".to_owned(), facts)]),
            )
            .map_err(|e| StageError::permanent(e.to_string()))?;
            // Only facts the prompt holds may be cited.
            let verified: BTreeSet<String> = layers.included.iter().map(|e| e.id.clone()).collect();
            if let Some(reason) = budget_stop(&self.kit.store, input.run).await? {
                return skip(format!("The model was not asked: {reason}"));
            }
            let client = self.kit.models.connect(choice).await?;
            let (answer, meta) = Call {
                kit: &self.kit,
                input: &input,
                stage: self.name(),
                prompt,
                layers: &layers,
                client: client.as_ref(),
                provider: &choice.provider,
                meta: StageMeta::default(),
            }
            .run(check_insights, |out: &InsightsOutput, model: &str| {
                Self::view(out, &verified, model)
            })
            .await?;
            let view = answer.value;
            let headline = Self::headline(&view);
            output(
                &Insights {
                    skipped: None,
                    insights: Some(view),
                    headline,
                },
                meta,
            )
        })
    }
}
