//! Leadscout's workflow engine. A workflow is a graph of stages, each declaring the stages whose
//! outputs it reads. The engine claims queued runs from the store with a lease, runs stages whose
//! inputs are ready (independent ones concurrently), commits each output before anything depends
//! on it, retries transient failures with backoff that honours Retry-After, resumes a crashed run
//! from its last committed stage, and reuses a stage's earlier output when its inputs are
//! unchanged. It knows nothing about windows: progress goes to an [`EventSink`], completion to a
//! [`Notifier`].

mod backoff;
mod engine;
pub mod excerpts;
pub mod grounding;
mod limits;
pub mod outputs;
pub mod prompt;
mod stage;
mod workflow;

pub use backoff::Backoff;
pub use engine::{
    Clock, Engine, EngineConfig, EventSink, Notifier, Outcome, SeedFn, SeedFuture, SystemClock,
};
pub use limits::RateLimits;
pub use stage::{Stage, StageError, StageFuture, StageInput, StageOutput};
pub use workflow::{Workflow, WorkflowError, SEED};
