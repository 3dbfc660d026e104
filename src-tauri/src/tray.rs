//! The system tray: Leadscout keeps running there with its window closed, so follow-up
//! reminders still fire. Its menu opens the window, starts a new lead, pauses research or quits.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::AppState;

/// The tray icon's id.
pub const TRAY_ID: &str = "leadscout";

/// The tray menu's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayCommand {
    Open,
    NewLead,
    /// Pause (`true`) or resume research.
    PauseResearch(bool),
    Quit,
}

impl TrayCommand {
    /// The menu item ids, in menu order.
    pub const IDS: [&'static str; 4] = ["open", "new-lead", "pause-research", "quit"];

    /// The command for a menu item; `paused` is what the pause item's click asks for.
    pub fn from_id(id: &str, paused: bool) -> Option<TrayCommand> {
        Some(match id {
            "open" => TrayCommand::Open,
            "new-lead" => TrayCommand::NewLead,
            "pause-research" => TrayCommand::PauseResearch(paused),
            "quit" => TrayCommand::Quit,
            _ => return None,
        })
    }
}

/// The pause item's label: what clicking it will do.
pub fn pause_label(paused: bool) -> &'static str {
    if paused {
        "Resume research"
    } else {
        "Pause research"
    }
}

/// Why research is held: paused from the tray, the computer offline, or both. The engine has
/// one switch; it is on while either reason stands, so coming back online does not undo a pause
/// and resuming while offline does not start research without a connection.
#[derive(Debug, Default)]
pub struct ResearchHold {
    paused: AtomicBool,
    offline: AtomicBool,
}

impl ResearchHold {
    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// Pauses (`true`) or resumes research; answers whether the engine is now held.
    pub fn set_paused(&self, engine: Option<&leadscout_workflow::Engine>, paused: bool) -> bool {
        self.paused.store(paused, Ordering::SeqCst);
        self.apply(engine)
    }

    /// The window's word on the connection; answers whether the engine is now held.
    pub fn set_online(&self, engine: Option<&leadscout_workflow::Engine>, online: bool) -> bool {
        self.offline.store(!online, Ordering::SeqCst);
        self.apply(engine)
    }

    fn apply(&self, engine: Option<&leadscout_workflow::Engine>) -> bool {
        let held = self.paused() || self.offline.load(Ordering::SeqCst);
        if let Some(engine) = engine {
            engine.hold(held);
        }
        held
    }
}

/// Sent by the tray's "New lead": the window opens the new-lead form.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct NewLeadRequested;

/// Carries out a tray command.
pub fn run<R: Runtime>(app: &AppHandle<R>, command: TrayCommand) {
    match command {
        TrayCommand::Open => crate::research::show_window(app),
        TrayCommand::NewLead => {
            crate::research::show_window(app);
            if let Err(err) = NewLeadRequested.emit(app) {
                tracing::warn!(error = %err, "could not ask the window for a new lead");
            }
        }
        TrayCommand::PauseResearch(paused) => {
            if let Some(state) = app.try_state::<AppState>() {
                let engine = state.research().map(|r| r.engine.clone());
                let held = state.hold.set_paused(engine.as_deref(), paused);
                tracing::info!(paused, held, "research paused or resumed from the tray");
            }
        }
        TrayCommand::Quit => {
            if let Some(state) = app.try_state::<AppState>() {
                if let Some(research) = state.research() {
                    research.stop();
                }
            }
            app.exit(0);
        }
    }
}

/// Puts Leadscout in the system tray. `None` when the desktop has no tray (on Linux, without
/// the AppIndicator library): the app then quits with its window as before.
pub fn install<R: Runtime>(app: &AppHandle<R>) -> Option<TrayIcon<R>> {
    // libappindicator panics when its library is missing instead of returning an error.
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app)));
    match built {
        Ok(Ok(tray)) => Some(tray),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "no system tray; closing the window quits");
            None
        }
        Err(_) => {
            tracing::warn!("no system tray library; closing the window quits");
            None
        }
    }
}

fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<TrayIcon<R>> {
    let [open, new_lead, pause, quit] = TrayCommand::IDS;
    let open = MenuItem::with_id(app, open, "Open Leadscout", true, None::<&str>)?;
    let new_lead = MenuItem::with_id(app, new_lead, "New lead", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, pause, pause_label(false), true, None::<&str>)?;
    let quit = MenuItem::with_id(app, quit, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &new_lead, &pause, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Leadscout")
        .menu(&menu)
        .on_menu_event(move |app, event| {
            // The pause item toggles: it pauses unless research is paused already.
            let paused = app
                .try_state::<AppState>()
                .is_some_and(|state| state.hold.paused());
            if let Some(command) = TrayCommand::from_id(event.id.as_ref(), !paused) {
                run(app, command);
                if let TrayCommand::PauseResearch(paused) = command {
                    if let Err(err) = pause.set_text(pause_label(paused)) {
                        tracing::warn!(error = %err, "could not relabel the pause item");
                    }
                }
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_menu_item_has_a_command() {
        assert_eq!(
            TrayCommand::IDS.map(|id| TrayCommand::from_id(id, true)),
            [
                Some(TrayCommand::Open),
                Some(TrayCommand::NewLead),
                Some(TrayCommand::PauseResearch(true)),
                Some(TrayCommand::Quit)
            ]
        );
        assert_eq!(TrayCommand::from_id("other", false), None);
    }

    #[test]
    fn a_pause_outlasts_a_reconnect_and_a_resume_waits_for_the_connection() {
        let hold = ResearchHold::default();
        assert!(hold.set_paused(None, true));
        // Back online while paused: still held.
        assert!(hold.set_online(None, true));
        assert!(!hold.set_paused(None, false));
        assert!(hold.set_online(None, false));
        // Resumed while offline: held until the connection is back.
        assert!(hold.set_paused(None, false));
        assert!(!hold.set_online(None, true));
        assert_eq!(pause_label(false), "Pause research");
        assert_eq!(pause_label(true), "Resume research");
    }
}
