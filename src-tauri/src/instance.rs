//! One running copy per data folder, and a window that opens where it was left.
//!
//! A second launch finds the first through a name on the D-Bus session bus
//! (tauri-plugin-single-instance), hands it its arguments and exits; the first brings its window
//! to the front. The name is the app's identifier for the usual data folder, and one derived
//! from the folder when `LEADSCOUT_DATA_DIR` chooses another: copies on different folders (the
//! tests, a user who keeps two) run side by side, two on the same folder do not. Without a
//! session bus the plugin cannot look, and the app starts as before; the database's instance
//! lock (state.rs) still keeps a second copy from running research.
//!
//! The window's size, position and maximized state are restored at the next start
//! (tauri-plugin-window-state). The plugin saves them when the app quits; they are also saved
//! shortly after the window stops moving or resizing, so a crash or a killed session keeps them
//! too. They live in the app's config folder, or in the data folder when `LEADSCOUT_DATA_DIR` is
//! set, so copies on different folders keep their own.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// The identifier in tauri.conf.json, the D-Bus name's root.
pub const APP_ID: &str = "app.leadscout.desktop";
/// Where the window's geometry is kept when the data folder is chosen by `LEADSCOUT_DATA_DIR`.
pub const WINDOW_STATE_FILE: &str = "window-state.json";

/// What is remembered of the window (not visibility: the window always opens shown).
const REMEMBERED: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);
/// How long the window must stay still before its geometry is written.
const SETTLE: Duration = Duration::from_millis(400);

/// The data folder `LEADSCOUT_DATA_DIR` chooses, if any.
fn chosen_data_dir() -> Option<PathBuf> {
    std::env::var_os(crate::DATA_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The D-Bus id the single-instance plugin registers (it appends `.SingleInstance`).
pub fn dbus_id(chosen_data_dir: Option<&Path>) -> String {
    let Some(dir) = chosen_data_dir else {
        return APP_ID.to_owned();
    };
    // The same folder however it is spelled (`./data`, a symlink), when it exists already.
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    // D-Bus name elements may not start with a digit.
    format!("{APP_ID}.data_{hex}")
}

/// What a second launch does in the first: shows, unminimizes and focuses its window.
fn focus_main_window<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else {
        tracing::warn!("a second launch found no window to bring to the front");
        return;
    };
    let shown = window
        .unminimize()
        .and_then(|()| window.show())
        .and_then(|()| window.set_focus());
    match shown {
        Ok(()) => tracing::info!("a second launch brought the running window to the front"),
        Err(err) => tracing::warn!(error = %err, "could not bring the window to the front"),
    }
}

/// The single-instance plugin; add it before every other plugin, so that a second copy exits
/// before anything else starts.
pub fn single_instance<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(dbus_id(chosen_data_dir().as_deref()))
        .callback(|app, _argv, _cwd| focus_main_window(app))
        .build()
}

/// The window-state plugin, restoring [`REMEMBERED`].
pub fn window_state<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    let builder = tauri_plugin_window_state::Builder::new().with_state_flags(REMEMBERED);
    match chosen_data_dir() {
        // The plugin joins the name to the config folder; an absolute path replaces it.
        Some(dir) => builder
            .with_filename(
                std::path::absolute(&dir)
                    .unwrap_or(dir)
                    .join(WINDOW_STATE_FILE)
                    .to_string_lossy(),
            )
            .build(),
        None => builder.build(),
    }
}

/// SIGTERM and SIGINT (a session ending, Ctrl+C in a terminal, `kill`) quit the app the way
/// closing its window does: the window's geometry is saved, the single-instance name released and
/// the database closed. A second signal while that runs ends the process at once.
#[cfg(unix)]
pub fn quit_on_signals<R: Runtime>(app: &AppHandle<R>) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGTERM, SIGINT]) {
        Ok(signals) => signals,
        Err(err) => {
            tracing::warn!(error = %err, "SIGTERM will end the app without a clean quit");
            return;
        }
    };
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut asked = false;
            for signal in signals.forever() {
                if asked {
                    tracing::warn!(signal, "asked again to quit; stopping now");
                    std::process::exit(1);
                }
                asked = true;
                tracing::info!(signal, "asked to quit");
                app.exit(0);
            }
        });
    if let Err(err) = spawned {
        tracing::warn!(error = %err, "SIGTERM will end the app without a clean quit");
    }
}

/// Windows and macOS have no SIGTERM to listen to.
#[cfg(not(unix))]
pub fn quit_on_signals<R: Runtime>(_app: &AppHandle<R>) {}

/// Set while a save is waiting for the window to settle.
static SAVE_PENDING: AtomicBool = AtomicBool::new(false);

/// Called with every window event: once a move or resize has settled, writes the geometry.
pub fn window_changed<R: Runtime>(app: &AppHandle<R>, event: &tauri::WindowEvent) {
    if !matches!(
        event,
        tauri::WindowEvent::Moved(_) | tauri::WindowEvent::Resized(_)
    ) {
        return;
    }
    if SAVE_PENDING.swap(true, Ordering::AcqRel) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        // Cleared before saving: a move during the save schedules another one.
        SAVE_PENDING.store(false, Ordering::Release);
        // On the event loop's thread, never from this task: the plugin's save holds its cache
        // lock while it asks the window for its geometry, which off the main thread is a round
        // trip to the event loop; if the loop is meanwhile in the plugin's own Moved/Resized
        // handler, waiting for that lock, neither moves and the app hangs.
        let saver = app.clone();
        let scheduled = app.run_on_main_thread(move || {
            if let Err(err) = saver.save_window_state(REMEMBERED) {
                tracing::warn!(error = %err, "the window's size and position could not be saved");
            }
        });
        if let Err(err) = scheduled {
            tracing::warn!(error = %err, "the window's size and position could not be saved");
        }
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn valid_bus_name(name: &str) -> bool {
        let elements: Vec<&str> = name.split('.').collect();
        name.len() <= 255
            && elements.len() >= 2
            && elements.iter().all(|e| {
                !e.is_empty()
                    && !e.starts_with(|c: char| c.is_ascii_digit())
                    && e.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            })
    }

    #[test]
    fn the_usual_data_folder_uses_the_app_identifier() {
        assert_eq!(dbus_id(None), APP_ID);
    }

    #[test]
    fn each_data_folder_has_its_own_valid_name() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let id_a = dbus_id(Some(a.path()));
        let id_b = dbus_id(Some(b.path()));
        assert_ne!(id_a, id_b);
        assert_ne!(id_a, APP_ID);
        for id in [&id_a, &id_b] {
            assert!(valid_bus_name(&format!("{id}.SingleInstance")), "{id}");
        }
        // The same folder spelled another way is the same copy.
        std::fs::create_dir(a.path().join("sub")).unwrap();
        let spelled = a.path().join("sub").join("..");
        assert_eq!(dbus_id(Some(&spelled)), id_a);
        // A folder that does not exist yet still gets a valid, stable name.
        let missing = a.path().join("not-yet");
        assert_eq!(dbus_id(Some(&missing)), dbus_id(Some(&missing)));
        assert!(valid_bus_name(&dbus_id(Some(&missing))));
    }
}
