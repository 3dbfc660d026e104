//! A workflow: steps checked to form a graph in which every declared input exists and nothing
//! depends on itself.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::Step;

/// The name under which the run's starting facts are passed to steps.
pub const SEED: &str = "seed";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("two stages are called {0}")]
    Duplicate(String),
    #[error("stage {stage} reads {input}, which no stage produces")]
    UnknownInput { stage: String, input: String },
    #[error("stages {0:?} depend on each other in a cycle")]
    Cycle(Vec<String>),
}

pub struct Workflow {
    name: &'static str,
    stages: Vec<Arc<dyn Step>>,
}

impl std::fmt::Debug for Workflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workflow")
            .field("name", &self.name)
            .field(
                "stages",
                &self.stages.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Workflow {
    pub fn new(name: &'static str, stages: Vec<Arc<dyn Step>>) -> Result<Workflow, WorkflowError> {
        let mut names = BTreeSet::new();
        for stage in &stages {
            if stage.name() == SEED || !names.insert(stage.name()) {
                return Err(WorkflowError::Duplicate(stage.name().to_owned()));
            }
        }
        for stage in &stages {
            for input in stage.inputs() {
                if *input != SEED && !names.contains(input) {
                    return Err(WorkflowError::UnknownInput {
                        stage: stage.name().to_owned(),
                        input: (*input).to_owned(),
                    });
                }
            }
        }
        let workflow = Workflow { name, stages };
        // Every step must become ready at some point.
        let mut done: BTreeSet<&str> = BTreeSet::new();
        loop {
            let ready = workflow.ready(&done);
            if ready.is_empty() {
                break;
            }
            done.extend(ready.iter().map(|s| s.name()));
        }
        if done.len() != workflow.stages.len() {
            let stuck = workflow
                .stages
                .iter()
                .map(|s| s.name())
                .filter(|n| !done.contains(n))
                .map(str::to_owned)
                .collect();
            return Err(WorkflowError::Cycle(stuck));
        }
        Ok(workflow)
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn stages(&self) -> &[Arc<dyn Step>] {
        &self.stages
    }

    /// Steps not yet done whose inputs are all done, in declaration order.
    pub fn ready(&self, done: &BTreeSet<&str>) -> Vec<Arc<dyn Step>> {
        self.stages
            .iter()
            .filter(|s| !done.contains(s.name()))
            .filter(|s| s.inputs().iter().all(|i| *i == SEED || done.contains(i)))
            .cloned()
            .collect()
    }
}
