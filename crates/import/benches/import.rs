//! Importing 100,000 CSV rows into a fresh database: decode, sniff, map, validate and write in
//! batches of 500, as the app's import command does. Prints time and peak memory at 25k, 50k and
//! 100k rows for docs/benchmarks.md. `cargo bench -p leadscout-import --bench import`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::time::Instant;

use leadscout_domain::{Duplicates, Timestamp};
use leadscout_import::{decode, rows, sniff, suggest};
use leadscout_store::{ImportLead, Store, DATABASE_FILE};

fn csv(rows: usize) -> String {
    let mut out = String::from(
        "First Name,Last Name,Email,Phone Number,Job Title,Company Name,Website URL\n",
    );
    for i in 0..rows {
        let company = i / 4;
        writeln!(
            out,
            "Person{i},Surname{},p{i}@company{company}.example,+1 415 555 {:04},Head of Operations,Company {company},company{company}.example",
            i % 997,
            i % 10_000
        )
        .unwrap();
    }
    out
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn import(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("contacts.csv");
    std::fs::write(&file, csv(n)).unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let start = Instant::now();
    let bytes = std::fs::read(&file).unwrap();
    let decoded = decode(&bytes);
    let sniffed = sniff(&decoded.text).unwrap();
    let mapping = suggest(&sniffed.headers);
    let mut batch = Vec::with_capacity(500);
    let mut created = 0;
    for row in rows(&decoded.text, &sniffed, &mapping) {
        let row = row.unwrap();
        batch.push(ImportLead {
            full_name: row.full_name,
            values: row.values,
            note: row.note,
        });
        if batch.len() == 500 {
            created += store
                .import_leads(&batch, Duplicates::Skip, Timestamp::now())
                .await
                .unwrap()
                .len();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        created += store
            .import_leads(&batch, Duplicates::Skip, Timestamp::now())
            .await
            .unwrap()
            .len();
    }
    let elapsed = start.elapsed();
    println!(
        "{n:>7} rows ({:.1} MB): {:.2} s, {:.0} rows/s, {created} imported, peak memory so far {:.0} MiB",
        bytes.len() as f64 / 1e6,
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        peak_rss_mib()
    );
    store.close().await;
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for n in [25_000, 50_000, 100_000] {
        runtime.block_on(import(n));
    }
}
