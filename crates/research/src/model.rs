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

use leadscout_context::excerpts::{self, Page};
use leadscout_context::grounding::{self, Claim, Unverified};
use leadscout_context::outputs::{
    schemas, FootprintOutput, Grounded, InsightsOutput, MAX_CITED, MAX_FACTS, MAX_SUMMARY_CHARS,
};
use leadscout_context::prompt::{assemble, tokens, Excerpt, Layers, Prompt, Prompts};
use leadscout_domain::{
    CompanyProfile, FactView, GroundedView, GroundingView, InsightsView, LayersView, Lead,
    ModelCallView, MyProfile, StepKey, Timestamp,
};
use leadscout_llm::discovery::{client_for_with, stored_endpoint, EndpointKind, HttpClient};
use leadscout_llm::keys::Keychain;
use leadscout_llm::{
    BoxFuture, CallTimeouts, LlmClient, LlmError, Message, OutputSchema, StructuredRequest, Url,
};
use leadscout_store::{StageMeta, Store};
use leadscout_workflow::{Step, StepError, StepFuture, StepInput, StepOutput};

use crate::steps::{parse, RunFacts};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Crawl;

pub const FOOTPRINT_PROMPT: &str = "lead-research/footprint";
pub const INSIGHTS_PROMPT: &str = "lead-research/insights";

/// Why the model stages skip when no model is set up (research is the website profile alone).
pub const NO_MODEL: &str = "No model is set up (Settings → Model).";

/// How long one model call may take before it counts as a timeout (and is retried).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(180);
/// The fewest words a summary needs to be a sentence.
const SUMMARY_MIN_WORDS: usize = 4;
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

impl ModelChoice {
    /// The model Settings names, with its deadlines; `None` when none is set up.
    pub fn from_settings(settings: &leadscout_domain::Settings) -> Option<ModelChoice> {
        match (&settings.model.provider, &settings.model.model) {
            (Some(provider), Some(model)) => Some(ModelChoice {
                provider: provider.clone(),
                base_url: settings.model.base_url.clone(),
                model: model.clone(),
                timeouts: CallTimeouts {
                    total: Duration::from_secs(u64::from(settings.timeouts.total_seconds)),
                    silence: Duration::from_secs(u64::from(settings.timeouts.silence_seconds)),
                },
            }),
            _ => None,
        }
    }
}

/// Connects to the model Settings chose.
pub trait Models: Send + Sync {
    fn connect<'a>(
        &'a self,
        choice: &'a ModelChoice,
    ) -> BoxFuture<'a, Result<Box<dyn LlmClient>, StepError>>;
}

/// The app's way: the provider's own adapter, its API key read from the OS keychain at the
/// moment of the call (never stored anywhere else), sent only where `stored_endpoint` allows.
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
    ) -> BoxFuture<'a, Result<Box<dyn LlmClient>, StepError>> {
        Box::pin(async move {
            let kind = EndpointKind::parse(&choice.provider).ok_or_else(|| {
                StepError::permanent(format!(
                    "{} is not a model provider Leadscout knows; choose another in Settings.",
                    choice.provider
                ))
            })?;
            let base_url = match &choice.base_url {
                Some(raw) => Some(Url::parse(raw).map_err(|_| {
                    StepError::permanent(format!(
                        "The model server address {raw} is not valid; fix it in Settings."
                    ))
                })?),
                None => None,
            };
            // The key, and a custom address for it only if the user saved that address.
            let keychain = Arc::clone(&self.keychain);
            let endpoint = tokio::task::spawn_blocking(move || {
                stored_endpoint(keychain.as_ref(), kind, base_url)
            })
            .await
            .map_err(|e| StepError::transient(e.to_string()))?
            .map_err(|e| StepError::permanent(e.to_string()))?;
            client_for_with(&endpoint, &choice.model, self.http.clone(), choice.timeouts)
                .map_err(|e| StepError::permanent(e.to_string()))
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
    /// The run's prompts, read from disk once per run.
    fn prompts<'a>(&self, facts: &'a RunFacts) -> Result<&'a Prompts, StepError> {
        facts.prompts(self.prompts_dir.as_deref())
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

fn output<T: Serialize>(value: &T, meta: StageMeta) -> Result<StepOutput, StepError> {
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

/// The variables of the shared context layer: today, the user, the lead (as the run read it
/// when it started). The company is named as the user typed it, else as its website does, else
/// by its domain.
fn shared_vars(
    today: Timestamp,
    found: &Lead,
    profile: &MyProfile,
    company: &CompanyProfile,
) -> BTreeMap<&'static str, String> {
    let domain = company.domain.as_str();
    let or_unknown = |v: Option<String>| {
        v.map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown".to_owned())
    };
    let text = |s: &str| or_unknown(Some(s.to_owned()));
    [
        ("today", today.date()),
        ("user_company", text(&profile.company)),
        ("user_offering", text(&profile.offering)),
        ("user_ideal_customer", text(&profile.ideal_customer)),
        ("lead_name", text(&found.full_name)),
        ("lead_title", or_unknown(found.title.clone())),
        (
            "lead_company",
            found
                .company_name
                .clone()
                .or_else(|| company.name.clone())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| domain.to_owned()),
        ),
        ("lead_domain", domain.to_owned()),
    ]
    .into_iter()
    .collect()
}

