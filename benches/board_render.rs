//! Rendering benchmark (prints numbers, asserts nothing): the real app, release build, under Xvfb
//! over WebDriver, with 10,000 leads in its database. Measures the start from process exec to an
//! interactive board (first launch with the page cache dropped, then warm launches), the memory
//! of the app process and its WebKit processes, the `get_board` IPC round trip and payload as
//! the page sees them, how many cards the windowed columns put in the DOM, and frame times while
//! scrolling the first column end to end; then the same for the table view of the leads.
//! Run with `cargo bench --bench board_render --features custom-protocol` (the installer's
//! configuration: UI served from the binary, the release CSP; Linux, needs Xvfb, tauri-driver
//! and WebKitWebDriver, which `make test` installs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_testkit::e2e as harness;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use harness::{app_binary, find, Driver, Setup, Xvfb};
use leadscout_bench::{percentile, Section};
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

/// How many times the app is started (the first with a dropped page cache).
const LAUNCHES: usize = 5;

/// A process as /proc shows it.
struct Proc {
    pid: u32,
    ppid: u32,
    name: String,
    /// Clock ticks after boot.
    start: u64,
}

fn processes() -> Vec<Proc> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (name) state ppid ...": the name may hold spaces and parentheses.
            let open = stat.find('(')?;
            let close = stat.rfind(')')?;
            let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
            Some(Proc {
                pid,
                ppid: fields.get(1)?.parse().ok()?,
                name: stat[open + 1..close].to_owned(),
                start: fields.get(19)?.parse().ok()?,
            })
        })
        .collect()
}

/// The running app: the newest process whose executable is the binary under test.
fn app_process(binary: &Path) -> Option<Proc> {
    let binary = binary.canonicalize().ok()?;
    processes()
        .into_iter()
        .filter(|p| {
            std::fs::read_link(format!("/proc/{}/exe", p.pid)).is_ok_and(|exe| exe == binary)
        })
        .max_by_key(|p| p.start)
}

/// The app and every process it started (WebKit's web and network processes).
fn family(app: &Proc) -> Vec<Proc> {
    let all = processes();
    let mut pids = vec![app.pid];
    let mut grew = true;
    while grew {
        grew = false;
        for p in &all {
            if !pids.contains(&p.pid) && pids.contains(&p.ppid) {
                pids.push(p.pid);
                grew = true;
            }
        }
    }
    all.into_iter().filter(|p| pids.contains(&p.pid)).collect()
}

/// A `kB` line of a /proc file, in MB.
fn kb_field(path: &str, field: &str) -> Option<f64> {
    Some(leadscout_bench::proc_kb(path, field)? * 1024.0 / 1e6)
}

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// When a process started, in milliseconds since the epoch: its age (from the kernel's uptime
/// and its start tick, 10 ms resolution) taken from now. Reading the boot time instead would
/// round to whole seconds.
fn started_at_ms(process: &Proc) -> f64 {
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|u| u.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let age = uptime - process.start as f64 / clock_ticks();
    (now - age) * 1000.0
}

