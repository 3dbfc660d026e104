//! Starts the research engine for the app: the workflow on a guarded fetcher, progress events
//! forwarded to the window, and native notifications whose click opens the lead.

use std::path::PathBuf;
use std::sync::Arc;

use leadscout_domain::{LeadId, RunEvent};
use leadscout_llm::keys::Keychain;
use leadscout_store::Store;
use leadscout_workflow::EventSink;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::notifications::DesktopNotifier;

pub use leadscout_application::research::{Research, TEST_ALLOW_ENV};

/// Research progress, as the window receives it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct ResearchProgress(pub RunEvent);

/// Sent when the user clicks a research notification: the window opens that lead.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct OpenLead(pub LeadId);

struct WindowSink<R: Runtime>(AppHandle<R>);

impl<R: Runtime> EventSink for WindowSink<R> {
    fn emit(&self, event: RunEvent) {
        if let Err(err) = ResearchProgress(event).emit(&self.0) {
            tracing::debug!(error = %err, "could not forward a research event");
        }
    }
}

/// Builds and starts the engine on the app's async runtime, its progress sent to the window
/// and its outcomes to desktop notifications whose click opens the lead.
pub async fn start<R: Runtime>(
    app: &AppHandle<R>,
    store: Store,
    keychain: Arc<dyn Keychain>,
    prompts_dir: PathBuf,
) -> anyhow::Result<Research> {
    let handle = app.clone();
    let notifier = DesktopNotifier::new(
        store.clone(),
        Arc::new(move |lead: LeadId| open_lead(&handle, lead)),
    );
    let events: Arc<dyn EventSink> = Arc::new(WindowSink(app.clone()));
    leadscout_application::research::start(store, keychain, prompts_dir, events, Arc::new(notifier))
        .await
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
