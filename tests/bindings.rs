//! The TypeScript bindings the UI compiles against must match the Rust command signatures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use leadscout_app::{export_bindings, BINDINGS_PATH};

#[test]
fn committed_typescript_bindings_match_the_rust_commands() {
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
    if std::env::var_os("LEADSCOUT_UPDATE_BINDINGS").is_some() {
        export_bindings(&committed_path).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let fresh_path = dir.path().join("bindings.ts");
    export_bindings(&fresh_path).unwrap();
    let fresh = std::fs::read_to_string(&fresh_path).unwrap();
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        fresh == committed,
        "{BINDINGS_PATH} is out of date with the Rust commands; run `make bindings` and commit \
         the result"
    );
}
