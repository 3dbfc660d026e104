//! The engine: workers that claim runs, execute their steps durably and report progress.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leadscout_domain::{
    LeadId, RunChanges, RunEvent, RunId, RunResult, RunStatus, StepKey, Timestamp,
};
use leadscout_store::{ClaimedRun, Store, StoreError, StoredOutput};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::workflow::SEED;
use crate::{Backoff, RunContext, Step, StepError, StepInput, Workflow};

/// Where timestamps come from (the domain's clock, shared with the follow-up reminders); tests
/// inject one that follows tokio's paused clock.
pub use leadscout_domain::{Clock, SystemClock};

/// Receives progress as it happens (the shell forwards it to the UI).
pub trait EventSink: Send + Sync {
    fn emit(&self, event: RunEvent);
}

/// A finished or failed run, for the one notification it deserves.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub run: RunId,
    pub lead: LeadId,
    pub status: RunStatus,
    /// Why it failed, for a failed run.
    pub reason: Option<String>,
    /// Every step output of a succeeded run, by step.
    pub outputs: BTreeMap<StepKey, Value>,
}

/// Delivers the notification for a run's outcome. Called at most once per run.
pub trait Notifier: Send + Sync {
    fn notify(&self, outcome: &Outcome);

    /// A run was put back in the queue to wait (see [`StepError::Deferred`]); implementations
    /// decide how often to tell the user (once a day, say).
    fn paused(&self, _lead: LeadId, _reason: &str) {}
}

/// How a run starts: its starting facts (the `seed` input, part of every root step's input
/// hash) and what its steps share without hashing it (see [`RunContext`]).
pub struct RunStart {
    pub seed: Value,
    pub context: RunContext,
}

impl RunStart {
    /// A start with nothing shared besides the seed.
    pub fn new(seed: Value) -> RunStart {
        RunStart {
            seed,
            context: Arc::new(()),
        }
    }
}

pub type SeedFuture = Pin<Box<dyn Future<Output = Result<RunStart, StepError>> + Send>>;
/// Starts a run of a lead at a time of the engine's clock: reads what the run needs once
/// (e.g. the lead's website and company domain) and makes its seed and context.
pub type SeedFn = Arc<dyn Fn(LeadId, Timestamp) -> SeedFuture + Send + Sync>;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Runs executed at the same time.
    pub workers: usize,
    /// How long a claim lasts without renewal; a crashed worker's runs resume after this.
    pub lease: Duration,
    pub backoff: Backoff,
    /// How often idle workers look for runs another process queued.
    pub idle_poll: Duration,
    /// Identifies this process in leases.
    pub owner: String,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            workers: 4,
            lease: Duration::from_secs(60),
            backoff: Backoff::default(),
            idle_poll: Duration::from_secs(5),
            owner: format!("pid-{}-{}", std::process::id(), fastrand::u32(..)),
        }
    }
}

pub struct Engine {
    store: Store,
    workflow: Arc<Workflow>,
    seed: SeedFn,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventSink>,
    notifier: Arc<dyn Notifier>,
    config: EngineConfig,
    wake: Notify,
    active: Mutex<HashMap<RunId, CancellationToken>>,
    /// While set (the computer is offline) no run is claimed; queued runs wait, and running
    /// ones finish or retry as usual.
    held: std::sync::atomic::AtomicBool,
}

/// How a step ended, from the run's point of view.
enum StageEnd {
    Done(Value),
    Failed(String),
    /// The run waits until then (see [`StepError::Deferred`]).
    Deferred(String, Timestamp),
    /// Cancelled by the user, the lead was deleted, or the lease was lost.
    Stopped,
}

impl Engine {
    pub fn new(
        store: Store,
        workflow: Workflow,
        seed: SeedFn,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventSink>,
        notifier: Arc<dyn Notifier>,
        config: EngineConfig,
    ) -> Arc<Engine> {
        Arc::new(Engine {
            store,
            workflow: Arc::new(workflow),
            seed,
            clock,
            events,
            notifier,
            config,
            wake: Notify::new(),
            active: Mutex::new(HashMap::new()),
            held: std::sync::atomic::AtomicBool::new(false),
        })
    }

