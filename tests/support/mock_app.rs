//! The app's commands through Tauri's mock runtime: the same invoke handler, argument names and
//! JSON shapes the UI uses, against a real database file, without a window.

#![allow(dead_code)]

use leadscout_app::{bindings_builder, AppState};
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

pub struct App {
    _app: tauri::App<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
    pub dir: tempfile::TempDir,
}

impl App {
    pub fn start() -> App {
        let dir = tempfile::tempdir().unwrap();
        App::start_in(dir)
    }

    pub fn start_in(dir: tempfile::TempDir) -> App {
        let state = tauri::async_runtime::block_on(AppState::open(dir.path().join("data")));
        let builder = bindings_builder::<MockRuntime>();
        let app = mock_builder()
            .invoke_handler(builder.invoke_handler())
            .manage(state)
            .build(mock_context(noop_assets()))
            .unwrap();
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        App {
            _app: app,
            window,
            dir,
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