pub(crate) fn schema_for(prompt: &Prompt) -> Result<OutputSchema, StepError> {
    let value = schemas()
        .into_iter()
        .find(|(name, _)| *name == prompt.schema)
        .map(|(_, v)| v)
        .ok_or_else(|| {
            StepError::permanent(format!(
                "prompt {} names the schema {}, which does not exist",
                prompt.id, prompt.schema
            ))
        })?;
    OutputSchema::new(format!("leadscout_{}", prompt.schema), value)
        .map_err(|e| StepError::permanent(e.to_string()))
}

/// Whether a model stage may call the model now. Over the per-lead cap the stage skips, and
/// research keeps everything it found without the model; over the per-day cap the run waits
/// for the next day ([`StepError::Deferred`]).
async fn budget_stop(
    store: &Store,
    input: &StepInput,
    settings: &leadscout_domain::Settings,
) -> Result<Option<String>, StepError> {
    let run = input.run;
    let read = |e: leadscout_store::StoreError| {
        StepError::transient(format!("could not read what research spent: {e}"))
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
        let today = input.now().start_of_day();
        let spent = store.model_spend_since(today).await.map_err(read)?;
        if spent * 100.0 >= f64::from(cap) {
            // Queued work is never dropped: the run waits for tomorrow (or a higher cap).
            return Err(StepError::Deferred {
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
    input: &'a StepInput,
    stage: &'static str,
    prompt: &'a Prompt,
    layers: &'a Layers,
    client: &'a dyn LlmClient,
    /// The provider as Settings names it (`openai_compatible`, `ollama`...).
    provider: &'a str,
    meta: StageMeta,
}

/// What a model answered, for its record: the model as the provider names it, the tokens, the
/// cost and how long it took.
pub(crate) type Answered<'a> = (&'a str, &'a leadscout_llm::Usage, Option<f64>, Duration);

/// Where a model call was made: what every record of it shares.
pub(crate) struct CallSite<'a> {
    /// The research run (0 for a call outside any run).
    pub run: i64,
    pub stage: &'a str,
    pub attempt: i64,
    pub prompt: &'a Prompt,
    /// The provider as Settings names it (`openai_compatible`, `ollama`...).
    pub provider: &'a str,
    pub layers: &'a Layers,
    /// The model asked, recorded when none answered.
    pub model: &'a str,
}

/// One call as `model_calls` keeps it, with its layers exactly as sent.
pub(crate) fn call_record(
    site: &CallSite<'_>,
    turn: i64,
    repair: Option<&str>,
    answered: Option<Answered<'_>>,
    outcome: &str,
    errors: &[String],
    grounding: &[GroundingView],
) -> ModelCallView {
    let (model, usage, cost, latency) = match answered {
        Some((model, usage, cost, latency)) => (
            model.to_owned(),
            Some(usage),
            cost,
            Some(i64::try_from(latency.as_millis()).unwrap_or(i64::MAX)),
        ),
        None => (site.model.to_owned(), None, None, None),
    };
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    ModelCallView {
        id: 0,
        run: site.run,
        stage: site.stage.to_owned(),
        attempt: site.attempt,
        turn,
        prompt_id: site.prompt.id.clone(),
        prompt_version: i64::from(site.prompt.version),
        provider: site.provider.to_owned(),
        model,
        layers: LayersView {
            shared: site.layers.shared.clone(),
            stage: site.layers.stage.clone(),
            task: site.layers.task.clone(),
            repair: repair.map(str::to_owned),
        },
        tokens_shared: count(tokens(&site.layers.shared) as u64),
        tokens_stage: count(tokens(&site.layers.stage) as u64),
        tokens_task: count(tokens(&site.layers.task) as u64),
        tokens_in: usage.map(|u| count(u.input_tokens)),
        tokens_out: usage.map(|u| count(u.output_tokens)),
        tokens_cached: usage.map(|u| count(u.cached_input_tokens)),
        cost_usd: cost,
        latency_ms: latency,
        outcome: outcome.to_owned(),
        errors: errors.to_vec(),
        grounding: grounding.to_vec(),
        created_at: Timestamp(0),
    }
}

impl Call<'_> {
    async fn record(
        &self,
        turn: i64,
        repair: Option<&str>,
        answered: Option<Answered<'_>>,
        outcome: &str,
        errors: &[String],
        grounding: &[GroundingView],
    ) {
        let site = CallSite {
            run: self.input.run.0,
            stage: self.stage,
            attempt: self.input.attempt,
            prompt: self.prompt,
            provider: self.provider,
            layers: self.layers,
            model: self.client.model(),
        };
        let call = call_record(&site, turn, repair, answered, outcome, errors, grounding);
        // The inspector is a view; a failed write must not fail the research.
        if let Err(err) = self
            .kit
            .store
            .record_model_call(&call, self.input.now())
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
    ) -> Result<(Answer<R>, StageMeta), StepError> {
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
                () = self.input.cancel.cancelled() => return Err(StepError::Cancelled),
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
                    return Err(step_error(&err));
                }
            };
            if turn == 2 {
                return Err(StepError::permanent(invalid_twice(&errors, &written)));
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
        Err(StepError::permanent("unreachable: two turns at most"))
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
/// Retry-After); a bad key, a refusal, an unknown model or a too-long prompt are not. Either
/// way the message is written for the salesperson who reads it on the lead.
fn step_error(err: &LlmError) -> StepError {
    if err.is_transient() {
        StepError::Transient {
            message: in_words(err),
            retry_after: err.retry_after(),
        }
    } else {
        StepError::permanent(in_words(err))
    }
}

/// What went wrong with a model call, and what usually fixes it, in a salesperson's words
/// (the provider's own message is kept in the context inspector).
fn in_words(err: &LlmError) -> String {
    match err {
        LlmError::Truncated { partial, .. } if repeats_itself(partial) => {
            "The model repeated itself until it ran out of room; a larger model usually fixes this."
                .to_owned()
        }
        LlmError::Truncated { .. } => "The model's answer was cut off at its output limit before it was complete; a larger model usually fixes this.".to_owned(),
        LlmError::Refusal { message, .. } => format!(
            "The model refused to answer{}; another model in Settings → Model usually does not.",
            message
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(|m| format!(" (\u{201c}{}\u{201d})", m.chars().take(200).collect::<String>()))
                .unwrap_or_default()
        ),
        LlmError::Timeout { after, .. } => format!(
            "The model did not answer within {} seconds; check that it is running, or choose a faster model in Settings → Model.",
            after.as_secs()
        ),
        LlmError::Connection { .. } => "The model could not be reached; check that it is running and its address in Settings → Model.".to_owned(),
        LlmError::RateLimited { .. } | LlmError::Overloaded { .. } | LlmError::Server { .. } => {
            "The model provider was busy or failing, even after several tries; retry the AI step later.".to_owned()
        }
        LlmError::Auth { .. } => {
            "The model provider refused the API key; enter it again in Settings → Model.".to_owned()
        }
        LlmError::QuotaExceeded { .. } => "The model provider says the account's credit is used up; add credit or choose another model in Settings → Model.".to_owned(),
        LlmError::ContextTooLong { .. } => "The pages were too long for the model's context window; choose a model with a larger context in Settings → Model.".to_owned(),
        LlmError::ModelNotFound { model, .. } => format!(
            "The model provider does not know the model {model}; choose another in Settings → Model."
        ),
        other => format!("The model's answer could not be used: {other}."),
    }
}

/// The message when an answer and its repair were both invalid: that the model looped, when
/// the last answer is the same text over and over, else the first problem, shortened.
fn invalid_twice(errors: &[String], written: &str) -> String {
    if repeats_itself(written) {
        return "The model repeated itself instead of answering; a larger model usually fixes this."
            .to_owned();
    }
    let first = errors.first().map(String::as_str).unwrap_or_default();
    let first: String = first.chars().take(160).collect();
    let first = first.replace(['{', '}', '"'], "");
    format!(
        "The model's answer did not follow the required form, twice ({first}); a larger model usually fixes this."
    )
}

/// Whether a cut-off answer is the same text over and over (a small model looping): a long
/// string written three times or more, or "unknown" four times.
fn repeats_itself(partial: &str) -> bool {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, piece) in partial.split('"').enumerate() {
        // Odd pieces are the insides of JSON strings.
        if i % 2 == 1 {
            *counts.entry(piece.trim()).or_default() += 1;
        }
    }
    counts
        .iter()
        .any(|(text, n)| (text.chars().count() >= 12 && *n >= 3) || (*text == "unknown" && *n >= 4))
}

/// A model step's result, or the words for why the step ended without one. Only a failure
/// that another try could mend is passed on (to be retried), and cancellation and waiting for
/// the budget as they are: the website research never waits on the model for good.
fn step_result<T>(
    result: Result<T, StepError>,
    last_try: bool,
) -> Result<Result<T, String>, StepError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(StepError::Permanent { message }) => Ok(Err(message)),
        Err(StepError::Transient { message, .. }) if last_try => Ok(Err(message)),
        Err(other) => Err(other),
    }
}

