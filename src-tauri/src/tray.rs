//! The system tray: Leadscout keeps running there with its window closed, so follow-up
//! reminders still fire. Its menu opens the window, starts a new lead, pauses research or quits.

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::menu::{CheckMenuItem, Menu, MenuItem};
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

    /// The command for a menu item; `paused` is the pause item's state after the click.
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
            if let Some(research) = app
                .try_state::<AppState>()
                .and_then(|state| state.research().map(|r| r.engine.clone()))
            {
                research.hold(paused);
                tracing::info!(paused, "research paused from the tray");
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
    let pause = CheckMenuItem::with_id(app, pause, "Pause research", true, false, None::<&str>)?;
    let quit = MenuItem::with_id(app, quit, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &new_lead, &pause, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Leadscout")
        .menu(&menu)
        .on_menu_event(move |app, event| {
            let paused = pause.is_checked().unwrap_or(false);
            if let Some(command) = TrayCommand::from_id(event.id.as_ref(), paused) {
                run(app, command);
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
}
