//! The recorded provider responses in `shared/eval/llm`, read in place.
//!
//! The directory sits beside the repository (`/work/shared` next to `/work/llm-dev` and
//! `/work/main`; in CI next to the fresh clone), so it is found by walking up from this
//! crate until an ancestor has `shared/eval/llm`.

use std::path::PathBuf;

use serde_json::Value;

pub fn eval_dir() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|a| a.join("shared/eval/llm"))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| {
            panic!(
                "no shared/eval/llm beside any ancestor of {}",
                manifest.display()
            )
        })
}

/// A recorded file's text, byte for byte.
pub fn read(relative: &str) -> String {
    let path = eval_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn read_json(relative: &str) -> Value {
    serde_json::from_str(&read(relative)).unwrap()
}

/// The response body of the first exchange in an `*.exchange.json` recording, as JSON text.
pub fn exchange_response_body(relative: &str) -> String {
    read_json(relative)[0]["response"]["body"].to_string()
}

/// The request body of the first exchange in an `*.exchange.json` recording.
pub fn exchange_request_body(relative: &str) -> Value {
    read_json(relative)[0]["request"]["body"].clone()
}
