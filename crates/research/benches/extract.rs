//! Extraction speed on real pages: every saved HTML page under ../shared/eval/pages is decoded,
//! depth-capped, parsed once into facts, Markdown text, headings and links, and scanned for
//! signals and injection text, on one thread. Prints pages/s, MB/s and peak memory, which
//! `make bench` writes into docs/benchmarks.md. `cargo bench -p leadscout-research --bench extract`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use leadscout_bench::{peak_rss_mib, Section};
use leadscout_research::signals::injection_snippets;
use leadscout_research::{decode, read_page};
use url::Url;

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html" || e == "htm")
            // Readability's expected outputs are extracts, not pages.
            && !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("expected"))
        {
            out.push(path);
        }
    }
}

/// CPU time this thread has run so far (Linux's `/proc/thread-self/schedstat`): on a shared
/// machine the wall clock also counts the time other processes held the core.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace()
        .next()?
        .parse()
        .ok()
        .map(Duration::from_nanos)
}

fn main() {
    let report = Section::start(
        "extract",
        "Page extraction",
        "cargo bench -p leadscout-research --bench extract",
        "Every saved HTML page under `../shared/eval/pages` (not Readability's expected outputs): decode, depth cap, one parse into \
         links, then (hidden elements and blocks aimed at AI assistants cut out) metadata, \
         structured data, contacts, Markdown main text (Readability's scoring) and headings, then technology and text signals (139 rules) and the \
         injection scan, on one thread. Median of 5 passes after a warm-up, by the wall clock and by the thread's CPU time.",
    );
    // The shared eval set sits beside the checkout, or beside the folder of worktrees.
    let eval = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared/eval/pages"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/pages")
        });
    let mut files = Vec::new();
    html_files(&eval, &mut files);
    files.sort();
    if files.is_empty() {
        report.note(&format!(
            "No pages under {}: nothing was measured (the shared eval set sits beside the \
             checkout).",
            eval.display()
        ));
        return;
    }
    let pages: Vec<(Vec<u8>, Url)> = files
        .iter()
        .map(|f| {
            (
                std::fs::read(f).unwrap(),
                Url::parse("https://example.com/").unwrap(),
            )
        })
        .collect();
    let bytes: usize = pages.iter().map(|(b, _)| b.len()).sum();
    report.figure(
        "Pages",
        format!(
            "{} pages, {:.1} MB in all, largest {:.2} MB",
            pages.len(),
            bytes as f64 / 1e6,
            pages.iter().map(|(b, _)| b.len()).max().unwrap_or(0) as f64 / 1e6
        ),
    );
    // Warm-up (rules compiled once per process).
    let mut signals = 0;
    for (body, base) in &pages {
        let html = decode(body, "text/html");
        signals += read_page(&html, base).signals.len();
    }
    let mut times = Vec::new();
    let mut cpu_times = Vec::new();
    for _ in 0..5 {
        let cpu_start = thread_cpu();
        let start = Instant::now();
        for (body, base) in &pages {
            let html = decode(body, "text/html");
            let page = read_page(&html, base);
            let flagged = injection_snippets(&page.text);
            std::hint::black_box((page, flagged));
        }
        times.push(start.elapsed());
        if let (Some(before), Some(after)) = (cpu_start, thread_cpu()) {
            cpu_times.push(after.saturating_sub(before));
        }
    }
    times.sort();
    cpu_times.sort();
    let median: Duration = times[times.len() / 2];
    let secs = median.as_secs_f64();
    let rate = pages.len() as f64 / secs;
    report.goal(
        "Pages per second, one thread",
        format!(
            "**{rate:.0} pages/s** ({:.0} ms for {} pages, {signals} signals)",
            secs * 1e3,
            pages.len()
        ),
        "at least 100 pages/s",
        rate >= 100.0,
    );
    if let Some(cpu) = cpu_times.get(cpu_times.len() / 2) {
        report.figure(
            "Pages per second of CPU time (the thread's own, whatever else runs)",
            format!(
                "{:.0} pages/s ({:.0} ms of CPU for {} pages)",
                pages.len() as f64 / cpu.as_secs_f64(),
                cpu.as_secs_f64() * 1e3,
                pages.len()
            ),
        );
    }
    report.figure(
        "Throughput",
        format!("{:.1} MB/s", bytes as f64 / 1e6 / secs),
    );
    if let Some(peak) = peak_rss_mib() {
        report.figure(
            "Peak resident memory of the benchmark process",
            format!("{peak:.0} MiB"),
        );
    }
}
