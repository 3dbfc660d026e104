//! Start at login, through the official autostart plugin: it writes the system's login entry
//! (on Linux an XDG autostart file, `~/.config/autostart/Leadscout.desktop`; a Launch Agent on
//! macOS; the `Run` registry key on Windows) that starts Leadscout with `--minimized`. The
//! Settings switch reads and writes that entry itself, so it never disagrees with the system.
//! Launched from login, Leadscout starts hidden in the tray, reminders running; without a tray
//! there would be no way back to a hidden window, so it shows the window instead.

use std::ffi::OsString;

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::AutoLaunchManager;

use crate::{IpcError, IpcErrorCode};

/// The argument the login entry starts Leadscout with.
pub const MINIMIZED_ARG: &str = "--minimized";
/// The login entry's name (on Linux the file is `Leadscout.desktop`).
pub const ENTRY_NAME: &str = "Leadscout";

/// The autostart plugin, writing an entry that starts this executable with [`MINIMIZED_ARG`].
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_autostart::Builder::new()
        .app_name(ENTRY_NAME)
        .arg(MINIMIZED_ARG)
        .build()
}

/// Whether this launch came from the login entry (`args` is the whole argv).
pub fn launched_minimized(args: impl IntoIterator<Item = OsString>) -> bool {
    args.into_iter().skip(1).any(|a| a == MINIMIZED_ARG)
}

/// Whether the window stays hidden at start: only when launched from login and a tray icon is
/// there to bring it back.
pub fn start_hidden(launched_minimized: bool, has_tray: bool) -> bool {
    launched_minimized && has_tray
}

fn manager<R: Runtime>(
    app: &AppHandle<R>,
) -> Result<tauri::State<'_, AutoLaunchManager>, IpcError> {
    app.try_state::<AutoLaunchManager>().ok_or_else(|| {
        IpcError::new(
            IpcErrorCode::Internal,
            "Starting at login is not available in this copy of Leadscout.",
        )
    })
}

/// Whether the system starts Leadscout at login, read from the login entry.
pub fn is_enabled<R: Runtime>(app: &AppHandle<R>) -> Result<bool, IpcError> {
    manager(app)?.is_enabled().map_err(|err| {
        tracing::warn!(error = %err, "could not read the login entry");
        IpcError::new(
            IpcErrorCode::Internal,
            format!("Leadscout could not tell whether it starts at login: {err}"),
        )
    })
}

/// Writes (`true`) or removes the login entry; answers the state read back from the system.
pub fn set_enabled<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> Result<bool, IpcError> {
    let manager = manager(app)?;
    let done = if enabled {
        manager.enable()
    } else {
        manager.disable()
    };
    done.map_err(|err| {
        tracing::warn!(error = %err, enabled, "could not change the login entry");
        let what = if enabled {
            "add itself to"
        } else {
            "remove itself from"
        };
        IpcError::new(
            IpcErrorCode::Internal,
            format!("Leadscout could not {what} the programs started at login: {err}"),
        )
    })?;
    tracing::info!(enabled, "start at login changed");
    is_enabled(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_launch_from_login_with_a_tray_starts_hidden() {
        let argv = |args: &[&str]| args.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(launched_minimized(argv(&["leadscout", "--minimized"])));
        assert!(!launched_minimized(argv(&["leadscout"])));
        // The program's own path is not an argument.
        assert!(!launched_minimized(argv(&["--minimized"])));
        assert!(start_hidden(true, true));
        assert!(!start_hidden(true, false));
        assert!(!start_hidden(false, true));
    }
}
