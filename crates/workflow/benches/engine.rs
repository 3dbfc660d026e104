//! Engine benchmarks that print numbers (no pass/fail):
//! - orchestration overhead per step with zero-latency steps (claim, input hashing, step rows,
//!   commits, events; goal: median under 2 ms per step, commit included);
//! - 1,000 queued runs against a simulated provider with fixed latency and a per-minute limit,
//!   compared with the lower bound the limit sets (goal: within 5%). Time is scaled 100x
//!   (10 ms latency, 12,000 requests/minute) so the run takes seconds, not 8 minutes; the ratio
//!   to the bound is what matters.
//!
//! Run with `cargo bench -p leadscout-workflow`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leadscout_bench::Section;
use leadscout_domain::{LeadId, NewLead, RunEvent, RunTrigger, StepKey, Timestamp};
use leadscout_store::{Store, DATABASE_FILE};
use leadscout_workflow::{
    Backoff, Engine, EngineConfig, EventSink, Notifier, Outcome, RunStart, Step, StepFuture,
    StepInput, StepOutput, SystemClock, Workflow,
};
use serde_json::json;

#[derive(Default)]
struct Timing {
    started: Mutex<HashMap<i64, Instant>>,
    runs: Mutex<Vec<Duration>>,
}

impl EventSink for Timing {
    fn emit(&self, event: RunEvent) {
        match event {
            RunEvent::Started { run, .. } => {
                self.started.lock().unwrap().insert(run.0, Instant::now());
            }
            RunEvent::Finished { run, .. } => {
                let start = self.started.lock().unwrap()[&run.0];
                self.runs.lock().unwrap().push(start.elapsed());
            }
            _ => {}
        }
    }
}

struct Quiet;
impl Notifier for Quiet {
    fn notify(&self, _: &Outcome) {}
}

struct Instant0 {
    name: StepKey,
    inputs: &'static [StepKey],
}

impl Step for Instant0 {
    fn key(&self) -> StepKey {
        self.name
    }
    fn inputs(&self) -> &'static [StepKey] {
        self.inputs
    }
    fn run(&self, input: StepInput) -> StepFuture<'_> {
        Box::pin(async move { Ok(StepOutput::new(json!({ "run": input.run.0, "n": 42 }))) })
    }
}

/// A provider that admits at most a set number of requests a minute: request starts are spaced
/// evenly (`interval` apart), the way a per-minute limit is met without bursts.
struct Provider {
    interval: Duration,
    next: Mutex<Option<tokio::time::Instant>>,
    latency: Duration,
}

impl Provider {
    fn new(per_minute: u32, latency: Duration) -> Provider {
        Provider {
            interval: Duration::from_secs(60) / per_minute,
            next: Mutex::new(None),
            latency,
        }
    }

    /// Waits for this request's slot under the limit.
    async fn admit(&self) {
        let slot = {
            let mut next = self.next.lock().unwrap();
            let now = tokio::time::Instant::now();
            let slot = next.filter(|at| *at > now).unwrap_or(now);
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

impl Step for Provider {
    fn key(&self) -> StepKey {
        StepKey::Footprint
    }
    fn inputs(&self) -> &'static [StepKey] {
        &[StepKey::Seed]
    }
    fn run(&self, input: StepInput) -> StepFuture<'_> {
        Box::pin(async move {
            self.admit().await;
            tokio::time::sleep(self.latency).await;
            Ok(StepOutput::new(json!({ "lead": input.lead.0 })))
        })
    }
}

async fn setup(runs: usize) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    for i in 0..runs {
        let draft = NewLead {
            full_name: format!("Lead {i}"),
            website: Some(format!("company{i}.example")),
            ..NewLead::default()
        }
        .validate()
        .unwrap();
        let lead = store.create_lead(&draft, Timestamp::now()).await.unwrap();
        store
            .enqueue_run(lead.id, "bench", RunTrigger::Created, Timestamp::now())
            .await
            .unwrap();
    }
    (store, dir)
}

