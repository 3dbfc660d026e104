//! The provider conformance suite reads real recorded responses from `shared/eval/llm`, which
//! sits beside the repository (not inside it). Where it is absent the suite is compiled out,
//! with a warning that says so, instead of failing.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_eval_llm)");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let found = manifest
        .ancestors()
        .map(|a| a.join("shared/eval/llm"))
        .find(|p| p.is_dir());
    match found {
        Some(dir) => {
            println!("cargo::rustc-cfg=has_eval_llm");
            println!("cargo::rerun-if-changed={}", dir.display());
        }
        None => println!(
            "cargo::warning=shared/eval/llm was not found beside the repository: the provider \
             conformance suite (tests/conformance) is skipped"
        ),
    }
}