/// Empties the page cache so the next start reads the binary, WebKit and the database from disk
/// (needs root; `false` when not allowed).
fn drop_page_cache() -> bool {
    let _ = std::process::Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// One start of the app, from process exec to the page marks.
struct Launch {
    /// Process exec to the webview's navigation start.
    native_ms: f64,
    /// Process exec to the frame that first shows the board.
    rendered_ms: f64,
    /// Process exec to the first task after that frame.
    interactive_ms: f64,
}

async fn launch(
    driver: &Driver,
    setup: &Setup,
    total: usize,
) -> (fantoccini::Client, Proc, Launch) {
    let client = driver.launch_app(setup).await;
    find(&client, "[data-testid=column-count]").await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let marks = loop {
        let marks: Value = client
            .execute(
                "const n = [...document.querySelectorAll('[data-testid=column-count]')] \
                   .map(e => +e.textContent).reduce((a, b) => a + b, 0); \
                 const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null; \
                 return { count: n, origin: performance.timeOrigin, \
                          rendered: at('board-rendered'), interactive: at('board-interactive') };",
                vec![],
            )
            .await
            .unwrap();
        if marks["count"].as_u64() == Some(total as u64) && marks["interactive"].is_number() {
            break marks;
        }
        assert!(
            Instant::now() < deadline,
            "the board never became interactive: {marks}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let app = app_process(&setup.binary).expect("the app process is running");
    let exec = started_at_ms(&app);
    let origin = marks["origin"].as_f64().unwrap();
    if std::env::var_os("LEADSCOUT_BENCH_TRACE").is_some() {
        trace(&client, exec, origin).await;
    }
    let launch = Launch {
        native_ms: origin - exec,
        rendered_ms: origin + marks["rendered"].as_f64().unwrap() - exec,
        interactive_ms: origin + marks["interactive"].as_f64().unwrap() - exec,
    };
    (client, app, launch)
}

/// With `LEADSCOUT_BENCH_TRACE=1`: when the app process started (compare with the app's log
/// timestamps), and the page's navigation timing, resources and marks, in ms after exec.
async fn trace(client: &fantoccini::Client, exec: f64, origin: f64) {
    let entries: Value = client
        .execute(
            "const n = performance.getEntriesByType('navigation')[0]; \
             const pick = (e, keys) => Object.fromEntries(keys.map(k => [k, e[k]])); \
             return { \
               navigation: n ? pick(n, ['fetchStart', 'responseEnd', 'domInteractive', \
                 'domContentLoadedEventEnd', 'loadEventEnd']) : null, \
               resources: performance.getEntriesByType('resource') \
                 .map(e => [e.name.split('/').pop(), e.startTime, e.responseEnd]), \
               marks: performance.getEntriesByType('mark').map(e => [e.name, e.startTime]) };",
            vec![],
        )
        .await
        .unwrap();
    let at = |t: &Value| t.as_f64().map_or(f64::NAN, |t| origin + t - exec);
    let seconds = exec / 1000.0;
    println!(
        "  exec at {:.3} (epoch s; the app's log timestamps are UTC), navigation starts {:.0} ms after",
        seconds,
        origin - exec
    );
    if let Some(navigation) = entries["navigation"].as_object() {
        for (name, t) in navigation {
            println!("  {:>6.0} ms  navigation {name}", at(t));
        }
    }
    for r in entries["resources"].as_array().into_iter().flatten() {
        println!(
            "  {:>6.0} ms  resource {} (until {:.0} ms)",
            at(&r[1]),
            r[0],
            at(&r[2])
        );
    }
    for m in entries["marks"].as_array().into_iter().flatten() {
        println!("  {:>6.0} ms  mark {}", at(&m[1]), m[0]);
    }
    // A question for the live page while investigating, e.g. how long a piece of the UI takes.
    if let Ok(script) = std::env::var("LEADSCOUT_BENCH_EVAL") {
        let answer = client
            .execute_async(
                &format!(
                    "const done = arguments[arguments.length - 1]; \
                     Promise.resolve((() => {{ {script} }})()).then(done, e => done(String(e)));"
                ),
                vec![],
            )
            .await;
        println!("  LEADSCOUT_BENCH_EVAL: {answer:?}");
    }
}

/// Memory of the app's processes: (app RSS, app peak RSS, WebKit web process RSS, PSS of all).
fn memory(app: &Proc) -> (f64, f64, f64, f64) {
    let status = format!("/proc/{}/status", app.pid);
    if std::env::var_os("LEADSCOUT_BENCH_TRACE").is_some() {
        for p in family(app) {
            let status = format!("/proc/{}/status", p.pid);
            println!(
                "  {} ({}): RSS {:.0} MB = anonymous {:.0} + files {:.0} + shared {:.0}",
                p.name,
                p.pid,
                kb_field(&status, "VmRSS:").unwrap_or(f64::NAN),
                kb_field(&status, "RssAnon:").unwrap_or(f64::NAN),
                kb_field(&status, "RssFile:").unwrap_or(f64::NAN),
                kb_field(&status, "RssShmem:").unwrap_or(f64::NAN),
            );
        }
    }
    let rss = kb_field(&status, "VmRSS:").unwrap_or(f64::NAN);
    let peak = kb_field(&status, "VmHWM:").unwrap_or(f64::NAN);
    let processes = family(app);
    let web: f64 = processes
        .iter()
        .filter(|p| p.name.starts_with("WebKitWebProces"))
        .filter_map(|p| kb_field(&format!("/proc/{}/status", p.pid), "VmRSS:"))
        .sum();
    let pss: f64 = processes
        .iter()
        .filter_map(|p| kb_field(&format!("/proc/{}/smaps_rollup", p.pid), "Pss:"))
        .sum();
    (rss, peak, web, pss)
}

/// Scrolls `list` from the top by `px` each frame, to its end or for `max_frames` frames: the
/// frame times, and how many `items` were in the DOM at the end (`dom`) and at the most (`most`).
async fn scroll(
    client: &fantoccini::Client,
    list: &str,
    items: &str,
    px: u32,
    max_frames: u32,
) -> Value {
    let script = format!(
        r#"const done = arguments[arguments.length - 1];
        const list = document.querySelector('{list}');
        const count = () => document.querySelectorAll('{items}').length;
        list.scrollTop = 0;
        const frames = []; let last = performance.now(); let most = 0;
        function step(now) {{
          frames.push(now - last); last = now;
          most = Math.max(most, count());
          list.scrollTop += {px};
          if (frames.length >= {max_frames} || list.scrollTop + list.clientHeight >= list.scrollHeight - 1) {{
            frames.sort((a, b) => a - b);
            // As text: a result WebKitWebDriver fails to read is then still a readable error.
            done(JSON.stringify({{ frames: frames.length, p50: frames[frames.length >> 1],
                   p95: frames[Math.floor(frames.length * 0.95)], max: frames[frames.length - 1],
                   dom: count(), most }}));
            return;
          }}
          requestAnimationFrame(step);
        }}
        requestAnimationFrame(step);"#
    );
    let scroll: Value = client
        .execute_async(&script, vec![])
        .await
        .unwrap_or_else(|err| panic!("scrolling {list} {px} px per frame: {err}"));
    serde_json::from_str(scroll.as_str().unwrap_or("null"))
        .unwrap_or_else(|err| panic!("scrolling {list} {px} px per frame answered {scroll}: {err}"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let total = leads();
    let report = Section::start(
        if total == 10_000 {
            "render"
        } else {
            "render-small"
        },
        &format!("The app with {total} leads"),
        "cargo bench --bench board_render --features custom-protocol",
        &format!(
            "The real app, release build, under Xvfb and driven over WebDriver, on a database of \
             {total} leads seeded through the store. Xvfb has no GPU: WebKitGTK renders in \
             software, so frame times are far worse than on a desktop. Start times run from the \
             app process's exec (read from /proc, 10 ms resolution) to marks the page sets: \
             the frame that first shows the board, and the first task after it, when a click \
             would be answered. {LAUNCHES} launches; the first after emptying the page cache."
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    seed(dir.path()).await;
    println!(
        "seeded {total} leads in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let xvfb = Xvfb::start();
    let setup = Setup::new(app_binary(env!("CARGO_BIN_EXE_leadscout")), dir.path());
    let driver = Driver::start(&xvfb.display, &setup);
    let mut launches = Vec::new();
    let mut cold_cache = false;
    let mut session = None;
    for attempt in 0..LAUNCHES {
        if attempt == 0 {
            cold_cache = drop_page_cache();
        }
        let (client, app, timing) = launch(&driver, &setup, total).await;
        println!(
            "launch {}: navigation {:.0} ms, board shown {:.0} ms, interactive {:.0} ms",
            attempt + 1,
            timing.native_ms,
            timing.rendered_ms,
            timing.interactive_ms
        );
        launches.push(timing);
        if attempt + 1 == LAUNCHES {
            session = Some((client, app));
        } else {
            client.close().await.unwrap();
            let deadline = Instant::now() + Duration::from_secs(30);
            while Path::new(&format!("/proc/{}", app.pid)).exists() {
                assert!(
                    Instant::now() < deadline,
                    "the app did not quit with its session"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    let (client, app) = session.unwrap();
    // A cold start is a new app process: no Leadscout process alive, the system's caches as
    // they are. The first launch, after emptying the page cache, is the stricter case of a
    // launch right after a reboot, with every library read from disk.
    let starts = |f: fn(&Launch) -> f64| -> Vec<i64> {
        launches[1..].iter().map(|l| f(l).round() as i64).collect()
    };
    let mut interactive = starts(|l| l.interactive_ms);
    let mut native = starts(|l| l.native_ms);
    let mut rendered = starts(|l| l.rendered_ms);
    let median = percentile(&mut interactive, 0.5);
    report.goal(
        &format!(
            "Cold start (a new app process) to an interactive board, median of {}",
            LAUNCHES - 1
        ),
        format!(
            "**{median} ms** (webview navigating at {} ms, board shown at {} ms; slowest {} ms)",
            percentile(&mut native, 0.5),
            percentile(&mut rendered, 0.5),
            interactive.iter().max().unwrap()
        ),
        "under 1 s",
        median < 1000,
    );
    let first = &launches[0];
    let label = if cold_cache {
        "First launch with the page cache emptied (every library read from disk, as after a reboot)"
    } else {
        "First launch (the page cache could not be emptied: that needs root)"
    };
    report.goal(
        label,
        format!(
            "**{:.0} ms** (webview navigating at {:.0} ms, board shown at {:.0} ms)",
            first.interactive_ms, first.native_ms, first.rendered_ms
        ),
        "under 1 s",
        first.interactive_ms < 1000.0,
    );

    let cards: Value = client
        .execute(
            "return document.querySelectorAll('[data-testid=lead-card]').length",
            vec![],
        )
        .await
        .unwrap();
    report.figure(
        "Cards in the DOM after load (windowed columns)",
        cards.to_string(),
    );

    // Memory once the board has settled.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (rss, peak, web, pss) = memory(&app);
    report.goal(
        &format!("Memory with {total} leads, board shown: the app process (Rust core, window)"),
        format!("**{rss:.0} MB** resident (peak so far {peak:.0} MB)"),
        "under 200 MB",
        rss < 200.0,
    );
    report.figure(
        "... WebKit's web process (the page, its DOM and JavaScript)",
        format!("{web:.0} MB resident"),
    );
    report.figure(
        "... every process of the app together, shared pages counted once (PSS)",
        format!("{pss:.0} MB"),
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
    report.figure(
        "`get_board` round trip measured in the page, 5 calls",
        format!(
            "median {:.0} ms, max {:.0} ms, {:.2} MB of JSON",
            ipc["median"].as_f64().unwrap_or(f64::NAN),
            ipc["max"].as_f64().unwrap_or(f64::NAN),
            ipc["bytes"].as_f64().unwrap_or(f64::NAN) / 1e6
        ),
    );

    // A lead added through the form: from the click on Create to the frame with its card.
    let created: Value = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            (async () => {
              const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
              const until = async (probe) => {
                for (let i = 0; i < 1000; i++) { const v = probe(); if (v) return v; await frame(); }
                throw new Error('timed out');
              };
              document.querySelector('[data-testid=new-lead]').click();
              const dialog = await until(() => document.querySelector('[data-testid=new-lead-dialog]'));
              const name = dialog.querySelector('[name=fullName]');
              name.value = 'Benchmark Lead';
              name.dispatchEvent(new Event('input', { bubbles: true }));
              await frame();
              const loads = performance.getEntriesByName('board-requested').length;
              const t = performance.now();
              document.querySelector('[data-testid=create-lead-submit]').click();
              await until(() => [...document.querySelectorAll('[data-testid=lead-card]')]
                .some((c) => c.textContent.includes('Benchmark Lead')));
              await frame();
              done({ ms: performance.now() - t,
                     reloads: performance.getEntriesByName('board-requested').length - loads });
            })().catch((e) => done({ error: String(e) }));"#,
            vec![],
        )
        .await
        .unwrap();
    assert!(
        created["error"].is_null(),
        "creating a lead failed: {created}"
    );
    report.figure(
        "New lead through the form: Create clicked to its card on screen",
        format!(
            "{:.0} ms (whole-board reloads: {})",
            created["ms"].as_f64().unwrap_or(f64::NAN),
            created["reloads"]
        ),
    );

    client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(180)),
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
    report.figure(
        "Idle frame (nothing changing), p50",
        format!("{:.0} ms", idle.as_f64().unwrap_or(f64::NAN)),
    );
    for (px, max_frames) in [(120, 150), (900, 200)] {
        let scroll = scroll(
            &client,
            "[data-testid=column] [role=list]",
            "[data-testid=lead-card]",
            px,
            max_frames,
        )
        .await;
        report.figure(
            &format!("Scroll the first column {px} px per frame, frame time"),
            format!(
                "p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms over {} frames; {} cards in the DOM",
                scroll["p50"].as_f64().unwrap_or(f64::NAN),
                scroll["p95"].as_f64().unwrap_or(f64::NAN),
                scroll["max"].as_f64().unwrap_or(f64::NAN),
                scroll["frames"],
                scroll["dom"]
            ),
        );
    }
    // The same leads as a table (windowed rows of one height): the switch, the rows in the
    // DOM, and frame times scrolling it end to end as the board's first column above.
    let table: Value = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            (async () => {
              const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
              const t = performance.now();
              document.querySelector('[data-testid=toggle-view]').click();
              for (let i = 0; i < 1000 && !document.querySelector('[data-testid=table-row]'); i++) await frame();
              await frame();
              const grid = document.querySelector('[data-testid=lead-table] [role=grid]');
              done(JSON.stringify({ ms: performance.now() - t,
                     rows: Number(grid.getAttribute('aria-rowcount')) - 1,
                     dom: document.querySelectorAll('[data-testid=table-row]').length }));
            })().catch((e) => done(JSON.stringify({ error: String(e) })));"#,
            vec![],
        )
        .await
        .unwrap();
    let table: Value = serde_json::from_str(table.as_str().unwrap_or("null"))
        .unwrap_or_else(|err| panic!("showing the table answered {table}: {err}"));
    assert!(
        table["error"].is_null(),
        "showing the table failed: {table}"
    );
    report.figure(
        "Table view: V pressed to its rows on screen; rows in the DOM (windowed)",
        format!(
            "{:.0} ms; {} of {} rows in the DOM",
            table["ms"].as_f64().unwrap_or(f64::NAN),
            table["dom"],
            table["rows"]
        ),
    );
    for (px, max_frames) in [(120, 150), (900, 200)] {
        let scroll = scroll(
            &client,
            "[data-testid=lead-table] [role=grid]",
            "[data-testid=table-row]",
            px,
            max_frames,
        )
        .await;
        report.figure(
            &format!("Scroll the table {px} px per frame, frame time"),
            format!(
                "p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms over {} frames; at most {} rows in the DOM",
                scroll["p50"].as_f64().unwrap_or(f64::NAN),
                scroll["p95"].as_f64().unwrap_or(f64::NAN),
                scroll["max"].as_f64().unwrap_or(f64::NAN),
                scroll["frames"],
                scroll["most"]
            ),
        );
    }
    let (rss, peak, web, pss) = memory(&app);
    report.goal(
        "Memory after 5 more board loads and the scrolling: the app process",
        format!(
            "**{rss:.0} MB** resident (peak {peak:.0} MB); WebKit's web process {web:.0} MB; \
             all together {pss:.0} MB (PSS)"
        ),
        "under 200 MB",
        rss < 200.0,
    );
    client.close().await.unwrap();
}
