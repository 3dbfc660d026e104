//! The engine with scripted steps against a real SQLite file: retries, backoff, Retry-After,
//! cancellation, resume after a crash, reuse of unchanged steps and exactly-once effects.
//! Durations are scaled down to milliseconds. Assertions on time are lower bounds (a sleep never
//! ends early) or generous upper bounds, so no test depends on scheduling luck. (tokio's paused
//! clock cannot be used: it jumps ahead while sqlx waits on its SQLite thread, which times out
//! the connection pool.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leadscout_domain::{
    ActivityKind, LeadId, NewLead, RunEvent, RunId, RunStatus, RunTrigger, StepKey, Timestamp,
};
use leadscout_store::{Store, DATABASE_FILE};
use leadscout_workflow::{
    Backoff, Clock, Engine, EngineConfig, EventSink, Notifier, Outcome, RunStart, Step, StepError,
    StepInput, StepOutput, SystemClock, Workflow, WorkflowError,
};
use serde_json::{json, Value};
use tokio::time::Instant;

const WORKFLOW: &str = "test-research";

const LEASE: Duration = Duration::from_millis(600);

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<RunEvent>>,
    outcomes: Mutex<Vec<Outcome>>,
}

impl EventSink for Recorder {
    fn emit(&self, event: RunEvent) {
        self.events.lock().unwrap().push(event);
    }
}

impl Notifier for Recorder {
    fn notify(&self, outcome: &Outcome) {
        self.outcomes.lock().unwrap().push(outcome.clone());
    }
}

impl Recorder {
    fn kinds(&self) -> Vec<String> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .map(|e| match e {
                RunEvent::Queued { .. } => "queued".to_owned(),
                RunEvent::Started { .. } => "started".to_owned(),
                RunEvent::StepStarted { step, .. } => format!("{step}:start"),
                RunEvent::StepFinished { step, reused, .. } => {
                    format!("{step}:{}", if *reused { "reused" } else { "done" })
                }
                RunEvent::StepFailed {
                    step, retry_in_ms, ..
                } => {
                    format!(
                        "{step}:failed{}",
                        if retry_in_ms.is_some() { "+retry" } else { "" }
                    )
                }
                RunEvent::Finished { .. } => "finished".to_owned(),
                RunEvent::Failed { .. } => "failed".to_owned(),
                RunEvent::Cancelled { .. } => "cancelled".to_owned(),
            })
            .collect()
    }
}

type Script = Arc<Mutex<VecDeque<Result<Value, StepError>>>>;

/// A step that answers from a script (then succeeds with its name), counts its calls and
/// records when each attempt started.
struct Scripted {
    name: StepKey,
    inputs: &'static [StepKey],
    script: Script,
    calls: Arc<AtomicUsize>,
    started: Arc<Mutex<Vec<Instant>>>,
    /// Waits for this many concurrent starters before answering (proves concurrency).
    barrier: Option<Arc<tokio::sync::Barrier>>,
    /// Never answers until cancelled.
    hang: bool,
}

impl Scripted {
    fn new(name: StepKey, inputs: &'static [StepKey]) -> Scripted {
        Scripted {
            name,
            inputs,
            script: Arc::default(),
            calls: Arc::default(),
            started: Arc::default(),
            barrier: None,
            hang: false,
        }
    }

    fn then(self, result: Result<Value, StepError>) -> Scripted {
        self.script.lock().unwrap().push_back(result);
        self
    }
}

impl Step for Scripted {
    fn key(&self) -> StepKey {
        self.name
    }

    fn inputs(&self) -> &'static [StepKey] {
        self.inputs
    }

    fn run(&self, input: StepInput) -> leadscout_workflow::StepFuture<'_> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.started.lock().unwrap().push(Instant::now());
            if let Some(barrier) = &self.barrier {
                barrier.wait().await;
            }
            if self.hang {
                input.cancel.cancelled().await;
                return Err(StepError::Cancelled);
            }
            let scripted = self.script.lock().unwrap().pop_front();
            match scripted {
                Some(Ok(value)) => Ok(StepOutput::new(value)),
                Some(Err(err)) => Err(err),
                None => Ok(StepOutput::new(
                    json!({ "stage": self.name, "inputs": input.inputs }),
                )),
            }
        })
    }
}

