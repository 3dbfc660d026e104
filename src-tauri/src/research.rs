//! Starts the research engine for the app: the workflow on a guarded fetcher, progress events
//! forwarded to the window, and native notifications whose click opens the lead.

use std::path::PathBuf;
use std::sync::Arc;

use leadscout_domain::{LeadId, RunEvent, RunId};
use leadscout_llm::build_http_client;
use leadscout_llm::keys::Keychain;
use leadscout_pipeline::{Engine, EngineConfig, EventSink, SystemClock};
use leadscout_research::model::{KeychainModels, ModelKit};
use leadscout_research::stages::{seed, workflow};
use leadscout_research::{AllowList, CrawlConfig, FetchConfig, Fetcher, Guard};
use leadscout_store::Store;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;
use tokio_util::sync::CancellationToken;

use crate::notifications::DesktopNotifier;

/// Development and test builds only: `name=127.0.0.1:port` entries (comma-separated) that the
/// SSRF guard resolves and lets through, so the end-to-end tests can serve fixture websites on
/// loopback under real-looking names. Release builds ignore it.
pub const TEST_ALLOW_ENV: &str = "LEADSCOUT_TEST_ALLOW_HOSTS";

/// Research progress, as the window receives it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct ResearchProgress(pub RunEvent);

/// Sent when the user clicks a research notification: the window opens that lead.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct OpenLead(pub LeadId);

/// The running engine.
pub struct Research {
    pub engine: Arc<Engine>,
    events: Arc<dyn EventSink>,
    shutdown: CancellationToken,
}

impl Research {
    /// Tells the window a run was queued and the workers that there is work.
    pub fn queued(&self, run: RunId, lead: LeadId) {
        self.events.emit(RunEvent::Queued { run, lead });
        self.engine.wake();
    }

    pub fn stop(&self) {
        self.shutdown.cancel();
    }
}

struct WindowSink<R: Runtime>(AppHandle<R>);

impl<R: Runtime> EventSink for WindowSink<R> {
    fn emit(&self, event: RunEvent) {
        if let Err(err) = ResearchProgress(event).emit(&self.0) {
            tracing::debug!(error = %err, "could not forward a research event");
        }
    }
}

fn allow_list() -> AllowList {
    if !cfg!(debug_assertions) {
        return AllowList::none();
    }
    let Ok(list) = std::env::var(TEST_ALLOW_ENV) else {
        return AllowList::none();
    };
    let allow = AllowList::parse(&list);
    if !allow.is_empty() {
        tracing::warn!(%list, "test build: the research guard lets these local addresses through");
    }
    allow
}

/// Builds and starts the engine on the app's async runtime. Runs left by an earlier process
/// resume once their leases expire; owed notifications are delivered.
pub async fn start<R: Runtime>(
    app: &AppHandle<R>,
    store: Store,
    keychain: Arc<dyn Keychain>,
    prompts_dir: PathBuf,
) -> anyhow::Result<Research> {
    let settings = store.settings().await?;
    // This process holds the instance lock: runs a crashed copy left running resume right away
    // instead of when their leases would have expired.
    let released = store
        .release_leases(leadscout_domain::Timestamp::now())
        .await?;
    if released > 0 {
        tracing::info!(released, "resuming research interrupted by the last exit");
    }
    let fetcher = Fetcher::new(Guard::new(allow_list()), FetchConfig::default())?;
    let kit = ModelKit {
        store: store.clone(),
        models: Arc::new(KeychainModels::new(keychain, build_http_client()?)),
        prompts_dir: Some(prompts_dir),
        call_timeout: leadscout_research::model::CALL_TIMEOUT,
    };
    let workflow = workflow(kit, Arc::new(fetcher), CrawlConfig::default())?;
    let handle = app.clone();
    let notifier = DesktopNotifier::new(
        store.clone(),
        Arc::new(move |lead: LeadId| open_lead(&handle, lead)),
    );
    let config = EngineConfig {
        workers: usize::from(settings.workers.max(1)),
        // Short enough that a run cut off by a crash resumes soon after the next start.
        lease: std::time::Duration::from_secs(30),
        ..EngineConfig::default()
    };
    let events: Arc<dyn EventSink> = Arc::new(WindowSink(app.clone()));
    let engine = Engine::new(
        store.clone(),
        workflow,
        seed(store),
        Arc::new(SystemClock),
        Arc::clone(&events),
        Arc::new(notifier),
        config,
    );
    let shutdown = CancellationToken::new();
    engine.start(shutdown.clone());
    tracing::info!(workers = settings.workers, "research engine started");
    Ok(Research {
        engine,
        events,
        shutdown,
    })
}

/// Brings the window to the front (from the tray too, where it was hidden).
pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Brings the window to the front and tells it to open the lead.
pub fn open_lead<R: Runtime>(app: &AppHandle<R>, lead: LeadId) {
    show_window(app);
    if let Err(err) = OpenLead(lead).emit(app) {
        tracing::warn!(error = %err, "could not ask the window to open the lead");
    }
}
