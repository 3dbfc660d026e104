//! The benchmark document, `make bench` and the benchmarks agree: every section a benchmark
//! starts has its place in docs/benchmarks.md, and `make bench` runs each of them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Section ids in the benchmark sources: the first string literal after `Section::start(`.
fn started_sections() -> Vec<(String, PathBuf)> {
    let mut files = vec![root().join("benches/board_render.rs")];
    for krate in std::fs::read_dir(root().join("crates")).unwrap().flatten() {
        if let Ok(benches) = std::fs::read_dir(krate.path().join("benches")) {
            files.extend(benches.flatten().map(|e| e.path()));
        }
    }
    let mut ids = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (at, _) in source.match_indices("Section::start(") {
            let rest = &source[at..];
            // The first argument ends where the title (a literal or a `format!`) begins; its
            // literals are the ids (an `if` may choose between two).
            let end = [",\n        \"", ",\n        &format!("]
                .iter()
                .filter_map(|title| rest.find(title))
                .min()
                .unwrap_or(rest.len());
            for id in rest[..end].split('"').skip(1).step_by(2) {
                ids.push((id.to_owned(), file.clone()));
            }
        }
    }
    assert!(!ids.is_empty(), "no benchmark starts a section");
    ids
}

#[test]
fn every_section_has_a_place_in_the_document_and_make_bench_runs_it() {
    let document = std::fs::read_to_string(root().join("docs/benchmarks.md")).unwrap();
    let script = std::fs::read_to_string(root().join("scripts/bench.sh")).unwrap();
    let all = script
        .lines()
        .find_map(|l| l.strip_prefix("all=\""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("scripts/bench.sh lists its benchmarks in all=\"...\"");
    for (id, file) in started_sections() {
        assert!(
            document.contains(&format!("<!-- bench:{id} -->"))
                && document.contains(&format!("<!-- /bench:{id} -->")),
            "{} starts section {id:?}, which docs/benchmarks.md has no block for",
            file.display()
        );
        assert!(
            all.split_whitespace().any(|name| name == id),
            "make bench does not run section {id:?} of {}",
            file.display()
        );
    }
}