fn engine(
    store: &Store,
    stages: Vec<Arc<dyn Step>>,
    workers: usize,
    sink: Arc<Timing>,
) -> Arc<Engine> {
    Engine::new(
        store.clone(),
        Workflow::new("bench", stages).unwrap(),
        // Each lead's seed differs, so no step output is reused across runs.
        Arc::new(|lead: LeadId, _now| {
            Box::pin(async move { Ok(RunStart::new(json!({ "lead": lead.0 }))) })
        }),
        Arc::new(SystemClock),
        sink,
        Arc::new(Quiet),
        EngineConfig {
            workers,
            lease: Duration::from_secs(60),
            backoff: Backoff::default(),
            idle_poll: Duration::from_millis(20),
            owner: "bench".into(),
        },
    )
}

async fn drain(engine: &Arc<Engine>, sink: &Timing, runs: usize) -> Duration {
    let shutdown = tokio_util::sync::CancellationToken::new();
    let started = Instant::now();
    let workers = engine.start(shutdown.clone());
    while sink.runs.lock().unwrap().len() < runs {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let total = started.elapsed();
    shutdown.cancel();
    for w in workers {
        w.await.unwrap();
    }
    total
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let report = Section::start(
        "engine",
        "Workflow engine",
        "cargo bench -p leadscout-workflow",
        "The durable engine over a real SQLite file: runs claimed, stage rows and outputs \
         committed, events emitted, exactly as research runs are.",
    );
    // 1. Orchestration overhead: five zero-latency steps (a diamond), one worker.
    let runs = 300;
    let (store, _dir) = setup(runs).await;
    let stages: Vec<Arc<dyn Step>> = vec![
        Arc::new(Instant0 {
            name: StepKey::Resolve,
            inputs: &[StepKey::Seed],
        }),
        Arc::new(Instant0 {
            name: StepKey::Crawl,
            inputs: &[StepKey::Resolve],
        }),
        Arc::new(Instant0 {
            name: StepKey::Footprint,
            inputs: &[StepKey::Crawl],
        }),
        Arc::new(Instant0 {
            name: StepKey::Insights,
            inputs: &[StepKey::Footprint, StepKey::Resolve],
        }),
        Arc::new(Instant0 {
            name: StepKey::Write,
            inputs: &[StepKey::Insights],
        }),
    ];
    let sink = Arc::new(Timing::default());
    let e = engine(&store, stages, 1, sink.clone());
    let total = drain(&e, &sink, runs).await;
    let per_run = sink.runs.lock().unwrap().clone();
    let per_stage: Vec<Duration> = per_run.iter().map(|d| *d / 5).collect();
    let stage_median = median(per_stage);
    report.goal(
        &format!(
            "Orchestration overhead, 5 zero-latency stages (claim, input hash, stage rows, \
             commits, events), {runs} runs, 1 worker"
        ),
        format!(
            "**median {:.2} ms per stage** ({:.2} ms per run), {:.0} runs/s",
            stage_median.as_secs_f64() * 1000.0,
            median(per_run).as_secs_f64() * 1000.0,
            runs as f64 / total.as_secs_f64()
        ),
        "median under 2 ms per stage, commit included",
        stage_median < Duration::from_millis(2),
    );

    // 2. Throughput against a rate limit.
    let runs = 1000;
    let per_minute = 12_000u32;
    let latency = Duration::from_millis(10);
    let (store, _dir) = setup(runs).await;
    let sink = Arc::new(Timing::default());
    let e = engine(
        &store,
        vec![Arc::new(Provider::new(per_minute, latency))],
        4,
        sink.clone(),
    );
    let total = drain(&e, &sink, runs).await;
    // n requests evenly spaced at 60/limit seconds, the last one answering after `latency`.
    let bound = Duration::from_secs(60) / per_minute * (runs as u32 - 1) + latency;
    let over = total.as_secs_f64() / bound.as_secs_f64() - 1.0;
    report.goal(
        &format!(
            "{runs} queued runs, simulated provider with {} ms latency and {per_minute} \
             requests/minute (1 s and 120/minute scaled 100x), 4 workers",
            latency.as_millis()
        ),
        format!(
            "{:.2} s against a bound of {:.2} s (**{:+.1}%**)",
            total.as_secs_f64(),
            bound.as_secs_f64(),
            over * 100.0
        ),
        "within 5% of the bound the rate limit sets",
        over <= 0.05,
    );
}
