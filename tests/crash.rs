//! Crash safety of the real app: research runs are in flight when the process is killed with
//! SIGKILL; after a restart every run finishes exactly once, with one timeline entry and one
//! notification per lead, and steps committed before the crash are not redone.
//!
//! The fixture websites are served on 127.0.0.1 under pinned names. Every site but the first
//! holds its answers until the test opens a gate, so the moment of the crash is chosen by the
//! test, not by timing: one run has finished and notified, two are stuck mid-crawl, one waits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_testkit::{dbus, e2e as harness, fake_model};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::{app_binary, ProcessGroup, Xvfb};
use leadscout_app::reminders::SystemZone;
use leadscout_domain::{
    due_instant, ActivityKind, FollowUpInput, LeadId, NewLead, RunStatus, RunSummary, Settings,
    Timestamp,
};
use leadscout_research::steps::WORKFLOW;
use leadscout_store::{Store, DATABASE_FILE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Bounds how long a broken setup takes to report; nothing is expected to take this long.
const TIMEOUT: Duration = Duration::from_secs(120);

const COMPANIES: [&str; 4] = ["co1", "co2", "co3", "co4"];

/// Serves a small company site for every `coN.example`; all but co1 wait for the gate.
async fn serve(gate: watch::Receiver<bool>) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(Mutex::new(Vec::new()));
    let seen = hits.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let seen = seen.clone();
            let mut gate = gate.clone();
            tokio::spawn(async move {
                let mut buf = vec![0; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let host = request
                    .lines()
                    .find_map(|l| l.strip_prefix("host: "))
                    .and_then(|h| h.split(':').next())
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                seen.lock().unwrap().push(format!("{host}{path}"));
                if host != "co1.example" && gate.wait_for(|open| *open).await.is_err() {
                    return;
                }
                let company = host.trim_end_matches(".example").to_uppercase();
                let (kind, body) = match path.as_str() {
                    "/robots.txt" => ("text/plain", "User-agent: *\nAllow: /\n".to_owned()),
                    "/" => ("text/html", format!(
                        "<html><head><title>{company} | Anvils</title><meta name=description content=\"{company} sells anvils.\"></head>\
                         <body><main><h1>{company}</h1><a href=\"/about\">About us</a></main></body></html>"
                    )),
                    "/about" => ("text/html", format!(
                        "<html><body><main><h1>About {company}</h1><p>Founded in 2011.</p>\
                         <p>{company} makes drop-forged anvils for workshops across Texas.</p></main></body></html>"
                    )),
                    _ => ("text/html", String::new()),
                };
                let status = if body.is_empty() {
                    "404 Not Found"
                } else {
                    "200 OK"
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (addr, hits)
}

fn start_app(xvfb: &Xvfb, data: &Path, bus: &str, allow: &str, log: &Path) -> ProcessGroup {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    ProcessGroup::spawn(
        "leadscout",
        Command::new(app_binary(env!("CARGO_BIN_EXE_leadscout")))
            .env("DISPLAY", &xvfb.display)
            .env("LEADSCOUT_DATA_DIR", data)
            .env("LEADSCOUT_TEST_ALLOW_HOSTS", allow)
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .env("NO_AT_BRIDGE", "1")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log),
    )
}

/// Lead `i + 1` at `company`'s site, created with its research run queued in one transaction.
async fn queue(store: &Store, i: usize, company: &str, site: SocketAddr) -> leadscout_domain::Lead {
    let draft = NewLead {
        full_name: format!("Lead {}", i + 1),
        website: Some(format!("http://{company}.example:{}/", site.port())),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    let (lead, run) = store
        .create_lead_and_research(&draft, WORKFLOW, Timestamp::now())
        .await
        .unwrap();
    assert!(run.is_some());
    lead
}

async fn runs(store: &Store) -> Vec<RunSummary> {
    store.latest_runs(None).await.unwrap()
}

/// Polls until `probe` holds; on timeout, fails with the app's log.
async fn until<F, Fut>(what: &str, log: &Path, probe: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    until_within(TIMEOUT, what, log, probe).await;
}

/// [`until`] with its own bound, for work that grows with the number of leads.
async fn until_within<F, Fut>(bound: Duration, what: &str, log: &Path, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + bound;
    while !probe().await {
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("timed out waiting for {what}\n--- app log ---\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn research_survives_a_sigkill_and_finishes_each_run_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("app.log");
    let (gate_open, gate) = watch::channel(false);
    let (addr, hits) = serve(gate).await;
    let allow = COMPANIES
        .iter()
        .map(|c| format!("{c}.example={addr}"))
        .collect::<Vec<_>>()
        .join(",");

    // Four leads, queued for research in the transactions that created them.
    std::fs::create_dir_all(&data).unwrap();
    let store = Store::open(&data.join(DATABASE_FILE)).await.unwrap();
    store
        .save_settings(
            &Settings {
                workers: 2,
                ..Settings::default()
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
    let mut leads: Vec<LeadId> = Vec::new();
    for (i, company) in COMPANIES.iter().enumerate() {
        let lead = queue(&store, i, company, addr).await;
        leads.push(lead.id);
    }
    let run_of = |runs: &[RunSummary], lead: LeadId| {
        runs.iter().find(|r| r.lead_id == lead).cloned().unwrap()
    };

    let bus = dbus::Bus::start();
    let (_server, notified) = dbus::serve_notifications(&bus.address).await;
    let xvfb = Xvfb::start();

    // First life: co1 finishes and notifies; co2 and co3 hang in their crawl; co4 waits.
    let mut app = start_app(&xvfb, &data, &bus.address, &allow, &log);
    until(
        "one run done and two stuck in their crawl",
        &log,
        || async {
            let runs = runs(&store).await;
            let done = run_of(&runs, leads[0]).status == RunStatus::Succeeded
                && notified.lock().unwrap().len() == 1;
            let stuck = runs
                .iter()
                .filter(|r| {
                    r.status == RunStatus::Running
                        && r.step == Some(leadscout_domain::StepKey::Crawl)
                })
                .count()
                == 2;
            let requested = hits.lock().unwrap().clone();
            let waiting = ["co2", "co3"].iter().all(|c| {
                requested
                    .iter()
                    .any(|h| h.starts_with(&format!("{c}.example")))
            });
            done && stuck && waiting
        },
    )
    .await;
    let before = runs(&store).await;
    assert_eq!(run_of(&before, leads[3]).status, RunStatus::Queued);
    app.kill_hard();
    drop(app);

    // Second life: the sites answer now.
    gate_open.send(true).unwrap();
    let app = start_app(&xvfb, &data, &bus.address, &allow, &log);
    until("every run finished and notified", &log, || async {
        runs(&store)
            .await
            .iter()
            .all(|r| r.status == RunStatus::Succeeded)
            && notified.lock().unwrap().len() >= 4
    })
    .await;
    // Anything owed would be delivered at start; give a duplicate no chance to hide by
    // stopping the app only after the database says every notification was claimed.
    drop(app);

    let after = runs(&store).await;
    for (i, lead) in leads.iter().enumerate() {
        // The same run finished: nothing was queued twice.
        assert_eq!(
            run_of(&after, *lead).id,
            run_of(&before, *lead).id,
            "lead {i}"
        );
        let entries = store
            .activities(*lead)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == ActivityKind::Research)
            .count();
        assert_eq!(entries, 1, "lead {} has {entries} research entries", i + 1);
    }
    let mut summaries: Vec<String> = notified
        .lock()
        .unwrap()
        .iter()
        .map(|(_, summary, _)| summary.clone())
        .collect();
    summaries.sort();
    assert_eq!(
        summaries,
        (1..=4)
            .map(|i| format!("Research ready: Lead {i}"))
            .collect::<Vec<_>>()
    );

    // The interrupted runs resumed after their last committed step: `resolve` ran once, the cut
    // crawl attempt is closed as interrupted, and a second attempt finished it.
    for lead in &leads[1..3] {
        let history = store.stage_history(run_of(&after, *lead).id).await.unwrap();
        let of = |stage: &str| {
            history
                .iter()
                .filter(|(s, ..)| s == stage)
                .map(|(_, attempt, status, _)| (*attempt, status.as_str()))
                .collect::<Vec<_>>()
        };
        assert_eq!(of("resolve"), [(1, "succeeded")], "{history:?}");
        assert_eq!(
            of("crawl"),
            [(1, "failed"), (2, "succeeded")],
            "{history:?}"
        );
        assert_eq!(of("write"), [(1, "succeeded")], "{history:?}");
    }
}

/// A small deterministic generator for the moments of the kills (xorshift64).
struct Moments(u64);

impl Moments {
    fn next_ms(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// The soak: many leads researched with a model by the real app, which is SIGKILLed at random
/// moments and restarted each time; at the end every run finished exactly once, nothing was
/// lost or doubled, each lead was notified once, and the database is intact.
/// `LEADSCOUT_SOAK_LEADS` (default 12) and `LEADSCOUT_SOAK_KILLS` (default 3); `make soak`
/// runs 200 leads and 10 kills.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn research_under_repeated_sigkills_finishes_every_run_once_and_keeps_the_data_whole() {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let leads_wanted = env("LEADSCOUT_SOAK_LEADS", 12);
    let kills = env("LEADSCOUT_SOAK_KILLS", 3);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("app.log");
    let (_gate_open, gate) = watch::channel(true);
    let (addr, _hits) = serve(gate).await;
    let companies: Vec<String> = (1..=leads_wanted).map(|i| format!("co{i}")).collect();
    let allow = companies
        .iter()
        .map(|c| format!("{c}.example={addr}"))
        .collect::<Vec<_>>()
        .join(",");
    let model = fake_model::FakeModel::start().await;

    std::fs::create_dir_all(&data).unwrap();
    let store = Store::open(&data.join(DATABASE_FILE)).await.unwrap();
    store
        .save_settings(
            &Settings {
                workers: 4,
                model: leadscout_domain::ModelSettings {
                    provider: Some(leadscout_domain::ModelProvider::OpenAiCompatible),
                    base_url: Some(model.base_url()),
                    model: Some("gpt-4o-mini".into()),
                },
                ..Settings::default()
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
    let mut leads: Vec<LeadId> = Vec::new();
    for (i, company) in companies.iter().enumerate() {
        let lead = queue(&store, i, company, addr).await;
        // A note of the user's own, which must come through every crash.
        store
            .add_activity(
                &leadscout_domain::NewActivity {
                    lead_id: lead.id,
                    kind: ActivityKind::Note,
                    body: format!("Met at the trade show ({})", i + 1),
                    outcome: None,
                    occurred_at: None,
                }
                .validate()
                .unwrap(),
                Timestamp::now(),
            )
            .await
            .unwrap();
        leads.push(lead.id);
    }
    let first_runs: Vec<RunSummary> = runs(&store).await;

    let bus = dbus::Bus::start();
    let (_server, notified) = dbus::serve_notifications(&bus.address).await;
    let xvfb = Xvfb::start();
    let mut moments = Moments(0x9e37_79b9_7f4a_7c15);
    let finished = |runs: &[RunSummary]| {
        runs.iter()
            .filter(|r| r.status == RunStatus::Succeeded)
            .count()
    };
    for life in 0..kills {
        let before = finished(&runs(&store).await);
        let mut app = start_app(&xvfb, &data, &bus.address, &allow, &log);
        // Some progress in every life (unless all is done), then a kill at a random moment.
        until("progress before the kill", &log, || async {
            let now = finished(&runs(&store).await);
            now > before || now == leads.len()
        })
        .await;
        tokio::time::sleep(Duration::from_millis(moments.next_ms(1500))).await;
        app.kill_hard();
        drop(app);
        eprintln!(
            "life {}: killed with {} of {} runs done",
            life + 1,
            finished(&runs(&store).await),
            leads.len()
        );
    }
    // Notifications are at most once: one claimed in the moment before a kill is not shown
    // again (never twice), so each kill may cost the few that were being shown.
    let may_lose = kills * 4;
    let app = start_app(&xvfb, &data, &bus.address, &allow, &log);
    // Each site is read at one request a second; a bound, not an expectation.
    let bound = TIMEOUT + Duration::from_secs(3 * leads.len() as u64);
    until_within(
        bound,
        "every run finished and its notification claimed",
        &log,
        || async {
            finished(&runs(&store).await) == leads.len()
                && store.unnotified_runs().await.unwrap().is_empty()
                && notified.lock().unwrap().len() + may_lose >= leads.len()
        },
    )
    .await;
    drop(app);

    // Every run is the one created with its lead, finished once.
    let after = runs(&store).await;
    assert_eq!(after.len(), leads.len());
    for run in &first_runs {
        assert!(after
            .iter()
            .any(|r| r.id == run.id && r.status == RunStatus::Succeeded));
    }
    for (i, lead) in leads.iter().enumerate() {
        let activities = store.activities(*lead).await.unwrap();
        let count = |kind: ActivityKind| activities.iter().filter(|a| a.kind == kind).count();
        assert_eq!(count(ActivityKind::Research), 1, "lead {}", i + 1);
        assert_eq!(count(ActivityKind::Note), 1, "lead {}'s note", i + 1);
    }
    // A notification per lead, none repeated.
    let mut summaries: Vec<String> = notified
        .lock()
        .unwrap()
        .iter()
        .map(|(_, summary, _)| summary.clone())
        .collect();
    summaries.sort();
    let shown = summaries.len();
    summaries.dedup();
    assert_eq!(summaries.len(), shown, "a notification was repeated");
    assert!(
        shown + may_lose >= leads.len(),
        "{shown} of {} notified",
        leads.len()
    );
    for summary in &summaries {
        assert!(
            (1..=leads.len()).any(|i| *summary == format!("Research ready: Lead {i}")),
            "{summary}"
        );
    }
    eprintln!(
        "{shown} of {} leads notified after {kills} kills",
        leads.len()
    );
    // Facts were written once per company, and the database is intact.
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
    for lead in &leads {
        let company = store
            .lead(*lead)
            .await
            .unwrap()
            .unwrap()
            .company_id
            .unwrap();
        let facts = store.company_facts(company).await.unwrap();
        let mut keys: Vec<&str> = facts.iter().map(|f| f.key.as_str()).collect();
        keys.dedup();
        assert_eq!(keys.len(), facts.len());
        assert!(
            facts.iter().any(|f| f.verified),
            "lead {lead:?} has no verified fact: {facts:#?}\n{:#?}",
            model
                .requests()
                .iter()
                .map(|r| r["messages"][1]["content"].clone())
                .collect::<Vec<_>>()
        );
    }
}

/// A follow-up that came due while the app was closed is shown once when it starts; the app is
/// then killed with SIGKILL and started again, and nothing is shown twice: the claim on the
/// reminder is in the database, not in the process that died.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_reminder_is_shown_once_across_a_sigkill_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("app.log");
    std::fs::create_dir_all(&data).unwrap();
    let store = Store::open(&data.join(DATABASE_FILE)).await.unwrap();
    let draft = NewLead {
        full_name: "Ada Lovelace".into(),
        company_name: Some("Analytical Engines".into()),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    let now = Timestamp::now();
    let lead = store.create_lead(&draft, now).await.unwrap();
    // Two days ago at 09:00 on this machine's clock: due while the app was not running.
    let date = Timestamp(now.0 - 2 * 86_400_000).date();
    let follow_up = FollowUpInput {
        next_step: Some("Send the pilot terms".into()),
        date: Some(date.clone()),
        time: Some("09:00".into()),
    }
    .validate()
    .unwrap();
    let due = due_instant(&SystemZone, &date, Some("09:00"));
    assert!(due.is_some_and(|d| d < now));
    store
        .set_follow_up(lead.id, &follow_up, due, now)
        .await
        .unwrap();

    let bus = dbus::Bus::start();
    let (_server, notified) = dbus::serve_notifications(&bus.address).await;
    let xvfb = Xvfb::start();
    let looks = |log: &Path| {
        std::fs::read_to_string(log)
            .unwrap_or_default()
            .matches("follow-up reminders: first look done")
            .count()
    };

    // First life: the missed reminder is shown, then the process is killed.
    let mut app = start_app(&xvfb, &data, &bus.address, "", &log);
    until("the missed reminder shown", &log, || async {
        looks(&log) == 1 && notified.lock().unwrap().len() == 1
    })
    .await;
    let shown = notified.lock().unwrap().clone();
    assert!(
        shown[0].2.contains("Ada Lovelace") || shown[0].1.contains("Ada Lovelace"),
        "the notification names the lead: {shown:?}"
    );
    app.kill_hard();
    drop(app);

    // Second life: its scheduler looks once (the log says so after showing what it found),
    // and what it found is nothing.
    let app = start_app(&xvfb, &data, &bus.address, "", &log);
    until("the restarted app's first look", &log, || async {
        looks(&log) == 2
    })
    .await;
    assert_eq!(
        notified.lock().unwrap().len(),
        1,
        "the reminder was shown again after the restart: {:?}",
        notified.lock().unwrap()
    );
    drop(app);
}
