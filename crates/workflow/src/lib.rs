//! Leadscout's workflow engine. A workflow is a graph of steps, each declaring the steps whose
//! outputs it reads. The engine claims queued runs from the store with a lease, runs steps whose
//! inputs are ready (independent ones concurrently), commits each output before anything depends
//! on it, retries transient failures with backoff that honours Retry-After, resumes a crashed run
//! from its last committed step, and reuses a step's earlier output when its inputs are
//! unchanged. It knows nothing about windows: progress goes to an [`EventSink`], completion to a
//! [`Notifier`]. What a step does (fetching, prompting a model) is the research crate's; what a
//! model is sent and how its answers are checked is `leadscout-context`'s.

mod backoff;
mod engine;
mod step;
mod workflow;

pub use backoff::Backoff;
pub use engine::{
    Clock, Engine, EngineConfig, EventSink, Notifier, Outcome, RunStart, SeedFn, SeedFuture,
    SystemClock,
};
pub use step::{RunContext, Step, StepError, StepFuture, StepInput, StepOutput};
pub use workflow::{ChangesFn, Workflow, WorkflowError, SEED};
