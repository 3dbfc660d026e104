//! One model call: the request, validation, grounding, at most one repair turn, and the
//! record of every attempt with its layers.

use std::time::Duration;

use leadscout_context::prompt::{tokens, Layers, Prompt};
use leadscout_domain::{GroundingView, LayersView, ModelCallView, ModelProvider, Timestamp};
use leadscout_llm::{LlmClient, Message, StructuredRequest};
use leadscout_store::StageMeta;
use leadscout_workflow::{StepError, StepInput};

use serde::de::DeserializeOwned;

use super::failure::{invalid_twice, repairable, step_error};
use super::request::schema_for;
use super::ModelKit;

/// What one checked answer gave.
pub(super) struct Answer<R> {
    /// What the stage made of the checked answer.
    pub(super) value: R,
    /// The model that answered, as the provider names it.
    pub(super) model: String,
}

/// One model call with its validation, grounding and at most one repair turn, every call
/// recorded with its layers.
pub(super) struct Call<'a> {
    pub(super) kit: &'a ModelKit,
    pub(super) input: &'a StepInput,
    pub(super) stage: &'static str,
    pub(super) prompt: &'a Prompt,
    pub(super) layers: &'a Layers,
    pub(super) client: &'a dyn LlmClient,
    /// The provider as Settings names it (`openai_compatible`, `ollama`...).
    pub(super) provider: ModelProvider,
    pub(super) meta: StageMeta,
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
    pub provider: ModelProvider,
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
        provider: site.provider,
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
    pub(super) async fn run<T: DeserializeOwned, R>(
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
