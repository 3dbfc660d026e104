//! The Leadscout desktop shell: opens the database, exposes typed commands to the UI and runs
//! the window. Logic lives in the crates under crates/; every command here is a few lines.

pub mod autostart;
mod commands;
mod error;
pub mod files;
mod instance;
mod ipc;
pub mod logs;
pub mod memory;
pub mod notifications;
pub mod reminders;
pub mod research;
mod state;
pub mod tray;

pub use commands::import::file_dropped;
pub use error::{IpcError, IpcErrorCode};
pub use ipc::{bindings_builder, export_bindings, BINDINGS_PATH};
pub use state::{resolve_data_dir, AppState, DATA_DIR_ENV};

use tauri::Manager;

/// Starts the app and blocks until its last window closes. Returns the process exit code.
pub fn run() -> i32 {
    let logging = logs::Logging::init();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "starting");
    let builder = bindings_builder::<tauri::Wry>();
    let invoke_handler = builder.invoke_handler();
    let result = tauri::Builder::default()
        // First: a second launch on the same data folder exits here, before anything starts.
        .plugin(instance::single_instance())
        .plugin(instance::window_state())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(autostart::plugin())
        // Every command tells the memory trim the window is busy (see memory.rs).
        .invoke_handler(move |invoke| {
            if let Some(state) = invoke.message.webview_ref().try_state::<AppState>() {
                state.memory.busy();
            }
            invoke_handler(invoke)
        })
        // A file dropped on the window stays in Rust: the import dialog asks for "the dropped
        // file" and never sees or sends its path.
        .on_window_event(|window, event| {
            instance::window_changed(window.app_handle(), event);
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                file_dropped(window.app_handle(), paths);
            }
            // With a tray, closing the window hides it: reminders keep firing until Quit.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                if window.app_handle().tray_by_id(tray::TRAY_ID).is_some() {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .setup(move |app| {
            builder.mount_events(app);
            instance::quit_on_signals(app.handle());
            let data_dir = resolve_data_dir(app.path().app_data_dir().ok())?;
            match logging.write_to(&data_dir) {
                Ok(Some(path)) => tracing::info!(log = %path.display(), "logging to a file"),
                Ok(None) => {}
                Err(err) => tracing::warn!("{err:#}"),
            }
            let state = tauri::async_runtime::block_on(AppState::open(data_dir))
                .with_files(files::for_app(app.handle()));
            match state.store() {
                Ok(store) if state.sole_instance() => {
                    let handle = app.handle().clone();
                    let store = store.clone();
                    let keychain = state.keychain.clone();
                    let prompts_dir = state.prompts_dir();
                    // On the app's runtime, so the engine's workers live as long as the app.
                    // Reminders: one process ticks them (the claim is exactly-once anyway).
                    reminders::start(&handle, store.clone(), Default::default());
                    match tauri::async_runtime::block_on(research::start(
                        &handle,
                        store,
                        keychain,
                        prompts_dir,
                    )) {
                        Ok(research) => state.set_research(research),
                        Err(err) => tracing::error!(error = %err, "research could not start"),
                    }
                }
                _ => {}
            }
            let handle = app.handle().clone();
            let _ = state
                .import_progress
                .set(std::sync::Arc::new(move |read: u32| {
                    use tauri_specta::Event;
                    if let Err(err) = commands::import::ImportProgress(read).emit(&handle) {
                        tracing::debug!(error = %err, "could not send import progress");
                    }
                }));
            let handle = app.handle().clone();
            let _ = state.open_mail.set(std::sync::Arc::new(move |link: &str| {
                use tauri_plugin_opener::OpenerExt;
                handle
                    .opener()
                    .open_url(link, None::<&str>)
                    .map_err(|e| e.to_string())
            }));
            app.manage(state);
            let has_tray = tray::install(app.handle()).is_some();
            if has_tray {
                tracing::info!("in the system tray");
            }
            // The window is created hidden (tauri.conf.json): launched from login it stays in
            // the tray, any other launch shows it.
            if autostart::start_hidden(autostart::launched_minimized(std::env::args_os()), has_tray)
            {
                tracing::info!("started at login: in the tray until opened");
            } else {
                research::show_window(app.handle());
            }
            tracing::info!("ready");
            Ok(())
        })
        .build(tauri::generate_context!());
    match result {
        Ok(app) => {
            app.run(|_, event| {
                if let tauri::RunEvent::Exit = event {
                    tracing::info!("quit");
                }
            });
            0
        }
        Err(err) => {
            tracing::error!("Leadscout could not start: {err}");
            eprintln!("Leadscout could not start: {err}");
            1
        }
    }
}