fn unverified_reason(problem: &Unverified) -> String {
    match problem {
        Unverified::UnknownSource(id) => {
            format!("cites source {id}, which was not in the model's context")
        }
        Unverified::QuoteNotFound => "the quote is not in the cited page".to_owned(),
        Unverified::NoQuote => "no quote".to_owned(),
        Unverified::QuoteTooShort => "the quote is too short to state anything".to_owned(),
        Unverified::NumberNotInQuote(n) => format!("{n} is not in the quote"),
        Unverified::WordsNotInQuote(words) => {
            format!("the quote does not say {}", words.join(", "))
        }
    }
}

pub(crate) fn is_unknown(value: &str) -> bool {
    let v = value.trim().trim_end_matches('.').to_ascii_lowercase();
    v.is_empty()
        || [
            "unknown",
            "n/a",
            "na",
            "none",
            "not stated",
            "not specified",
            "not available",
            "null",
        ]
        .contains(&v.as_str())
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

/// 2. The judgement of the lead, from verified facts only.
pub struct InsightsStep {
    pub kit: ModelKit,
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Every statement of an insights answer with its label (`fit reason 2`).
fn statements(output: &InsightsOutput) -> Vec<(String, &Grounded)> {
    let mut out = Vec::new();
    for (name, items) in [
        ("fit reason", output.fit_reasons.as_slice()),
        ("talking point", output.talking_points.as_slice()),
        ("risk", output.risks.as_slice()),
        (
            "next action",
            std::slice::from_ref(&output.next_best_action),
        ),
    ] {
        for (i, item) in items.iter().enumerate() {
            out.push((format!("{name} {}", i + 1), item));
        }
    }
    out
}

/// The checks of an insights answer beyond its schema; each sends the answer back for one
/// repair.
fn check_insights(output: &InsightsOutput) -> Vec<String> {
    let mut errors = Vec::new();
    let summary = output.summary.trim();
    let letters = summary.chars().filter(|c| c.is_alphabetic()).count();
    if words(summary) < SUMMARY_MIN_WORDS || letters < 3 * SUMMARY_MIN_WORDS {
        errors.push(format!(
            "the summary must be at least one sentence ({SUMMARY_MIN_WORDS} words or more)"
        ));
    }
    if summary.chars().count() > MAX_SUMMARY_CHARS {
        errors.push(format!(
            "the summary has {} characters; it must have at most {MAX_SUMMARY_CHARS}",
            summary.chars().count()
        ));
    }
    if output.fit_score.is_some_and(|s| s > 100) {
        errors.push("the fit score must be between 0 and 100".into());
    }
    for (label, item) in statements(output) {
        let mut seen = BTreeSet::new();
        if let Some(twice) = item.fact_ids.iter().find(|id| !seen.insert(id.trim())) {
            errors.push(format!("{label} cites {twice} twice; cite each fact once"));
        }
        if item.fact_ids.len() > MAX_CITED {
            errors.push(format!(
                "{label} cites {} facts; cite the 1 to {MAX_CITED} it rests on",
                item.fact_ids.len()
            ));
        }
    }
    let texts: Vec<String> = output
        .fit_reasons
        .iter()
        .map(|r| grounding::normalize(r.text.trim_end_matches('.')))
        .collect();
    for (i, text) in texts.iter().enumerate() {
        if let Some(j) = texts[..i].iter().position(|t| t == text) {
            errors.push(format!(
                "fit reasons {} and {} say the same; give each reason once, resting on different facts",
                j + 1,
                i + 1
            ));
        }
    }
    errors
}

/// A verified fact as statements may cite it: its value and quote.
pub type Cited = BTreeMap<String, (String, String)>;

/// Whether a statement stands on the facts it cites: 1 to 3 different verified facts, no
/// number they do not state, and something said beyond them.
fn statement_problem(text: &str, ids: &[String], facts: &Cited) -> Option<String> {
    restatement_problem(text, ids, facts, None)
}

/// [`statement_problem`], or for a restatement (the summary, whose job is to restate; an email
/// draft's sentences) any number of facts and no content word they do not state: `restating`
/// holds the names (the lead's company) it may use besides its facts' words.
pub(crate) fn restatement_problem(
    text: &str,
    ids: &[String],
    facts: &Cited,
    restating: Option<&[&str]>,
) -> Option<String> {
    if ids.is_empty() {
        return Some("cites no fact".to_owned());
    }
    if ids.len() > MAX_CITED && restating.is_none() {
        return Some(format!(
            "cites {} facts; a statement rests on 1 to {MAX_CITED}",
            ids.len()
        ));
    }
    let distinct: BTreeSet<&String> = ids.iter().collect();
    if distinct.len() < ids.len() {
        return Some("cites one fact twice".to_owned());
    }
    if let Some(id) = ids.iter().find(|id| !facts.contains_key(*id)) {
        return Some(format!("cites {id}, which is not a verified fact"));
    }
    let grounds: Vec<&str> = ids
        .iter()
        .filter_map(|id| facts.get(id))
        .flat_map(|(value, quote)| [value.as_str(), quote.as_str()])
        .collect();
    let invented = grounding::numbers_not_in(text, &grounds);
    if !invented.is_empty() {
        return Some(format!(
            "states {}, which none of its facts does",
            invented.join(", ")
        ));
    }
    if let Some(names) = restating {
        let allowed: Vec<&str> = grounds.iter().chain(names).copied().collect();
        let unsupported = grounding::words_not_in(text, &allowed);
        if !unsupported.is_empty() {
            return Some(format!(
                "says {}, which none of its facts does",
                unsupported.join(", ")
            ));
        }
    }
    if restating.is_none() && grounding::only_restates(text, &grounds) {
        return Some(format!(
            "only repeats {}; a reason says why it matters",
            ids.join(", ")
        ));
    }
    None
}

fn grounded(item: &Grounded, facts: &Cited) -> (GroundedView, Option<String>) {
    let ids: Vec<String> = item.fact_ids.iter().map(|i| i.trim().to_owned()).collect();
    let problem = statement_problem(&item.text, &ids, facts);
    (
        GroundedView {
            text: item.text.trim().to_owned(),
            fact_ids: ids,
            verified: problem.is_none(),
        },
        problem,
    )
}

/// How many verified reasons rest on different facts: the largest set of reasons that can
/// each be given a fact of its own (a matching of reasons to the facts they cite). Five
/// reasons citing the same fact count once.
fn reasons_on_different_facts(reasons: &[GroundedView]) -> usize {
    fn assign(
        reason: usize,
        reasons: &[&GroundedView],
        taken: &mut BTreeMap<String, usize>,
        visited: &mut BTreeSet<String>,
    ) -> bool {
        for id in &reasons[reason].fact_ids {
            if !visited.insert(id.clone()) {
                continue;
            }
            let free = match taken.get(id).copied() {
                None => true,
                Some(other) => assign(other, reasons, taken, visited),
            };
            if free {
                taken.insert(id.clone(), reason);
                return true;
            }
        }
        false
    }
    let verified: Vec<&GroundedView> = reasons.iter().filter(|r| r.verified).collect();
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    (0..verified.len())
        .filter(|&r| assign(r, &verified, &mut taken, &mut BTreeSet::new()))
        .count()
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
            provider: &choice.provider,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str, ids: &[&str]) -> Grounded {
        Grounded {
            text: text.into(),
            fact_ids: ids.iter().map(|i| (*i).to_owned()).collect(),
        }
    }

    fn answer(reasons: Vec<Grounded>, summary: &str) -> InsightsOutput {
        InsightsOutput {
            fit_reasons: reasons,
            fit_score: Some(80),
            talking_points: Vec::new(),
            risks: Vec::new(),
            next_best_action: said("Offer a pilot to the head of operations.", &["F1"]),
            summary: summary.into(),
            summary_fact_ids: vec!["F1".into()],
        }
    }

    fn facts() -> Cited {
        [
            ("F1", "Drop-forged anvils", "Acme makes drop-forged anvils"),
            ("F2", "2,000 workshops", "Trusted by 2,000 workshops"),
            ("F3", "Two open positions", "Two open positions in Austin"),
        ]
        .into_iter()
        .map(|(id, value, quote)| (id.to_owned(), (value.to_owned(), quote.to_owned())))
        .collect()
    }

    /// Issue 17: five reasons each citing F1-F5 and the summary `":{"` would have counted.
    #[test]
    fn repeated_reasons_repeated_citations_and_a_junk_summary_are_sent_back() {
        let errors = check_insights(&answer(
            vec![
                said("They buy anvils in bulk.", &["F1", "F1"]),
                said("They buy anvils in bulk.", &["F1", "F2", "F3", "F4"]),
                said("Workshops need stock control.", &["F2"]),
            ],
            "\":{\"",
        ));
        assert_eq!(
            errors,
            [
                "the summary must be at least one sentence (4 words or more)",
                "fit reason 1 cites F1 twice; cite each fact once",
                "fit reason 2 cites 4 facts; cite the 1 to 3 it rests on",
                "fit reasons 1 and 2 say the same; give each reason once, resting on different facts",
            ]
        );
        assert!(check_insights(&answer(
            vec![
                said("They buy anvils in bulk.", &["F1"]),
                said("A large customer base to serve.", &["F2"]),
                said("Growth means new tools.", &["F3"]),
            ],
            "Acme makes anvils for 2,000 workshops.",
        ))
        .is_empty());
    }

    #[test]
    fn a_score_counts_only_with_three_verified_reasons_on_different_facts() {
        // Three good reasons, but all resting on F1: one fact, so the score does not count.
        let one_fact = answer(
            vec![
                said("They buy steel in bulk.", &["F1"]),
                said("Forging needs stock control.", &["F1"]),
                said("Anvil makers are our customers.", &["F1"]),
            ],
            "Acme makes drop-forged anvils for workshops.",
        );
        let (view, report) = InsightsStep::view(&one_fact, &facts(), "Acme", "m", Timestamp(0));
        assert!(view.fit_reasons.iter().all(|r| r.verified));
        assert!(!view.fit_verified);
        assert_eq!(
            report.last().unwrap().problem.as_deref(),
            Some("1 of its reasons rest on different verified facts; 3 are needed")
        );
        // Overlapping citations that can each be given a fact of their own count.
        let mut spread = answer(
            vec![
                said("They buy steel in bulk.", &["F1"]),
                said("A large base to serve.", &["F1", "F2"]),
                said("Hiring means growth.", &["F2", "F3"]),
            ],
            "Acme makes drop-forged anvils for 2,000 workshops.",
        );
        spread.summary_fact_ids = vec!["F1".into(), "F2".into()];
        let (view, _) = InsightsStep::view(&spread, &facts(), "Acme", "m", Timestamp(0));
        assert!(view.fit_verified && view.summary_verified);
        assert_eq!(
            InsightsStep::headline(&view),
            "Fit 80/100 · Acme makes drop-forged anvils for 2,000 workshops."
        );
        // A summary with a number its facts do not state is not verified, nor the headline.
        let mut invented = spread.clone();
        invented.summary = "Acme makes anvils for 5,000 workshops.".into();
        let (view, report) = InsightsStep::view(&invented, &facts(), "Acme", "m", Timestamp(0));
        assert!(!view.summary_verified);
        assert_eq!(
            report[0].problem.as_deref(),
            Some("states 5000, which none of its facts does")
        );
        assert_eq!(
            InsightsStep::headline(&view),
            "Fit 80/100 · the reasons are on the lead."
        );
    }

    /// An e2e screenshot showed "Acme sells..." verified on a Northwind lead: a summary that
    /// cites verified facts and invents no number still has to say only what they state.
    #[test]
    fn a_summary_about_another_company_is_not_verified() {
        let mut other = answer(
            vec![
                said("They buy steel in bulk.", &["F1"]),
                said("A large base to serve.", &["F2"]),
                said("Hiring means growth.", &["F3"]),
            ],
            "Northwind sells refrigerated freight to 2,000 workshops.",
        );
        other.summary_fact_ids = vec!["F1".into(), "F2".into()];
        let (view, report) = InsightsStep::view(&other, &facts(), "Acme", "m", Timestamp(0));
        assert!(!view.summary_verified);
        assert_eq!(
            report[0].problem.as_deref(),
            Some("says northwind, sells, refrigerated, freight, which none of its facts does")
        );
        // Its facts' own words, in another order, are fine.
        other.summary = "Trusted by 2,000 workshops, Acme makes anvils.".into();
        let (view, _) = InsightsStep::view(&other, &facts(), "Acme", "m", Timestamp(0));
        assert!(view.summary_verified);
    }

    #[test]
    fn a_looping_answer_is_told_apart_from_one_merely_cut_off() {
        let fact = r#"{"id": "F3", "source_id": "S1", "quote": "Acme makes drop-forged anvils", "field": "industry", "value": "unknown"}, "#;
        assert!(repeats_itself(&fact.repeat(5)));
        assert!(!repeats_itself(
            r#"{"facts": [{"id": "F1", "field": "indus"#
        ));
        // Issue 17: Gemma 3 270M wrote 21 facts, all "unknown", one repeated 15 times.
        let errors = ["facts: has more than 12 items".to_owned()];
        assert_eq!(
            invalid_twice(&errors, &format!("{{\"facts\": [{}]}}", fact.repeat(15))),
            "The model repeated itself instead of answering; a larger model usually fixes this."
        );
        assert_eq!(
            invalid_twice(&errors, r#"{"facts": []}"#),
            "The model's answer did not follow the required form, twice (facts: has more than 12 items); a larger model usually fixes this."
        );
    }
}