    pub fn workflow_name(&self) -> &'static str {
        self.workflow.name()
    }

    /// Tells idle workers that a run was queued.
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    /// Holds new runs while the computer is offline (`true`), or lets them go again.
    pub fn hold(&self, held: bool) {
        let was = self.held.swap(held, std::sync::atomic::Ordering::SeqCst);
        if was && !held {
            tracing::info!("back online: research resumes");
            self.wake();
        } else if held && !was {
            tracing::info!("offline: research waits");
        }
    }

    pub fn is_held(&self) -> bool {
        self.held.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Starts the workers; they stop when `shutdown` fires. Also delivers notifications a
    /// previous process owed (it stopped between finishing a run and notifying).
    pub fn start(self: &Arc<Self>, shutdown: CancellationToken) -> Vec<JoinHandle<()>> {
        let engine = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(err) = engine.notify_pending().await {
                tracing::warn!(error = %err, "could not check for owed notifications");
            }
        });
        (0..self.config.workers.max(1))
            .map(|_| {
                let engine = Arc::clone(self);
                let shutdown = shutdown.clone();
                tokio::spawn(async move { engine.work(shutdown).await })
            })
            .collect()
    }

    async fn work(&self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            let woken = self.wake.notified();
            match self.run_next().await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(err) => tracing::error!(error = %err, "worker could not use the database"),
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = woken => {}
                () = tokio::time::sleep(self.config.idle_poll) => {}
            }
        }
    }

    /// Stops the lead's run: a queued one at once, a running one at its next await point.
    pub async fn cancel(&self, lead: LeadId) -> Result<(), StoreError> {
        if let Some(run) = self.store.cancel_runs_of(lead, self.clock.now()).await? {
            if let Some(token) = self.lock_active().get(&run) {
                token.cancel();
            }
        }
        Ok(())
    }

    fn lock_active(&self) -> std::sync::MutexGuard<'_, HashMap<RunId, CancellationToken>> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.active
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Claims one runnable run and executes it to the end. `None` when nothing is runnable
    /// (or runs are held while offline).
    pub async fn run_next(&self) -> Result<Option<RunId>, StoreError> {
        if self.is_held() {
            return Ok(None);
        }
        let lease_ms = i64::try_from(self.config.lease.as_millis()).unwrap_or(i64::MAX);
        let Some(claimed) = self
            .store
            .claim_run(&self.config.owner, lease_ms, self.clock.now())
            .await?
        else {
            return Ok(None);
        };
        let run = claimed.id;
        let token = CancellationToken::new();
        self.lock_active().insert(run, token.clone());
        let result = self.execute(&claimed, &token).await;
        self.lock_active().remove(&run);
        result.map(|()| Some(run))
    }

    async fn execute(
        &self,
        claimed: &ClaimedRun,
        token: &CancellationToken,
    ) -> Result<(), StoreError> {
        let (run, lead) = (claimed.id, claimed.lead_id);
        let started = Instant::now();
        if claimed.claims > 1 {
            // Resuming after a crash: the attempts the dead worker left open are over.
            self.store
                .interrupt_open_stages(run, self.clock.now())
                .await?;
        }
        self.events.emit(RunEvent::Started {
            run,
            lead,
            claims: claimed.claims,
        });
        // Stops with this future, however it ends: a dropped run must not keep its lease alive.
        let heartbeat = AbortOnDrop(self.heartbeat(run, token.clone()));

        let mut outputs: BTreeMap<StepKey, Value> = BTreeMap::new();
        let mut failure: Option<String> = None;
        let mut stopped = false;
        let mut context: RunContext = Arc::new(());
        match (self.seed)(lead, self.clock.now()).await {
            Ok(start) => {
                outputs.insert(SEED, start.seed);
                context = start.context;
            }
            Err(StepError::Cancelled) => stopped = true,
            Err(err) => failure = Some(err.to_string()),
        }
        let mut done: BTreeSet<StepKey> = BTreeSet::new();
        let mut deferred: Option<(String, Timestamp)> = None;
        while failure.is_none() && !stopped {
            let ready = self.workflow.ready(&done);
            if ready.is_empty() {
                break;
            }
            let ends =
                futures_util::future::join_all(ready.iter().map(|stage| {
                    self.run_stage(claimed, stage.as_ref(), &outputs, &context, token)
                }))
                .await;
            for (stage, end) in ready.iter().zip(ends) {
                match end? {
                    StageEnd::Done(value) => {
                        outputs.insert(stage.key(), value);
                        done.insert(stage.key());
                    }
                    StageEnd::Failed(reason) => {
                        failure.get_or_insert(reason);
                    }
                    StageEnd::Deferred(reason, until) => {
                        deferred.get_or_insert((reason, until));
                    }
                    StageEnd::Stopped => stopped = true,
                }
            }
            if deferred.is_some() {
                break;
            }
        }
        drop(heartbeat);

        let now = self.clock.now();
        let owner = &self.config.owner;
        if stopped || token.is_cancelled() {
            if self.store.run_cancelled(run).await? {
                if self.store.acknowledge_cancel(run, owner, now).await? {
                    self.events.emit(RunEvent::Cancelled {
                        run,
                        lead,
                        result: ended(RunStatus::Cancelled, None, now, RunChanges::default()),
                    });
                }
            } else {
                tracing::warn!(%run, "lease lost; another worker continues the run");
            }
            return Ok(());
        }
        if let (None, Some((reason, until))) = (&failure, &deferred) {
            if self
                .store
                .defer_run(run, owner, *until, reason, now)
                .await?
            {
                tracing::info!(%run, %reason, "research waits");
                self.events.emit(RunEvent::Queued { run, lead });
                self.notifier.paused(lead, reason);
            }
            return Ok(());
        }
        let (status, reason) = match failure {
            Some(reason) => (RunStatus::Failed, Some(reason)),
            None => (RunStatus::Succeeded, None),
        };
        if !self
            .store
            .end_run(run, owner, status, reason.as_deref(), now)
            .await?
        {
            tracing::warn!(%run, "lease lost before the run could be closed");
            return Ok(());
        }
        self.events.emit(match &reason {
            Some(reason) => RunEvent::Failed {
                run,
                lead,
                reason: reason.clone(),
                result: ended(status, Some(reason), now, RunChanges::default()),
            },
            None => RunEvent::Finished {
                run,
                lead,
                duration_ms: millis(started.elapsed()),
                result: ended(status, None, now, self.workflow.changes(&outputs)),
            },
        });
        let outcome = Outcome {
            run,
            lead,
            status,
            reason,
            outputs: if status == RunStatus::Succeeded {
                outputs
            } else {
                BTreeMap::new()
            },
        };
        self.deliver(&outcome).await
    }

    /// Notifies once per run: the claim is a compare-and-set in the database.
    async fn deliver(&self, outcome: &Outcome) -> Result<(), StoreError> {
        if self
            .store
            .claim_notification(outcome.run, self.clock.now())
            .await?
        {
            self.notifier.notify(outcome);
        }
        Ok(())
    }

    async fn notify_pending(&self) -> Result<(), StoreError> {
        for run in self.store.unnotified_runs().await? {
            let outcome = Outcome {
                run: run.id,
                lead: run.lead_id,
                status: run.status,
                reason: run.error,
                outputs: BTreeMap::new(),
            };
            self.deliver(&outcome).await?;
        }
        Ok(())
    }

    /// Renews the lease at a third of its length; a refused renewal (cancel requested, lead
    /// deleted, lease taken over) fires the run's token so its steps stop promptly.
    fn heartbeat(&self, run: RunId, token: CancellationToken) -> JoinHandle<()> {
        let store = self.store.clone();
        let clock = Arc::clone(&self.clock);
        let owner = self.config.owner.clone();
        let lease = self.config.lease;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(lease / 3);
            tick.tick().await;
            loop {
                tokio::select! {
                    () = token.cancelled() => return,
                    _ = tick.tick() => {}
                }
                let now = clock.now();
                match store
                    .renew_lease(run, &owner, Timestamp(now.0 + millis(lease)), now)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => {
                        token.cancel();
                        return;
                    }
                    Err(err) => tracing::warn!(%run, error = %err, "could not renew the lease"),
                }
            }
        })
    }

    async fn run_stage(
        &self,
        claimed: &ClaimedRun,
        stage: &dyn Step,
        outputs: &BTreeMap<StepKey, Value>,
        context: &RunContext,
        token: &CancellationToken,
    ) -> Result<StageEnd, StoreError> {
        let (run, lead, name) = (claimed.id, claimed.lead_id, stage.key());
        let inputs: BTreeMap<StepKey, Value> = stage
            .inputs()
            .iter()
            .map(|i| (*i, outputs.get(i).cloned().unwrap_or(Value::Null)))
            .collect();
        let hash = input_hash(name, stage.version(), &inputs);

        // Resuming: this run already committed the step.
        if let Some(stored) = self.store.committed_output(run, name, &hash).await? {
            return Ok(self.reused(run, lead, name, &stored, false));
        }
        if !claimed.forced && stage.reusable() {
            let reusable = self
                .store
                .reusable_output(run, name, &hash)
                .await?
                .filter(|stored| {
                    stage.reuses(&serde_json::from_str(&stored.output).unwrap_or(Value::Null))
                });
            if let Some(stored) = reusable {
                self.store
                    .reuse_stage(run, name, &hash, &stored, self.clock.now())
                    .await?;
                return Ok(self.reused(run, lead, name, &stored, true));
            }
        }

        let backoff = self.config.backoff;
        let first = self.store.stage_attempts(run, name).await? + 1;
        let mut tries: u32 = 0;
        loop {
            tries += 1;
            let attempt = first + i64::from(tries) - 1;
            if token.is_cancelled() {
                return Ok(StageEnd::Stopped);
            }
            self.events.emit(RunEvent::StepStarted {
                run,
                lead,
                step: name,
                attempt,
            });
            let id = self
                .store
                .start_stage(run, name, attempt, &hash, self.clock.now())
                .await?;
            let started = Instant::now();
            let input = StepInput {
                run,
                lead,
                attempt,
                last_try: tries >= backoff.max_attempts,
                inputs: inputs.clone(),
                cancel: token.child_token(),
                clock: Arc::clone(&self.clock),
                context: Arc::clone(context),
            };
            let result = tokio::select! {
                result = stage.run(input) => result,
                () = token.cancelled() => Err(StepError::Cancelled),
            };
            match result {
                Ok(output) => {
                    let json = serde_json::to_string(&output.value)
                        .map_err(|e| StoreError::Corrupt(format!("{name} output: {e}")))?;
                    self.store
                        .finish_stage(id, &json, &output.meta, self.clock.now())
                        .await?;
                    self.events.emit(RunEvent::StepFinished {
                        run,
                        lead,
                        step: name,
                        duration_ms: millis(started.elapsed()),
                        reused: false,
                    });
                    return Ok(StageEnd::Done(output.value));
                }
                Err(StepError::Cancelled) => {
                    self.store
                        .fail_stage(id, "cancelled", "cancelled", self.clock.now())
                        .await?;
                    return Ok(StageEnd::Stopped);
                }
                Err(StepError::Deferred { message, until }) => {
                    self.store
                        .fail_stage(id, "deferred", &message, self.clock.now())
                        .await?;
                    return Ok(StageEnd::Deferred(message, until));
                }
                Err(StepError::Permanent { message }) => {
                    self.store
                        .fail_stage(id, "permanent", &message, self.clock.now())
                        .await?;
                    self.stage_failed(run, lead, name, &message, None);
                    return Ok(StageEnd::Failed(message));
                }
                Err(StepError::Transient {
                    message,
                    retry_after,
                }) => {
                    self.store
                        .fail_stage(id, "transient", &message, self.clock.now())
                        .await?;
                    if tries >= backoff.max_attempts {
                        self.stage_failed(run, lead, name, &message, None);
                        return Ok(StageEnd::Failed(format!(
                            "{message} (gave up after {tries} attempts)"
                        )));
                    }
                    let delay = backoff.delay(tries + 1, retry_after, fastrand::f64());
                    self.stage_failed(run, lead, name, &message, Some(delay));
                    // Keep the lease for the whole wait, so no other worker takes the run over.
                    let now = self.clock.now();
                    let until = Timestamp(now.0 + millis(delay + self.config.lease));
                    if !self
                        .store
                        .renew_lease(run, &self.config.owner, until, now)
                        .await?
                    {
                        return Ok(StageEnd::Stopped);
                    }
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        () = token.cancelled() => return Ok(StageEnd::Stopped),
                    }
                }
            }
        }
    }

    fn reused(
        &self,
        run: RunId,
        lead: LeadId,
        name: StepKey,
        stored: &StoredOutput,
        from_other_run: bool,
    ) -> StageEnd {
        self.events.emit(RunEvent::StepFinished {
            run,
            lead,
            step: name,
            duration_ms: 0,
            reused: from_other_run,
        });
        // Stored outputs were written by `serde_json::to_string`; a hand-edited database could
        // break that, and then the step simply counts as producing null.
        StageEnd::Done(serde_json::from_str(&stored.output).unwrap_or(Value::Null))
    }

    fn stage_failed(
        &self,
        run: RunId,
        lead: LeadId,
        step: StepKey,
        error: &str,
        retry_in: Option<Duration>,
    ) {
        self.events.emit(RunEvent::StepFailed {
            run,
            lead,
            step,
            error: error.to_owned(),
            retry_in_ms: retry_in.map(millis),
        });
    }
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The summary a run's last event carries.
fn ended(status: RunStatus, error: Option<&str>, now: Timestamp, changes: RunChanges) -> RunResult {
    RunResult {
        status,
        error: error.map(str::to_owned),
        finished_at: now,
        fit_score: changes.card.as_ref().and_then(|c| c.fit_score),
        card: changes.card,
        changed: changes.changed,
    }
}

/// A stable hash of what a step computes from: its key, version and inputs. Inputs are the
/// outputs of earlier steps as committed, so equal inputs serialise to equal bytes. Keys are
/// hashed as their stored text in text order, as when they were strings, so outputs stored
/// before the keys were typed are still found.
fn input_hash(step: StepKey, version: u32, inputs: &BTreeMap<StepKey, Value>) -> String {
    let by_text: BTreeMap<&str, &Value> = inputs.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut hasher = Sha256::new();
    hasher.update(step.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(version.to_le_bytes());
    hasher.update(serde_json::to_vec(&by_text).unwrap_or_default());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
