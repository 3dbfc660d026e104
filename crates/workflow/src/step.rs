//! What a step is: a keyed step that reads the outputs of the steps it declares and produces
//! one JSON output.

use std::any::Any;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use leadscout_domain::{Clock, LeadId, RunId, StepKey, Timestamp};
use leadscout_store::StageMeta;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// What a run read once when it started (for research: the lead, the settings, the prompts),
/// shared by all of its steps. The workflow that made it (its seed function) knows its type;
/// the engine only carries it.
pub type RunContext = Arc<dyn Any + Send + Sync>;

/// Everything a step gets: its declared inputs by step key (plus `seed`, the run's starting
/// facts), the run's context, the engine's clock, and a token that fires when the run must stop.
#[derive(Clone)]
pub struct StepInput {
    pub run: RunId,
    pub lead: LeadId,
    /// 1 for the first try of this step in this run.
    pub attempt: i64,
    /// No retry follows if this try fails with a transient error: a step that can end
    /// without its result (a model step) says so now instead of failing the run.
    pub last_try: bool,
    pub inputs: BTreeMap<StepKey, Value>,
    pub cancel: CancellationToken,
    /// The engine's clock: every time a step stores comes from it, so a test can fix it.
    pub clock: Arc<dyn Clock>,
    pub context: RunContext,
}

impl std::fmt::Debug for StepInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepInput")
            .field("run", &self.run)
            .field("lead", &self.lead)
            .field("attempt", &self.attempt)
            .field("last_try", &self.last_try)
            .field("inputs", &self.inputs)
            .finish_non_exhaustive()
    }
}

impl StepInput {
    /// A declared input; `Value::Null` for one the workflow did not provide (cannot happen for
    /// a validated workflow).
    pub fn input(&self, key: StepKey) -> &Value {
        self.inputs.get(&key).unwrap_or(&Value::Null)
    }

    /// Now, by the engine's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The run's context as the type its seed function made; `None` for another type.
    pub fn context<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.context.downcast_ref::<T>()
    }
}

/// A step's result and what it cost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepOutput {
    pub value: Value,
    pub meta: StageMeta,
}

impl StepOutput {
    pub fn new(value: Value) -> Self {
        StepOutput {
            value,
            meta: StageMeta::default(),
        }
    }
}

/// Why a step did not produce an output.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StepError {
    /// Worth trying again: a timeout, a dropped connection, HTTP 429 or 5xx, an overloaded
    /// provider. `retry_after` is the server's own hint and wins over the computed backoff.
    #[error("{message}")]
    Transient {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Trying again cannot help (bad key, robots disallow, output still invalid after repair).
    /// The message is shown to the user as the run's failure reason.
    #[error("{message}")]
    Permanent { message: String },
    /// The run's cancel token fired and the step stopped.
    #[error("cancelled")]
    Cancelled,
    /// Not now, through no fault of the run (today's model budget is spent): the run goes back
    /// to the queue until `until`, keeping what it committed, and `message` says why it waits.
    #[error("{message}")]
    Deferred {
        message: String,
        until: leadscout_domain::Timestamp,
    },
}

impl StepError {
    pub fn transient(message: impl Into<String>) -> Self {
        StepError::Transient {
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        StepError::Permanent {
            message: message.into(),
        }
    }
}

pub type StepFuture<'a> = Pin<Box<dyn Future<Output = Result<StepOutput, StepError>> + Send + 'a>>;

/// One step of a workflow.
pub trait Step: Send + Sync {
    /// Unique within the workflow; also the key of its output for later steps.
    fn key(&self) -> StepKey;

    /// Bump when the step's logic or prompt changes: part of the input hash, so old outputs
    /// are not reused by the new version.
    fn version(&self) -> u32 {
        1
    }

    /// Whether another run's output for the same inputs may stand in for running it. A step
    /// with an effect of its own run (writing results, say) says no; a resumed run still keeps
    /// what it committed itself.
    fn reusable(&self) -> bool {
        true
    }

    /// Whether an output of another run (of this step, for the same inputs) may stand in:
    /// an output that records a failure (a model step that did not finish) says no, so the
    /// next run tries again while still reusing what came before it.
    fn reuses(&self, _output: &Value) -> bool {
        true
    }

    /// The steps whose outputs this one reads (`seed` is always available).
    fn inputs(&self) -> &'static [StepKey];

    fn run(&self, input: StepInput) -> StepFuture<'_>;
}
