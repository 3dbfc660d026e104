//! What the research tests share to build a workflow: the model kit with an empty in-memory
//! keychain (local OpenAI-compatible servers take no key), the engine running the research
//! workflow, a lead queued for research, and sinks that ignore events.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use leadscout_domain::{Lead, NewLead, RunId, Timestamp};
use leadscout_llm::keys::{Keychain, MemoryKeychain};
use leadscout_llm::{BoxFuture, LlmClient, OpenAiClient, OpenAiConfig, Url};
use leadscout_research::model::{KeychainModels, ModelChoice, ModelKit, Models};
use leadscout_research::steps::{seed, workflow, WORKFLOW};
use leadscout_research::{CrawlConfig, Fetcher};
use leadscout_store::Store;
use leadscout_workflow::StepError;
use leadscout_workflow::{Engine, EngineConfig, EventSink, Notifier, Outcome, SystemClock};

/// A kit whose keys come from `keychain`.
pub fn kit_with(
    store: &Store,
    keychain: Arc<dyn Keychain>,
    prompts_dir: Option<PathBuf>,
    call_timeout: Duration,
) -> ModelKit {
    ModelKit {
        store: store.clone(),
        models: Arc::new(LoopbackOpenAi {
            keychain: keychain.clone(),
            app: KeychainModels::new(keychain, leadscout_llm::build_http_client().unwrap()),
        }),
        prompts_dir,
        call_timeout,
    }
}

/// The app's `KeychainModels`, except that a choice of OpenAI goes to the fake provider at the
/// choice's loopback http address with the key from the keychain, which the app itself refuses
/// (a key goes only over https; crates/llm and tests/keychain.rs test that). These tests are
/// about prices and budgets, and the fake provider speaks no TLS.
struct LoopbackOpenAi {
    keychain: Arc<dyn Keychain>,
    app: KeychainModels,
}

impl Models for LoopbackOpenAi {
    fn connect<'a>(
        &'a self,
        choice: &'a ModelChoice,
    ) -> BoxFuture<'a, Result<Box<dyn LlmClient>, StepError>> {
        if choice.provider != "openai" {
            return self.app.connect(choice);
        }
        Box::pin(async move {
            let key = self
                .keychain
                .get("openai")
                .unwrap()
                .expect("the test set a key");
            let mut config = OpenAiConfig::openai(key, choice.model.clone());
            config.base_url = choice.base_url.as_deref().map(|u| Url::parse(u).unwrap());
            let client = OpenAiClient::new(config, leadscout_llm::build_http_client().unwrap());
            Ok(Box::new(client) as Box<dyn LlmClient>)
        })
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

/// The engine that runs the research workflow over `store`, with events and outcomes to `sink`.
pub fn engine<S: EventSink + Notifier + 'static>(
    store: &Store,
    kit: ModelKit,
    fetcher: Fetcher,
    sink: Arc<S>,
    config: EngineConfig,
) -> Arc<Engine> {
    Engine::new(
        store.clone(),
        workflow(kit, Arc::new(fetcher), CrawlConfig::default()).unwrap(),
        seed(store.clone()),
        Arc::new(SystemClock),
        sink.clone(),
        sink,
        config,
    )
}

/// Validates `lead` and creates it with its research run queued in the same transaction.
pub async fn queue(store: &Store, lead: NewLead) -> (Lead, Option<RunId>) {
    let draft = lead.validate().unwrap();
    store
        .create_lead_and_research(&draft, WORKFLOW, Timestamp::now())
        .await
        .unwrap()
}

/// Ignores progress events and outcomes.
pub struct Quiet;

impl EventSink for Quiet {
    fn emit(&self, _event: leadscout_domain::RunEvent) {}
}

impl Notifier for Quiet {
    fn notify(&self, _outcome: &Outcome) {}
}
