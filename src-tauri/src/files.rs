//! Choosing files: the open and save dialogs are opened here, in Rust, and the path the user
//! picks never leaves the backend. The window asks for "import a file", "export as CSV" or
//! "back up"; it never names a file, so a script in the window cannot read or write one.
//!
//! The choice goes through [`FileChooser`] so that tests can script it: the command tests use
//! their own implementation, the end-to-end tests a debug-build-only variable ([`scripted`]).

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

use crate::{IpcError, IpcErrorCode};

#[cfg(debug_assertions)]
pub mod scripted;

/// What a dialog is for; decides its filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A CSV or vCard file to import.
    Contacts,
    /// A Leadscout backup (an SQLite file).
    Backup,
    Csv,
    Json,
    Vcard,
}

impl FileKind {
    /// The dialog's filter: its label and the extensions it shows.
    fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            FileKind::Contacts => (
                "Contacts (CSV, vCard)",
                &["csv", "tsv", "txt", "vcf", "vcard"],
            ),
            FileKind::Backup => ("Leadscout backup", &["sqlite3", "db", "sqlite"]),
            FileKind::Csv => ("CSV", &["csv"]),
            FileKind::Json => ("JSON", &["json"]),
            FileKind::Vcard => ("vCard", &["vcf"]),
        }
    }
}

/// One dialog to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRequest {
    /// Pick an existing file to read.
    Open { kind: FileKind },
    /// Pick where to write; `name` is the file name the dialog suggests.
    Save { kind: FileKind, name: String },
}

/// Shows a dialog and waits for the user. Blocking: callers run it off the async threads
/// ([`choose`]).
pub trait FileChooser: Send + Sync {
    /// The file the user chose, or `None` when they cancelled (which is not an error).
    fn choose(&self, request: &FileRequest) -> anyhow::Result<Option<PathBuf>>;
}

/// The native dialogs of tauri-plugin-dialog, over the main window.
pub struct Dialogs<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> FileChooser for Dialogs<R> {
    fn choose(&self, request: &FileRequest) -> anyhow::Result<Option<PathBuf>> {
        let mut dialog = self.0.dialog().file();
        if let Some(window) = self.0.get_webview_window("main") {
            dialog = dialog.set_parent(&window);
        }
        let picked = match request {
            FileRequest::Open { kind } => {
                let (label, extensions) = kind.filter();
                dialog
                    .add_filter(label, extensions)
                    .add_filter("All files", &["*"])
                    .blocking_pick_file()
            }
            FileRequest::Save { kind, name } => {
                let (label, extensions) = kind.filter();
                dialog
                    .add_filter(label, extensions)
                    .set_file_name(name)
                    .blocking_save_file()
            }
        };
        picked
            .map(|p| p.into_path())
            .transpose()
            .map_err(Into::into)
    }
}

/// Until the app gives its dialogs: every request is refused with a reason.
pub struct NoDialogs;

impl FileChooser for NoDialogs {
    fn choose(&self, _: &FileRequest) -> anyhow::Result<Option<PathBuf>> {
        anyhow::bail!("this window has no file dialogs")
    }
}

/// The dialogs the app uses: the native ones, or in a debug build the scripted answers named by
/// `LEADSCOUT_TEST_FILE_ANSWERS` (release builds do not even contain that code).
pub fn for_app<R: Runtime>(app: &AppHandle<R>) -> Arc<dyn FileChooser> {
    #[cfg(debug_assertions)]
    if let Some(script) = scripted::from_env() {
        tracing::warn!(answers = %script.answers().display(), "test build: file dialogs answered from a script");
        return Arc::new(script);
    }
    Arc::new(Dialogs(app.clone()))
}

/// Shows the dialog off the async threads and waits for the user's choice.
pub async fn choose(
    files: Arc<dyn FileChooser>,
    request: FileRequest,
) -> Result<Option<PathBuf>, IpcError> {
    tokio::task::spawn_blocking(move || files.choose(&request))
        .await
        .map_err(|e| IpcError::new(IpcErrorCode::Internal, e.to_string()))?
        .map_err(|e| {
            tracing::error!(error = %e, "file dialog failed");
            IpcError::new(
                IpcErrorCode::Internal,
                format!("Leadscout could not show the file dialog: {e}"),
            )
        })
}
