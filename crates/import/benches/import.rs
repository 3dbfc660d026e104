//! Importing 100,000 CSV rows into a fresh database: decode, sniff, map, validate and write in
//! batches of 500, as the app's import command does. Prints time and peak memory at 25k, 50k and
//! 100k rows, which `make bench` writes into docs/benchmarks.md.
//! `cargo bench -p leadscout-import --bench import`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::time::Instant;

use leadscout_bench::{peak_rss_mib, Section};
use leadscout_domain::{Duplicates, Timestamp};
use leadscout_import::{encoding_of, rows_from_reader, sniff, suggest};
use leadscout_store::{ImportLead, Store, DATABASE_FILE};

/// The header line plus `rows` rows.
fn csv(rows: usize) -> String {
    let mut out = String::from(
        "First Name,Last Name,Email,Phone Number,Job Title,Company Name,Website URL\n",
    );
    out.push_str(&csv_rows(0, rows));
    out
}

fn csv_rows(from: usize, to: usize) -> String {
    let mut out = String::new();
    for i in from..to {
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

/// Writes the file in pieces, so the benchmark itself never holds it.
fn write_csv(path: &std::path::Path, rows: usize) -> u64 {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(csv(0).as_bytes()).unwrap();
    for start in (0..rows).step_by(1000) {
        let chunk = csv_rows(start, (start + 1000).min(rows));
        out.write_all(chunk.as_bytes()).unwrap();
    }
    out.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

async fn import(report: &Section, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("contacts.csv");
    let size = write_csv(&file, n);
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let start = Instant::now();
    // As the app does it: the first 64 KB tell the encoding and the shape, the rows stream.
    let head: Vec<u8> = {
        use std::io::Read;
        let mut head = Vec::new();
        std::fs::File::open(&file)
            .unwrap()
            .take(64 * 1024)
            .read_to_end(&mut head)
            .unwrap();
        head
    };
    let encoding = encoding_of(&head);
    let text = encoding.decode(&head).0;
    let whole_lines = &text[..text.rfind('\n').map_or(text.len(), |i| i + 1)];
    let sniffed = sniff(whole_lines).unwrap();
    let mapping = suggest(&sniffed.headers);
    let mut batch = Vec::with_capacity(500);
    let mut created = 0;
    let reader = std::fs::File::open(&file).unwrap();
    for row in rows_from_reader(reader, encoding, &sniffed, &mapping) {
        let row = row.unwrap();
        batch.push(ImportLead {
            full_name: row.full_name,
            values: row.values,
            note: row.note,
            custom: row.custom,
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
    let what = format!("{n} rows, {:.1} MB file", size as f64 / 1e6);
    let result = format!(
        "**{:.2} s**, {:.0} rows/s, {created} imported, peak memory of the process so far {:.0} MiB",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    if n == 100_000 {
        report.goal(&what, result, "under 5 s", elapsed.as_secs_f64() < 5.0);
    } else {
        report.figure(&what, result);
    }
    store.close().await;
}

fn main() {
    let report = Section::start(
        "import",
        "Import",
        "cargo bench -p leadscout-import --bench import",
        "A generated HubSpot-style CSV (7 columns, 4 people per company domain) imported into a \
         fresh database as the app's import command does it: the first 64 KB give the encoding \
         and the shape, the file streams through decoding, validation and duplicate checks, and \
         is written in transactions of 500 rows. Largest run first, so the process's peak memory \
         at the smaller runs shows whether memory grows with the file (goal: it does not).",
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Largest first: peak memory is per process, so a later, smaller run cannot hide under it.
    for n in [100_000, 50_000, 25_000] {
        runtime.block_on(import(&report, n));
    }
}
