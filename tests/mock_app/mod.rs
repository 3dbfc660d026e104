//! The app's commands through Tauri's mock runtime: the same invoke handler, argument names and
//! JSON shapes the UI uses, against a real database file, without a window.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use leadscout_app::files::{FileChooser, FileRequest};
use leadscout_app::{bindings_builder, AppState};
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

/// The open and save dialogs, answered by the test in order, as a user would.
#[derive(Default)]
pub struct Dialogs {
    answers: Mutex<VecDeque<Option<PathBuf>>>,
    /// Every dialog the app showed, in order.
    pub asked: Mutex<Vec<FileRequest>>,
}

impl Dialogs {
    /// The next dialog returns `path`.
    pub fn choose(&self, path: impl AsRef<Path>) {
        let path = path.as_ref().to_path_buf();
        self.answers.lock().unwrap().push_back(Some(path));
    }

    /// The next dialog is cancelled.
    pub fn cancel(&self) {
        self.answers.lock().unwrap().push_back(None);
    }

    pub fn answers_left(&self) -> usize {
        self.answers.lock().unwrap().len()
    }

    pub fn last_asked(&self) -> Option<FileRequest> {
        self.asked.lock().unwrap().last().cloned()
    }
}

impl FileChooser for Dialogs {
    fn choose(&self, request: &FileRequest) -> anyhow::Result<Option<PathBuf>> {
        self.asked.lock().unwrap().push(request.clone());
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .ok_or_else(|| anyhow::anyhow!("the test gave no answer for {request:?}"))
    }
}

pub struct App {
    _app: tauri::App<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
    pub dir: tempfile::TempDir,
    pub dialogs: Arc<Dialogs>,
}

impl App {
    pub fn start() -> App {
        let dir = tempfile::tempdir().unwrap();
        App::start_in(dir)
    }

    pub fn start_in(dir: tempfile::TempDir) -> App {
        let dialogs = Arc::new(Dialogs::default());
        let state = tauri::async_runtime::block_on(AppState::open(dir.path().join("data")))
            .with_files(dialogs.clone());
        let builder = bindings_builder::<MockRuntime>();
        let app = mock_builder()
            // As in the app: Settings' start-at-login switch goes through it.
            .plugin(leadscout_app::autostart::plugin())
            .invoke_handler(builder.invoke_handler())
            .manage(state)
            .build(mock_context(noop_assets()))
            .unwrap();
        // Typed events (import progress, a dropped file) need the registry, as in the app.
        builder.mount_events(&app);
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        App {
            _app: app,
            window,
            dir,
            dialogs,
        }
    }

    /// Invokes `cmd` as the UI would; `Err` carries the rejected value (our `IpcError`).
    pub fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // The app's own origin on Linux; a remote origin would be refused by the ACL.
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args.clone())
            .unwrap_or_else(|err| panic!("{cmd}({args}) failed: {err}"))
    }

    pub fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args.clone()) {
            Ok(value) => panic!("{cmd}({args}) should fail but returned {value}"),
            Err(err) => err,
        }
    }
}
