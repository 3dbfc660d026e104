//! A workflow: steps checked to form a graph in which every declared input exists and nothing
//! depends on itself.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use leadscout_domain::{RunChanges, StepKey};
use serde_json::Value;

use crate::Step;

/// The key under which the run's starting facts are passed to steps.
pub const SEED: StepKey = StepKey::Seed;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("two steps are called {0}")]
    Duplicate(StepKey),
    #[error("step {step} reads {input}, which no step produces")]
    UnknownInput { step: StepKey, input: StepKey },
    #[error("steps {0:?} depend on each other in a cycle")]
    Cycle(Vec<StepKey>),
}

/// What a succeeded run changed, read off its step outputs (the write-back step's, for
/// research), for the event that ends the run.
pub type ChangesFn = Arc<dyn Fn(&BTreeMap<StepKey, Value>) -> RunChanges + Send + Sync>;

pub struct Workflow {
    name: &'static str,
    stages: Vec<Arc<dyn Step>>,
    changes: Option<ChangesFn>,
}

impl std::fmt::Debug for Workflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workflow")
            .field("name", &self.name)
            .field(
                "stages",
                &self.stages.iter().map(|s| s.key()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Workflow {
    pub fn new(name: &'static str, stages: Vec<Arc<dyn Step>>) -> Result<Workflow, WorkflowError> {
        let mut keys = BTreeSet::new();
        for stage in &stages {
            if stage.key() == SEED || !keys.insert(stage.key()) {
                return Err(WorkflowError::Duplicate(stage.key()));
            }
        }
        for stage in &stages {
            for input in stage.inputs() {
                if *input != SEED && !keys.contains(input) {
                    return Err(WorkflowError::UnknownInput {
                        step: stage.key(),
                        input: *input,
                    });
                }
            }
        }
        let workflow = Workflow {
            name,
            stages,
            changes: None,
        };
        // Every step must become ready at some point.
        let mut done: BTreeSet<StepKey> = BTreeSet::new();
        loop {
            let ready = workflow.ready(&done);
            if ready.is_empty() {
                break;
            }
            done.extend(ready.iter().map(|s| s.key()));
        }
        if done.len() != workflow.stages.len() {
            let stuck = workflow
                .stages
                .iter()
                .map(|s| s.key())
                .filter(|k| !done.contains(k))
                .collect();
            return Err(WorkflowError::Cycle(stuck));
        }
        Ok(workflow)
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Says how to read what a succeeded run changed off its outputs; without it a run's last
    /// event reports no changes.
    pub fn with_changes(mut self, changes: ChangesFn) -> Workflow {
        self.changes = Some(changes);
        self
    }

    /// What a succeeded run with these outputs changed.
    pub fn changes(&self, outputs: &BTreeMap<StepKey, Value>) -> RunChanges {
        self.changes
            .as_ref()
            .map(|changes| changes(outputs))
            .unwrap_or_default()
    }

    pub fn stages(&self) -> &[Arc<dyn Step>] {
        &self.stages
    }

    /// Steps not yet done whose inputs are all done, in declaration order.
    pub fn ready(&self, done: &BTreeSet<StepKey>) -> Vec<Arc<dyn Step>> {
        self.stages
            .iter()
            .filter(|s| !done.contains(&s.key()))
            .filter(|s| s.inputs().iter().all(|i| *i == SEED || done.contains(i)))
            .cloned()
            .collect()
    }
}