struct Harness {
    store: Store,
    recorder: Arc<Recorder>,
    clock: Arc<SystemClock>,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
        Harness {
            store,
            recorder: Arc::default(),
            clock: Arc::new(SystemClock),
            _dir: dir,
        }
    }

    fn engine(&self, stages: Vec<Arc<dyn Step>>, owner: &str) -> Arc<Engine> {
        self.engine_of(Workflow::new(WORKFLOW, stages).unwrap(), owner)
    }

    fn engine_of(&self, workflow: Workflow, owner: &str) -> Arc<Engine> {
        let store = self.store.clone();
        Engine::new(
            self.store.clone(),
            workflow,
            Arc::new(move |lead: LeadId, _now: Timestamp| {
                let store = store.clone();
                Box::pin(async move {
                    let lead = store
                        .lead(lead)
                        .await
                        .ok()
                        .flatten()
                        .ok_or(StepError::Cancelled)?;
                    Ok(RunStart::new(json!({ "website": lead.website })))
                })
            }),
            self.clock.clone(),
            self.recorder.clone(),
            self.recorder.clone(),
            EngineConfig {
                workers: 2,
                lease: LEASE,
                backoff: Backoff {
                    base: Duration::from_millis(40),
                    max: Duration::from_millis(1000),
                    max_attempts: 4,
                },
                idle_poll: Duration::from_millis(50),
                owner: owner.to_owned(),
            },
        )
    }

    async fn lead(&self, website: &str) -> LeadId {
        let draft = NewLead {
            full_name: "Ada Lovelace".into(),
            website: Some(website.into()),
            ..NewLead::default()
        }
        .validate()
        .unwrap();
        self.store
            .create_lead(&draft, self.clock.now())
            .await
            .unwrap()
            .id
    }

    async fn enqueue(&self, lead: LeadId, trigger: RunTrigger) -> RunId {
        self.store
            .enqueue_run(lead, WORKFLOW, trigger, self.clock.now())
            .await
            .unwrap()
    }

    async fn status(&self, lead: LeadId) -> (RunStatus, Option<String>) {
        let runs = self.store.latest_runs(Some(lead)).await.unwrap();
        (runs[0].status, runs[0].error.clone())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_stages_run_together_and_outputs_flow_to_dependants() {
    let h = Harness::new().await;
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let mut a = Scripted::new(StepKey::Resolve, &[StepKey::Seed]);
    a.barrier = Some(barrier.clone());
    let mut b = Scripted::new(StepKey::Context, &[StepKey::Seed]);
    b.barrier = Some(barrier);
    let c = Scripted::new(StepKey::Profile, &[StepKey::Resolve, StepKey::Context]);
    let engine = h.engine(vec![Arc::new(a), Arc::new(b), Arc::new(c)], "w1");
    let lead = h.lead("acme.com").await;
    let run = h.enqueue(lead, RunTrigger::Created).await;
    assert_eq!(
        h.enqueue(lead, RunTrigger::Manual).await,
        run,
        "one live run per lead"
    );

    // If a and b ran one after the other, the barrier would never open and this would hang.
    let ran = tokio::time::timeout(Duration::from_secs(60), engine.run_next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ran, Some(run));
    assert_eq!(h.status(lead).await, (RunStatus::Succeeded, None));
    let kinds = h.recorder.kinds();
    assert_eq!(kinds[0], "started");
    assert_eq!(&kinds[1..3], ["resolve:start", "context:start"]);
    assert_eq!(kinds.last().unwrap(), "finished");
    let outcomes = h.recorder.outcomes.lock().unwrap().clone();
    assert_eq!(outcomes.len(), 1);
    let c_out = &outcomes[0].outputs[&StepKey::Profile];
    assert_eq!(
        c_out["inputs"]["resolve"]["inputs"]["seed"]["website"],
        "https://acme.com/"
    );
    assert_eq!(c_out["inputs"]["context"]["stage"], "context");
    assert_eq!(
        engine.run_next().await.unwrap(),
        None,
        "nothing left to run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_with_backoff_and_retry_after_is_honoured() {
    let h = Harness::new().await;
    let stage = Scripted::new(StepKey::Crawl, &[StepKey::Seed])
        .then(Err(StepError::transient("connection reset")))
        .then(Err(StepError::Transient {
            message: "429 Too Many Requests".into(),
            retry_after: Some(Duration::from_millis(370)),
        }))
        .then(Err(StepError::transient("timed out")));
    let started = stage.started.clone();
    let engine = h.engine(vec![Arc::new(stage)], "w1");
    let lead = h.lead("acme.com").await;
    h.enqueue(lead, RunTrigger::Created).await;
    engine.run_next().await.unwrap();

    assert_eq!(h.status(lead).await, (RunStatus::Succeeded, None));
    let t = started.lock().unwrap().clone();
    assert_eq!(t.len(), 4);
    let gaps: Vec<Duration> = t.windows(2).map(|w| w[1] - w[0]).collect();
    // Equal jitter: the n-th retry waits at least half of base * 2^(n-1) (the exact spread is
    // unit-tested in backoff.rs); the server's Retry-After replaces the computed delay.
    assert!(gaps[0] >= Duration::from_millis(20), "{gaps:?}");
    assert!(gaps[1] >= Duration::from_millis(370), "{gaps:?}");
    assert!(gaps[2] >= Duration::from_millis(80), "{gaps:?}");
    assert!(
        gaps.iter().all(|g| *g < Duration::from_secs(20)),
        "{gaps:?}"
    );
    let failed = h
        .recorder
        .kinds()
        .iter()
        .filter(|k| *k == "crawl:failed+retry")
        .count();
    assert_eq!(failed, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stage_that_keeps_failing_fails_the_run_once_with_a_readable_reason() {
    let h = Harness::new().await;
    let mut flaky = Scripted::new(StepKey::Crawl, &[StepKey::Seed]);
    for _ in 0..10 {
        flaky = flaky.then(Err(StepError::transient(
            "the website did not answer within 15 s",
        )));
    }
    let calls = flaky.calls.clone();
    let later = Scripted::new(StepKey::Profile, &[StepKey::Crawl]);
    let later_calls = later.calls.clone();
    let engine = h.engine(vec![Arc::new(flaky), Arc::new(later)], "w1");
    let lead = h.lead("acme.com").await;
    h.enqueue(lead, RunTrigger::Created).await;
    engine.run_next().await.unwrap();

    assert_eq!(calls.load(Ordering::SeqCst), 4, "max_attempts");
    assert_eq!(later_calls.load(Ordering::SeqCst), 0);
    let (status, reason) = h.status(lead).await;
    assert_eq!(status, RunStatus::Failed);
    assert_eq!(
        reason.as_deref(),
        Some("the website did not answer within 15 s (gave up after 4 attempts)")
    );
    let outcomes = h.recorder.outcomes.lock().unwrap().clone();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].reason, reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_that_ends_a_run_carries_its_summary() {
    let h = Harness::new().await;
    let card = json!({
        "id": 1, "fullName": "Ada Lovelace", "title": null, "email": null,
        "companyName": "Acme", "website": "https://acme.com/", "stageId": 1, "dealValue": null,
        "currency": "EUR", "nextStep": null, "nextStepDue": null, "tags": [], "fitScore": 72,
        "lastContactedAt": null
    });
    let write = Scripted::new(StepKey::Write, &[StepKey::Crawl]).then(Ok(
        json!({ "card": card, "changed": ["companyName", "fitScore"] }),
    ));
    let workflow = Workflow::new(
        WORKFLOW,
        vec![
            Arc::new(Scripted::new(StepKey::Crawl, &[StepKey::Seed])),
            Arc::new(write),
        ],
    )
    .unwrap()
    .with_changes(Arc::new(|outputs| {
        serde_json::from_value(outputs[&StepKey::Write].clone()).unwrap()
    }));
    let engine = h.engine_of(workflow, "w1");
    let lead = h.lead("acme.com").await;
    h.enqueue(lead, RunTrigger::Created).await;
    engine.run_next().await.unwrap();
    let events = h.recorder.events.lock().unwrap().clone();
    let Some(RunEvent::Finished { result, .. }) = events.last() else {
        panic!("the run did not finish: {events:?}");
    };
    assert_eq!(result.status, RunStatus::Succeeded);
    assert_eq!(result.error, None);
    assert_eq!(result.fit_score, Some(72));
    assert_eq!(result.changed, ["companyName", "fitScore"]);
    let shown = result.card.as_ref().unwrap();
    assert_eq!(shown.company_name.as_deref(), Some("Acme"));
    let stored = h.store.latest_runs(Some(lead)).await.unwrap().remove(0);
    assert_eq!(Some(result.finished_at), stored.finished_at);

    // A failed run says why and changed nothing.
    let failing = Scripted::new(StepKey::Crawl, &[StepKey::Seed])
        .then(Err(StepError::permanent("robots.txt says no")));
    let engine = h.engine(vec![Arc::new(failing)], "w2");
    let other = h.lead("globex.com").await;
    h.enqueue(other, RunTrigger::Created).await;
    engine.run_next().await.unwrap();
    let events = h.recorder.events.lock().unwrap().clone();
    let Some(RunEvent::Failed { result, .. }) = events.last() else {
        panic!("the run did not fail: {events:?}");
    };
    assert_eq!(result.status, RunStatus::Failed);
    assert_eq!(result.error.as_deref(), Some("robots.txt says no"));
    assert_eq!((result.card.as_ref(), result.changed.len()), (None, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_failure_is_not_retried() {
    let h = Harness::new().await;
    let stage = Scripted::new(StepKey::Crawl, &[StepKey::Seed]).then(Err(StepError::permanent(
        "The website's robots.txt does not allow reading it.",
    )));
    let calls = stage.calls.clone();
    let engine = h.engine(vec![Arc::new(stage)], "w1");
    let lead = h.lead("acme.com").await;
    h.enqueue(lead, RunTrigger::Created).await;
    engine.run_next().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        h.status(lead).await.1.as_deref(),
        Some("The website's robots.txt does not allow reading it.")
    );
    assert_eq!(h.recorder.kinds().last().unwrap(), "failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_or_deleting_the_lead_stops_a_running_stage() {
    let h = Harness::new().await;
    let mut stage = Scripted::new(StepKey::Crawl, &[StepKey::Seed]);
    stage.hang = true;
    let engine = h.engine(vec![Arc::new(stage)], "w1");

    // Cancel from the app: immediate.
    let lead = h.lead("acme.com").await;
    h.enqueue(lead, RunTrigger::Created).await;
    let worker = tokio::spawn({
        let engine = engine.clone();
        async move { engine.run_next().await }
    });
    while !h.recorder.kinds().contains(&"crawl:start".to_owned()) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    engine.cancel(lead).await.unwrap();
    // The step hangs until cancelled, and the lease would outlive this wait by far if the
    // cancel token did not fire at once.
    tokio::time::timeout(Duration::from_secs(60), worker)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(h.status(lead).await.0, RunStatus::Cancelled);
    assert_eq!(h.recorder.kinds().last().unwrap(), "cancelled");

    // Deleting the lead (from anywhere): noticed at the next lease renewal.
    let other = h.lead("globex.com").await;
    h.enqueue(other, RunTrigger::Created).await;
    let worker = tokio::spawn({
        let engine = engine.clone();
        async move { engine.run_next().await }
    });
    while h
        .recorder
        .kinds()
        .iter()
        .filter(|k| *k == "crawl:start")
        .count()
        < 2
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    h.store.delete_lead(other, h.clock.now()).await.unwrap();
    // Noticed by the next lease renewal, every third of the lease.
    tokio::time::timeout(Duration::from_secs(60), worker)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(h.recorder.kinds().last().unwrap(), "cancelled");
    assert!(
        h.recorder.outcomes.lock().unwrap().is_empty(),
        "a cancelled run is not notified"
    );

    // A queued run of a cancelled lead is never claimed.
    let third = h.lead("initech.com").await;
    h.enqueue(third, RunTrigger::Created).await;
    engine.cancel(third).await.unwrap();
    assert_eq!(engine.run_next().await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_run_resumes_from_its_last_committed_stage_and_applies_its_effect_once() {
    let h = Harness::new().await;
    let effects = Arc::new(AtomicUsize::new(0));

    /// Writes the run's timeline entry (the exactly-once effect), then maybe hangs: a crash
    /// between the effect and the step's commit.
    struct WriteBack {
        store: Store,
        hang: bool,
        effects: Arc<AtomicUsize>,
    }
    impl Step for WriteBack {
        fn key(&self) -> StepKey {
            StepKey::Write
        }
        fn inputs(&self) -> &'static [StepKey] {
            &[StepKey::Crawl]
        }
        fn run(&self, input: StepInput) -> leadscout_workflow::StepFuture<'_> {
            Box::pin(async move {
                let wrote = self
                    .store
                    .record_run_result(input.run, "Research finished", Timestamp::now())
                    .await
                    .map_err(|e| StepError::transient(e.to_string()))?;
                if wrote {
                    self.effects.fetch_add(1, Ordering::SeqCst);
                }
                if self.hang {
                    std::future::pending::<()>().await;
                }
                Ok(StepOutput::new(json!({ "wrote": wrote })))
            })
        }
    }

    let crawl_1 = Scripted::new(StepKey::Crawl, &[StepKey::Seed]);
    let crawl_calls_1 = crawl_1.calls.clone();
    let first = h.engine(
        vec![
            Arc::new(crawl_1),
            Arc::new(WriteBack {
                store: h.store.clone(),
                hang: true,
                effects: effects.clone(),
            }),
        ],
        "process-1",
    );
    let lead = h.lead("acme.com").await;
    h.enqueue(lead, RunTrigger::Created).await;
    let crashed = tokio::spawn({
        let first = first.clone();
        async move { first.run_next().await }
    });
    while effects.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    crashed.abort(); // the process dies: no cleanup, the lease stays
    let _ = crashed.await;
    assert_eq!(crawl_calls_1.load(Ordering::SeqCst), 1);

    let crawl_2 = Scripted::new(StepKey::Crawl, &[StepKey::Seed]);
    let crawl_calls_2 = crawl_2.calls.clone();
    let second = h.engine(
        vec![
            Arc::new(crawl_2),
            Arc::new(WriteBack {
                store: h.store.clone(),
                hang: false,
                effects: effects.clone(),
            }),
        ],
        "process-2",
    );
    assert_eq!(
        second.run_next().await.unwrap(),
        None,
        "the lease still holds"
    );
    tokio::time::sleep(LEASE + Duration::from_millis(100)).await;
    assert!(
        second.run_next().await.unwrap().is_some(),
        "the expired lease is taken over"
    );

    assert_eq!(
        crawl_calls_2.load(Ordering::SeqCst),
        0,
        "crawl was committed before the crash"
    );
    assert_eq!(
        effects.load(Ordering::SeqCst),
        1,
        "the effect happened once"
    );
    let research: Vec<_> = h
        .store
        .activities(lead)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == ActivityKind::Research)
        .collect();
    assert_eq!(research.len(), 1);
    assert_eq!(h.status(lead).await.0, RunStatus::Succeeded);
    let started: Vec<i64> = h
        .recorder
        .events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            RunEvent::Started { claims, .. } => Some(*claims),
            _ => None,
        })
        .collect();
    assert_eq!(started, [1, 2]);
    assert_eq!(
        h.recorder.outcomes.lock().unwrap().len(),
        1,
        "notified once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_inputs_are_not_recomputed_unless_the_run_is_forced() {
    let h = Harness::new().await;
    let crawl = Scripted::new(StepKey::Crawl, &[StepKey::Seed]);
    let calls = crawl.calls.clone();
    let engine = h.engine(vec![Arc::new(crawl)], "w1");
    let ada = h.lead("acme.com").await;
    h.enqueue(ada, RunTrigger::Created).await;
    engine.run_next().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    h.enqueue(ada, RunTrigger::Manual).await;
    engine.run_next().await.unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "same website, same inputs: reused"
    );
    assert!(h.recorder.kinds().contains(&"crawl:reused".to_owned()));

    h.enqueue(ada, RunTrigger::Rerun).await;
    engine.run_next().await.unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "a forced re-run recomputes"
    );

    let other = h.lead("globex.com").await;
    h.enqueue(other, RunTrigger::Created).await;
    engine.run_next().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3, "different inputs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_drain_the_queue_and_owed_notifications_are_delivered_on_start() {
    let h = Harness::new().await;
    let engine = h.engine(
        vec![Arc::new(Scripted::new(StepKey::Crawl, &[StepKey::Seed]))],
        "w1",
    );
    let mut leads = Vec::new();
    for i in 0..5 {
        let lead = h.lead(&format!("company{i}.example")).await;
        h.enqueue(lead, RunTrigger::Created).await;
        leads.push(lead);
    }
    let shutdown = tokio_util::sync::CancellationToken::new();
    let workers = engine.start(shutdown.clone());
    while h.recorder.outcomes.lock().unwrap().len() < 5 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    shutdown.cancel();
    for w in workers {
        w.await.unwrap();
    }
    for lead in leads {
        assert_eq!(h.status(lead).await.0, RunStatus::Succeeded);
    }

    // A run that ended without its notification (the app stopped in between) gets it on start.
    let lead = h.lead("late.example").await;
    let run = h.enqueue(lead, RunTrigger::Created).await;
    let claimed = h
        .store
        .claim_run("gone", 1000, h.clock.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, run);
    h.store
        .end_run(run, "gone", RunStatus::Succeeded, None, h.clock.now())
        .await
        .unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let workers = engine.start(shutdown.clone());
    while h.recorder.outcomes.lock().unwrap().len() < 6 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    shutdown.cancel();
    for w in workers {
        w.await.unwrap();
    }
    assert_eq!(h.recorder.outcomes.lock().unwrap().last().unwrap().run, run);
}

#[test]
fn workflows_with_missing_inputs_duplicates_or_cycles_are_refused() {
    let stage = |name, inputs| -> Arc<dyn Step> { Arc::new(Scripted::new(name, inputs)) };
    assert!(matches!(
        Workflow::new(
            "w",
            vec![
                stage(StepKey::Resolve, &[StepKey::Seed]),
                stage(StepKey::Resolve, &[StepKey::Seed])
            ]
        ),
        Err(WorkflowError::Duplicate(_))
    ));
    assert!(matches!(
        Workflow::new("w", vec![stage(StepKey::Resolve, &[StepKey::Insights])]),
        Err(WorkflowError::UnknownInput { .. })
    ));
    assert!(matches!(
        Workflow::new("w", vec![stage(StepKey::Resolve, &[StepKey::Context]), stage(StepKey::Context, &[StepKey::Resolve]), stage(StepKey::Profile, &[StepKey::Seed])]),
        Err(WorkflowError::Cycle(keys)) if keys == [StepKey::Resolve, StepKey::Context]
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_offline_queued_runs_wait_and_go_when_the_network_is_back() {
    let h = Harness::new().await;
    let stage = Scripted::new(StepKey::Crawl, &[StepKey::Seed]).then(Ok(json!({ "ok": true })));
    let calls = stage.calls.clone();
    let engine = h.engine(vec![Arc::new(stage)], "w1");
    engine.hold(true);
    let lead = h.lead("acme.com").await;
    h.enqueue(lead, RunTrigger::Created).await;
    assert_eq!(engine.run_next().await.unwrap(), None);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(
        h.status(lead).await.0,
        RunStatus::Queued,
        "the run is kept, not failed"
    );
    engine.hold(false);
    assert!(engine.run_next().await.unwrap().is_some());
    assert_eq!(h.status(lead).await.0, RunStatus::Succeeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_stage_puts_the_run_back_in_the_queue_until_its_time() {
    let h = Harness::new().await;
    let until = Timestamp(Timestamp::now().0 + 3_600_000);
    let first = Scripted::new(StepKey::Crawl, &[StepKey::Seed]).then(Ok(json!({ "page": 1 })));
    let first_calls = first.calls.clone();
    let second = Scripted::new(StepKey::Insights, &[StepKey::Crawl])
        .then(Err(StepError::Deferred {
            message: "Waiting: today's model budget is spent.".into(),
            until,
        }))
        .then(Ok(json!({ "fit": 70 })));
    let engine = h.engine(vec![Arc::new(first), Arc::new(second)], "w1");
    let lead = h.lead("acme.com").await;
    let run = h.enqueue(lead, RunTrigger::Created).await;
    assert_eq!(engine.run_next().await.unwrap(), Some(run));
    assert_eq!(
        h.status(lead).await,
        (
            RunStatus::Queued,
            Some("Waiting: today's model budget is spent.".into())
        )
    );
    assert!(
        h.recorder.outcomes.lock().unwrap().is_empty(),
        "not over, not notified"
    );
    assert_eq!(
        engine.run_next().await.unwrap(),
        None,
        "not before its time"
    );
    assert_eq!(
        h.store.wake_waiting_runs(Timestamp::now()).await.unwrap(),
        1
    );
    assert_eq!(engine.run_next().await.unwrap(), Some(run));
    assert_eq!(h.status(lead).await.0, RunStatus::Succeeded);
    assert_eq!(
        first_calls.load(Ordering::SeqCst),
        1,
        "what was committed is kept"
    );
    assert_eq!(h.recorder.outcomes.lock().unwrap().len(), 1);
}
