//! Rendering benchmark (prints numbers, asserts nothing): the real app, release build, under Xvfb
//! over WebDriver, with 10,000 leads in its database. Measures the time to a rendered board, the
//! `get_board` IPC round trip and payload as the page sees them, how many cards the windowed
//! columns put in the DOM, and frame times while scrolling the first column end to end.
//! Run with `cargo bench --bench board_render` (Linux, needs Xvfb, tauri-driver and
//! WebKitWebDriver, which `make test` installs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;

use std::time::Instant;

use harness::{find, Driver, Xvfb};
use leadscout_domain::{LeadEdit, LeadField, NewLead, StageId, Timestamp};
use leadscout_store::{Store, DATABASE_FILE};
use serde_json::Value;

/// `LEADSCOUT_BENCH_LEADS` changes the count (e.g. to compare with a small board).
fn leads() -> usize {
    std::env::var("LEADSCOUT_BENCH_LEADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

async fn seed(dir: &std::path::Path) {
    let store = Store::open(&dir.join(DATABASE_FILE)).await.unwrap();
    let stages: Vec<StageId> = store.stages().await.unwrap().iter().map(|s| s.id).collect();
    for i in 0..leads() {
        let draft = NewLead {
            full_name: format!("Person {i}"),
            email: Some(format!("person{i}@company{}.example", i % 1500)),
            company_name: Some(format!("Company {}", i % 1500)),
            website: Some(format!("company{}.example", i % 1500)),
            stage_id: Some(stages[i % 4]),
        }
        .validate()
        .unwrap();
        let lead = store.create_lead(&draft, Timestamp::now()).await.unwrap();
        if i % 3 == 0 {
            let edit = LeadEdit {
                field: LeadField::DealValue,
                value: Some(format!("{}", 1000 + i)),
            }
            .validate()
            .unwrap();
            store
                .update_lead(lead.id, &edit, Timestamp::now())
                .await
                .unwrap();
        }
    }
    store.close().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    seed(dir.path()).await;
    let total = leads();
    println!(
        "seeded {total} leads in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let xvfb = Xvfb::start();
    let driver = Driver::start(&xvfb.display, dir.path());
    let launch = Instant::now();
    let client = driver.launch_app().await;
    find(&client, "[data-testid=column-count]").await;
    loop {
        let count: Value = client
            .execute(
                "return [...document.querySelectorAll('[data-testid=column-count]')].map(e => +e.textContent).reduce((a, b) => a + b, 0)",
                vec![],
            )
            .await
            .unwrap();
        if count.as_u64() == Some(total as u64) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let wall = launch.elapsed();
    let mark: Value = client
        .execute(
            "const m = performance.getEntriesByName('board-rendered')[0]; return m ? m.startTime : null",
            vec![],
        )
        .await
        .unwrap();
    let cards: Value = client
        .execute(
            "return document.querySelectorAll('[data-testid=lead-card]').length",
            vec![],
        )
        .await
        .unwrap();
    println!(
        "launch to a rendered board with {total} leads: {:.2} s wall (app start and webview \
         included); board rendered {:.0} ms after navigation start; {} cards in the DOM",
        wall.as_secs_f64(),
        mark.as_f64().unwrap_or(f64::NAN),
        cards
    );

    let ipc: Value = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            (async () => {
              const times = []; let bytes = 0;
              for (let i = 0; i < 5; i++) {
                const t = performance.now();
                const board = await window.__TAURI_INTERNALS__.invoke('get_board');
                times.push(performance.now() - t);
                bytes = JSON.stringify(board).length;
              }
              times.sort((a, b) => a - b);
              done({ median: times[2], max: times[4], bytes });
            })().catch(e => done({ error: String(e) }));"#,
            vec![],
        )
        .await
        .unwrap();
    println!(
        "get_board round trip in the page: median {:.1} ms, max {:.1} ms, {:.2} MB of JSON",
        ipc["median"].as_f64().unwrap_or(f64::NAN),
        ipc["max"].as_f64().unwrap_or(f64::NAN),
        ipc["bytes"].as_f64().unwrap_or(f64::NAN) / 1e6
    );

    client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(std::time::Duration::from_secs(180)),
            None,
            None,
        ))
        .await
        .unwrap();
    // Baseline: frames with nothing to do, to tell the page's own cost from the display's.
    let idle: Value = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            const frames = []; let last = performance.now();
            function step(now) {
              frames.push(now - last); last = now;
              if (frames.length >= 60) { frames.sort((a, b) => a - b); done(frames[30]); return; }
              requestAnimationFrame(step);
            }
            requestAnimationFrame(step);"#,
            vec![],
        )
        .await
        .unwrap();
    println!(
        "idle frame time under Xvfb (software rendering, no scrolling): p50 {:.1} ms",
        idle.as_f64().unwrap_or(f64::NAN)
    );
    for (px, max_frames) in [(120, 150), (900, 200)] {
        let script = format!(
            r#"const done = arguments[arguments.length - 1];
            const list = document.querySelector('[data-testid=column] [role=list]');
            list.scrollTop = 0;
            const frames = []; let last = performance.now();
            function step(now) {{
              frames.push(now - last); last = now;
              list.scrollTop += {px};
              if (frames.length >= {max_frames} || list.scrollTop + list.clientHeight >= list.scrollHeight - 1) {{
                frames.sort((a, b) => a - b);
                done({{ frames: frames.length, p50: frames[frames.length >> 1],
                       p95: frames[Math.floor(frames.length * 0.95)], max: frames[frames.length - 1],
                       dom: document.querySelectorAll('[data-testid=lead-card]').length }});
                return;
              }}
              requestAnimationFrame(step);
            }}
            requestAnimationFrame(step);"#
        );
        let scroll: Value = client.execute_async(&script, vec![]).await.unwrap();
        println!(
            "scrolling the first column, {px} px per frame: {} frames, frame time p50 {:.1} ms, \
             p95 {:.1} ms, max {:.1} ms; {} cards in the DOM",
            scroll["frames"],
            scroll["p50"].as_f64().unwrap_or(f64::NAN),
            scroll["p95"].as_f64().unwrap_or(f64::NAN),
            scroll["max"].as_f64().unwrap_or(f64::NAN),
            scroll["dom"]
        );
    }
    client.close().await.unwrap();
}
