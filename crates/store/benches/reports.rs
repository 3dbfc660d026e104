//! The reports at 100,000 leads: how long the reports page waits for its numbers. Run with
//! `cargo bench -p leadscout-store --bench reports`; `make bench` writes the figures into
//! docs/benchmarks.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use leadscout_bench::{ms, percentile, Section};
use leadscout_domain::{forecast, reports};
use leadscout_store::{connect_options, Store, DATABASE_FILE};
use sqlx::ConnectOptions;

const LEADS: i64 = 100_000;
const RUNS: usize = 20;
const DAY: i64 = 86_400_000;

/// 100,000 leads written by SQL in a few statements (the store's triggers record each one's
/// stage moves as they would in the app): deal values in two currencies, 12 sources, one or
/// two of 25 tags, a fit score on a third, expected close dates over 400 days, and a history
/// of moves through the funnel that ends won, lost or still open.
async fn seed(store: &Store) {
    let mut conn = connect_options(store.path()).connect().await.unwrap();
    let stages: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM pipeline_stages ORDER BY position")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let id = |name: &str| stages.iter().find(|(_, n)| n == name).unwrap().0;
    let t0: i64 = 1_735_689_600_000; // 2025-01-01
    let statements = [
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {LEADS}) \
             INSERT INTO leads (full_name, stage_id, position, created_at, updated_at, \
             deal_value, currency, source, expected_close) \
             SELECT 'Lead ' || i, {new}, i * 1024, {t0} + i * 300000, {t0} + i * 300000, \
             CASE WHEN i % 10 = 0 THEN NULL ELSE (i * 7919) % 5000000 END, \
             CASE WHEN i % 7 = 0 THEN 'EUR' ELSE 'USD' END, \
             CASE WHEN i % 13 = 0 THEN NULL ELSE 'Source ' || (i % 12) END, \
             date('2026-01-01', '+' || (i % 400) || ' days') FROM n",
            new = id("New"),
        ),
        "INSERT INTO lead_tags (lead_id, tag, position) SELECT id, 'tag' || (id % 20), 0 FROM leads"
            .to_owned(),
        "INSERT INTO lead_tags (lead_id, tag, position) \
         SELECT id, 'segment' || (id % 5), 1 FROM leads WHERE id % 3 = 0"
            .to_owned(),
        "INSERT INTO insights (lead_id, summary, fit_score, fit_verified, body, model, created_at) \
         SELECT id, 'bench', (id * 37) % 101, 1, '{}', 'bench', 0 FROM leads WHERE id % 3 = 0"
            .to_owned(),
    ];
    for sql in statements {
        sqlx::query(&sql).execute(&mut conn).await.unwrap();
    }
    // Moves, each `days` after creation, for the leads whose hash is at least `from`.
    let hash = "((id * 2654435761) % 100)";
    let moves = [
        (format!("{hash} < 10"), id("Lost"), 1),
        (format!("{hash} >= 20"), id("Contacted"), 2),
        (format!("{hash} >= 40"), id("Qualified"), 5),
        (format!("{hash} >= 55"), id("Proposal"), 9),
        (format!("{hash} >= 70 AND id % 2 = 0"), id("Won"), 20),
        (format!("{hash} >= 70 AND id % 2 = 1"), id("Lost"), 20),
    ];
    for (which, stage, days) in moves {
        sqlx::query(&format!(
            "UPDATE leads SET stage_id = {stage}, updated_at = created_at + {days} * {DAY} \
             WHERE {which}"
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    }
}

/// CPU time this process has used (every thread, user and system), from /proc/self/stat in
/// the kernel's clock ticks of 10 ms (USER_HZ is 100 on Linux).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // "pid (name) state ppid ...": utime and stime are the 12th and 13th fields after the name.
    let fields: Vec<u64> = stat[stat.rfind(')').unwrap() + 2..]
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|f| f.parse().unwrap())
        .collect();
    Duration::from_millis((fields[0] + fields[1]) * 10)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let report = Section::start(
        "store-reports",
        "Reports at 100,000 leads",
        "cargo bench -p leadscout-store --bench reports",
        "100,000 generated leads with deal values in two currencies, sources, tags, fit scores on \
         a third, expected close dates and 325,000 recorded stage moves; every report \
         computed 20 times. SQLite groups the leads (kept columns and covering indexes of \
         migration 13); the domain computes from the grouped rows.",
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let started = Instant::now();
    seed(&store).await;
    report.figure("Seed (SQL, triggers on)", ms(started.elapsed()));

    let mut load = Vec::new();
    let mut compute = Vec::new();
    let mut total = Vec::new();
    let mut forecast_only = Vec::new();
    let mut forecast_read = Vec::new();
    let mut moves = 0;
    let mut rows = 0;
    let mut bytes = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let inputs = store.report_inputs(60).await.unwrap();
        load.push(started.elapsed());
        let data = &inputs.data;
        moves = data.stays.iter().map(|s| s.stays).sum::<u32>();
        rows = data.deals.len()
            + data.closed.len()
            + data.furthest.len()
            + data.stays.len()
            + data.by_source.len()
            + data.by_tag.len()
            + data.fit.len();
        let started = Instant::now();
        let computed = reports(&inputs.stages, data);
        compute.push(started.elapsed());
        bytes = serde_json::to_vec(&computed).unwrap().len();
        let started = Instant::now();
        std::hint::black_box(forecast(&inputs.stages, &data.deals));
        forecast_only.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(store.reports(60).await.unwrap());
        total.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(store.forecast().await.unwrap());
        forecast_read.push(started.elapsed());
    }
    report.figure(
        "Finished stays in a stage (moves followed by another)",
        moves,
    );
    report.figure("Grouped rows SQLite hands the domain", rows);
    let p = |samples: &mut Vec<Duration>| {
        format!(
            "p50 {}, p95 {}",
            ms(percentile(samples, 0.5)),
            ms(percentile(samples, 0.95))
        )
    };
    report.figure(
        "Read the grouped inputs (`Store::report_inputs`)",
        p(&mut load),
    );
    report.figure(
        "Compute every report from them (`reports`, pure)",
        p(&mut compute),
    );
    report.figure(
        "... the forecast alone (`forecast`, pure)",
        p(&mut forecast_only),
    );
    report.figure(
        "The forecast alone, read and computed (`Store::forecast`)",
        p(&mut forecast_read),
    );
    // What the machine's other work cannot inflate: the CPU time a call costs, over 50 calls.
    let cpu_runs = 50;
    let before = cpu_time();
    for _ in 0..cpu_runs {
        std::hint::black_box(store.reports(60).await.unwrap());
    }
    report.figure(
        "Every report, CPU time per call (all threads, 50 calls)",
        ms((cpu_time() - before) / cpu_runs),
    );
    let p95 = percentile(&mut total, 0.95);
    report.goal(
        "Every report, read and computed (`get_reports`)",
        format!(
            "p50 {}, **p95 {}**",
            ms(percentile(&mut total, 0.5)),
            ms(p95)
        ),
        "each report under 200 ms (all of them together, p95)",
        p95 < Duration::from_millis(200),
    );
    report.figure(
        "Reports IPC payload",
        format!("{:.1} KB", bytes as f64 / 1000.0),
    );
    store.close().await;
}
