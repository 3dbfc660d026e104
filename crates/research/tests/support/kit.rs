//! What the research tests share to build a workflow: the model kit with an empty in-memory
//! keychain (local OpenAI-compatible servers take no key), and sinks that ignore events.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use leadscout_llm::keys::{Keychain, MemoryKeychain};
use leadscout_pipeline::{EventSink, Notifier, Outcome};
use leadscout_research::model::{KeychainModels, ModelKit};
use leadscout_store::Store;

/// A kit whose keys come from `keychain`.
pub fn kit_with(
    store: &Store,
    keychain: Arc<dyn Keychain>,
    prompts_dir: Option<PathBuf>,
    call_timeout: Duration,
) -> ModelKit {
    ModelKit {
        store: store.clone(),
        models: Arc::new(KeychainModels::new(
            keychain,
            leadscout_llm::build_http_client().unwrap(),
        )),
        prompts_dir,
        call_timeout,
    }
}

/// A kit with no keys and the shipped prompts.
pub fn kit(store: &Store, call_timeout: Duration) -> ModelKit {
    kit_with(
        store,
        Arc::new(MemoryKeychain::default()),
        None,
        call_timeout,
    )
}

/// Ignores progress events and outcomes.
pub struct Quiet;

impl EventSink for Quiet {
    fn emit(&self, _event: leadscout_domain::RunEvent) {}
}

impl Notifier for Quiet {
    fn notify(&self, _outcome: &Outcome) {}
}
