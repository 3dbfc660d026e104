//! The committed output schemas in prompts/schemas/ match the Rust output types; regenerate with
//! `LEADSCOUT_UPDATE_SCHEMAS=1 cargo test -p leadscout-context --test schemas`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

#[test]
fn committed_schemas_match_the_output_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../prompts/schemas");
    let update = std::env::var_os("LEADSCOUT_UPDATE_SCHEMAS").is_some();
    for (name, schema) in leadscout_context::outputs::schemas() {
        let file = dir.join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if update {
            std::fs::write(&file, &text).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&file)
            .unwrap_or_else(|_| panic!("{} is missing; regenerate it", file.display()));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&committed).unwrap(),
            schema,
            "{} drifted from the Rust type; regenerate it",
            file.display()
        );
    }
}
