//! Extraction speed on real pages: every saved HTML page under ../shared/eval/pages is decoded,
//! depth-capped, parsed once into facts, Markdown text, headings and links, and scanned for
//! signals and injection text, on one thread. Prints pages/s, MB/s and peak memory for
//! docs/benchmarks.md. `cargo bench -p leadscout-research --bench extract`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use leadscout_research::signals::{detect, injection_snippets, SignalInput};
use leadscout_research::{decode, plain_text, read};
use url::Url;

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html" || e == "htm") {
            out.push(path);
        }
    }
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let eval = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/pages");
    let mut files = Vec::new();
    html_files(&eval, &mut files);
    files.sort();
    if files.is_empty() {
        println!("no pages under {}: nothing to measure", eval.display());
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
    println!(
        "{} pages, {:.1} MB in all, largest {:.2} MB",
        pages.len(),
        bytes as f64 / 1e6,
        pages.iter().map(|(b, _)| b.len()).max().unwrap_or(0) as f64 / 1e6
    );
    // Warm-up (rules compiled once per process).
    let mut signals = 0;
    for (body, base) in &pages {
        let html = decode(body, "text/html");
        let page = read(&html, base);
        signals += detect(&SignalInput {
            url: base.as_str(),
            html: &html,
            text: &plain_text(&page.text),
            headers: &[],
        })
        .len();
    }
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        for (body, base) in &pages {
            let html = decode(body, "text/html");
            let page = read(&html, base);
            let text = plain_text(&page.text);
            let found = detect(&SignalInput {
                url: base.as_str(),
                html: &html,
                text: &text,
                headers: &[],
            });
            std::hint::black_box((found, injection_snippets(&page.text)));
        }
        times.push(start.elapsed());
    }
    times.sort();
    let median: Duration = times[times.len() / 2];
    let secs = median.as_secs_f64();
    println!(
        "median of 5 passes: {:.0} ms -> {:.0} pages/s, {:.1} MB/s on one thread ({signals} signals per pass)",
        secs * 1e3,
        pages.len() as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    if let Some(peak) = peak_rss_mib() {
        println!("peak resident memory: {peak:.0} MiB");
    }
}
