//! Durable runs: enqueueing, claiming with leases, stage attempts and their outputs, and the
//! markers that make a run's effects happen once.

use leadscout_domain::{
    LeadId, RunId, RunStatus, RunSummary, RunTrigger, StageRunId, StepKey, Timestamp,
};
use sqlx::{Sqlite, Transaction};

use crate::{Store, StoreError};

/// A run a worker has claimed: it holds the lease until `lease_expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedRun {
    pub id: RunId,
    pub lead_id: LeadId,
    pub workflow: String,
    pub trigger: RunTrigger,
    pub forced: bool,
    /// 1 on the first claim; more when the run resumes after a crash or an expired lease.
    pub claims: i64,
    pub lease_expires_at: Timestamp,
}

/// A stage output committed earlier, found by its input hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOutput {
    pub stage_run: StageRunId,
    pub output: String,
}

/// What a finished stage attempt reports besides its output.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageMeta {
    pub prompt_id: Option<String>,
    pub prompt_version: Option<String>,
    pub model: Option<String>,
    pub tokens_in: Option<i64>,
    pub tokens_out: Option<i64>,
    pub tokens_cached: Option<i64>,
    pub cost_usd: Option<f64>,
}

/// Adds a queued run for the lead unless one is already queued or running (then returns it; a
/// forced request upgrades a queued run to forced). Used inside the transaction that creates or
/// changes the lead, so a lead never exists without its run, nor a run without its lead.
pub(crate) async fn enqueue_in(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    workflow: &str,
    trigger: RunTrigger,
    now: Timestamp,
) -> Result<RunId, StoreError> {
    let live: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM runs WHERE lead_id = ? AND workflow = ? AND status IN ('queued', 'running')",
    )
    .bind(lead.0)
    .bind(workflow)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = live {
        if trigger.is_forced() {
            sqlx::query(
                "UPDATE runs SET forced = 1, updated_at = ? WHERE id = ? AND status = 'queued'",
            )
            .bind(now.0)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        return Ok(RunId(id));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO runs (lead_id, workflow, trigger, forced, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(lead.0)
    .bind(workflow)
    .bind(trigger.as_str())
    .bind(i64::from(trigger.is_forced()))
    .bind(now.0)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(RunId(id))
}

/// Sets the run's `applied_at` marker inside the transaction that makes its effect; `false`
/// when an earlier attempt already made it (then the caller writes nothing).
pub(crate) async fn claim_effect(
    tx: &mut Transaction<'_, Sqlite>,
    run: RunId,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let claimed = sqlx::query("UPDATE runs SET applied_at = ? WHERE id = ? AND applied_at IS NULL")
        .bind(now.0)
        .bind(run.0)
        .execute(&mut **tx)
        .await?;
    Ok(claimed.rows_affected() == 1)
}

/// The run's `research` entry on its lead's timeline.
pub(crate) async fn research_entry(
    tx: &mut Transaction<'_, Sqlite>,
    run: RunId,
    body: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO activities (lead_id, kind, body, occurred_at, created_at) \
         SELECT lead_id, 'research', ?, ?, ? FROM runs WHERE id = ?",
    )
    .bind(body)
    .bind(now.0)
    .bind(now.0)
    .bind(run.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: i64,
    lead_id: i64,
    workflow: String,
    trigger: String,
    forced: i64,
    claims: i64,
    lease_expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    lead_id: i64,
    status: String,
    trigger: String,
    stage: Option<String>,
    error: Option<String>,
    created_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<SummaryRow> for RunSummary {
    type Error = StoreError;

    fn try_from(row: SummaryRow) -> Result<Self, StoreError> {
        let corrupt = || {
            StoreError::Corrupt(format!(
                "run {} has an unknown status, trigger or step",
                row.id
            ))
        };
        Ok(RunSummary {
            id: RunId(row.id),
            lead_id: LeadId(row.lead_id),
            status: RunStatus::parse(&row.status).ok_or_else(corrupt)?,
            trigger: RunTrigger::parse(&row.trigger).ok_or_else(corrupt)?,
            step: match row.stage.as_deref() {
                Some(text) => Some(StepKey::parse(text).ok_or_else(corrupt)?),
                None => None,
            },
            error: row.error,
            created_at: Timestamp(row.created_at),
            finished_at: row.finished_at.map(Timestamp),
        })
    }
}

impl Store {
    /// Queues a run for a lead (see [`enqueue_in`]); `LeadNotFound` for a deleted lead.
    #[tracing::instrument(skip(self))]
    pub async fn enqueue_run(
        &self,
        lead: LeadId,
        workflow: &str,
        trigger: RunTrigger,
        now: Timestamp,
    ) -> Result<RunId, StoreError> {
        let mut tx = self.write().await?;
        crate::leads::lead_in(&mut tx, lead).await?;
        let id = enqueue_in(&mut tx, lead, workflow, trigger, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims the oldest runnable run: queued and past its backoff, or running with an expired
    /// lease (its worker died). Cancelled-while-queued runs are never claimed.
    #[tracing::instrument(skip(self))]
    pub async fn claim_run(
        &self,
        owner: &str,
        lease_ms: i64,
        now: Timestamp,
    ) -> Result<Option<ClaimedRun>, StoreError> {
        let row: Option<ClaimRow> = sqlx::query_as(
            "UPDATE runs SET status = 'running', lease_owner = ?1, lease_expires_at = ?2 + ?3, \
               claims = claims + 1, started_at = coalesce(started_at, ?2), updated_at = ?2 \
             WHERE id = ( \
               SELECT r.id FROM runs r JOIN leads l ON l.id = r.lead_id \
               WHERE l.deleted_at IS NULL AND r.cancel_requested_at IS NULL AND ( \
                 (r.status = 'queued' AND r.not_before <= ?2) \
                 OR (r.status = 'running' AND r.lease_expires_at < ?2)) \
               ORDER BY r.not_before, r.id LIMIT 1) \
             RETURNING id, lead_id, workflow, trigger, forced, claims, lease_expires_at",
        )
        .bind(owner)
        .bind(now.0)
        .bind(lease_ms)
        .fetch_optional(&self.writer)
        .await?;
        row.map(|row| {
            Ok(ClaimedRun {
                id: RunId(row.id),
                lead_id: LeadId(row.lead_id),
                workflow: row.workflow,
                trigger: RunTrigger::parse(&row.trigger).ok_or_else(|| {
                    StoreError::Corrupt(format!("run {} has trigger {:?}", row.id, row.trigger))
                })?,
                forced: row.forced == 1,
                claims: row.claims,
                lease_expires_at: Timestamp(row.lease_expires_at),
            })
        })
        .transpose()
    }

    /// Extends the lease. `false` means the worker lost it (expired and claimed by another, or
    /// the run was cancelled or its lead deleted): it must stop without writing anything more.
    pub async fn renew_lease(
        &self,
        run: RunId,
        owner: &str,
        until: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE runs SET lease_expires_at = ?, updated_at = ? \
             WHERE id = ? AND lease_owner = ? AND status = 'running' \
             AND cancel_requested_at IS NULL \
             AND EXISTS (SELECT 1 FROM leads WHERE id = runs.lead_id AND deleted_at IS NULL)",
        )
        .bind(until.0)
        .bind(now.0)
        .bind(run.0)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The output this run already committed for `step` with these inputs (a resumed run).
    pub async fn committed_output(
        &self,
        run: RunId,
        step: StepKey,
        input_hash: &str,
    ) -> Result<Option<StoredOutput>, StoreError> {
        self.find_output(
            "SELECT id, output FROM stage_runs WHERE run_id = ? AND stage = ? AND input_hash = ? \
             AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
            run.0,
            step,
            input_hash,
        )
        .await
    }

    /// The newest output any earlier run computed for `step` with the same inputs.
    pub async fn reusable_output(
        &self,
        run: RunId,
        step: StepKey,
        input_hash: &str,
    ) -> Result<Option<StoredOutput>, StoreError> {
        self.find_output(
            "SELECT id, output FROM stage_runs WHERE run_id != ? AND stage = ? AND input_hash = ? \
             AND status = 'succeeded' AND reused_from IS NULL ORDER BY id DESC LIMIT 1",
            run.0,
            step,
            input_hash,
        )
        .await
    }

    async fn find_output(
        &self,
        sql: &str,
        run: i64,
        step: StepKey,
        input_hash: &str,
    ) -> Result<Option<StoredOutput>, StoreError> {
        let row: Option<(i64, Option<String>)> = sqlx::query_as(sql)
            .bind(run)
            .bind(step.as_str())
            .bind(input_hash)
            .fetch_optional(&self.writer)
            .await?;
        Ok(row.map(|(id, output)| StoredOutput {
            stage_run: StageRunId(id),
            output: output.unwrap_or_else(|| "null".into()),
        }))
    }

    /// How many attempts of `step` this run has recorded (a resumed run continues counting).
    pub async fn stage_attempts(&self, run: RunId, step: StepKey) -> Result<i64, StoreError> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(attempt) FROM stage_runs WHERE run_id = ? AND stage = ?",
        )
        .bind(run.0)
        .bind(step.as_str())
        .fetch_one(&self.writer)
        .await?;
        Ok(n.unwrap_or(0))
    }

    /// Records the start of a step attempt.
    pub async fn start_stage(
        &self,
        run: RunId,
        step: StepKey,
        attempt: i64,
        input_hash: &str,
        now: Timestamp,
    ) -> Result<StageRunId, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO stage_runs (run_id, stage, attempt, status, input_hash, started_at) \
             VALUES (?, ?, ?, 'running', ?, ?) \
             ON CONFLICT (run_id, stage, attempt) DO UPDATE SET status = 'running', \
               input_hash = excluded.input_hash, started_at = excluded.started_at, \
               finished_at = NULL, error = NULL, error_class = NULL \
             RETURNING id",
        )
        .bind(run.0)
        .bind(step.as_str())
        .bind(attempt)
        .bind(input_hash)
        .bind(now.0)
        .fetch_one(&self.writer)
        .await?;
        Ok(StageRunId(id))
    }

    /// Commits a stage's output; the next stage only starts after this returns.
    pub async fn finish_stage(
        &self,
        id: StageRunId,
        output: &str,
        meta: &StageMeta,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE stage_runs SET status = 'succeeded', output = ?, prompt_id = ?, \
             prompt_version = ?, model = ?, tokens_in = ?, tokens_out = ?, tokens_cached = ?, \
             cost_usd = ?, finished_at = ? WHERE id = ?",
        )
        .bind(output)
        .bind(&meta.prompt_id)
        .bind(&meta.prompt_version)
        .bind(&meta.model)
        .bind(meta.tokens_in)
        .bind(meta.tokens_out)
        .bind(meta.tokens_cached)
        .bind(meta.cost_usd)
        .bind(now.0)
        .bind(id.0)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Records that a stage took an earlier run's output instead of recomputing it.
    pub async fn reuse_stage(
        &self,
        run: RunId,
        step: StepKey,
        input_hash: &str,
        from: &StoredOutput,
        now: Timestamp,
    ) -> Result<StageRunId, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO stage_runs (run_id, stage, attempt, status, input_hash, output, \
             reused_from, started_at, finished_at) \
             VALUES (?1, ?2, (SELECT coalesce(MAX(attempt), 0) + 1 FROM stage_runs \
                              WHERE run_id = ?1 AND stage = ?2), \
                     'succeeded', ?3, ?4, ?5, ?6, ?6) RETURNING id",
        )
        .bind(run.0)
        .bind(step.as_str())
        .bind(input_hash)
        .bind(&from.output)
        .bind(from.stage_run.0)
        .bind(now.0)
        .fetch_one(&self.writer)
        .await?;
        Ok(StageRunId(id))
    }

    /// Records a failed attempt with its class (`transient` or `permanent`) and message.
    pub async fn fail_stage(
        &self,
        id: StageRunId,
        class: &str,
        error: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE stage_runs SET status = 'failed', error_class = ?, error = ?, finished_at = ? \
             WHERE id = ?",
        )
        .bind(class)
        .bind(error)
        .bind(now.0)
        .bind(id.0)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Ends a run this worker holds. `false` when the lease was lost meanwhile (nothing changed).
    pub async fn end_run(
        &self,
        run: RunId,
        owner: &str,
        status: RunStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE runs SET status = ?, error = ?, finished_at = ?, updated_at = ?, \
             lease_owner = NULL, lease_expires_at = NULL \
             WHERE id = ? AND lease_owner = ? AND status = 'running'",
        )
        .bind(status.as_str())
        .bind(error)
        .bind(now.0)
        .bind(now.0)
        .bind(run.0)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts a running run back in the queue until `until`, with the reason it waits (shown on
    /// its card); what its stages committed is kept, so it resumes where it stopped. `false`
    /// when this worker no longer holds it.
    pub async fn defer_run(
        &self,
        run: RunId,
        owner: &str,
        until: Timestamp,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE runs SET status = 'queued', error = ?, not_before = ?, updated_at = ?, \
             lease_owner = NULL, lease_expires_at = NULL \
             WHERE id = ? AND lease_owner = ? AND status = 'running'",
        )
        .bind(reason)
        .bind(until.0)
        .bind(now.0)
        .bind(run.0)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes runs that wait (see [`Store::defer_run`]) claimable now, after the user raised a
    /// cap. Returns how many.
    pub async fn wake_waiting_runs(&self, now: Timestamp) -> Result<u64, StoreError> {
        let woken = sqlx::query(
            "UPDATE runs SET not_before = 0, error = NULL, updated_at = ? \
             WHERE status = 'queued' AND error IS NOT NULL AND not_before > ?",
        )
        .bind(now.0)
        .bind(now.0)
        .execute(&self.writer)
        .await?;
        Ok(woken.rows_affected())
    }

    /// Asks the lead's live run to stop: a queued run is cancelled at once, a running one at its
    /// next check. Returns the run, if there was one.
    #[tracing::instrument(skip(self))]
    pub async fn cancel_runs_of(
        &self,
        lead: LeadId,
        now: Timestamp,
    ) -> Result<Option<RunId>, StoreError> {
        let mut tx = self.write().await?;
        let live: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, status FROM runs WHERE lead_id = ? AND status IN ('queued', 'running')",
        )
        .bind(lead.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, status)) = live else {
            return Ok(None);
        };
        if status == "queued" {
            sqlx::query(
                "UPDATE runs SET status = 'cancelled', cancel_requested_at = ?1, \
                 finished_at = ?1, updated_at = ?1 WHERE id = ?2",
            )
            .bind(now.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("UPDATE runs SET cancel_requested_at = ?1, updated_at = ?1 WHERE id = ?2")
                .bind(now.0)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(RunId(id)))
    }

    /// Whether the run should stop: cancel requested, or its lead deleted.
    pub async fn run_cancelled(&self, run: RunId) -> Result<bool, StoreError> {
        let stop: Option<i64> = sqlx::query_scalar(
            "SELECT r.cancel_requested_at IS NOT NULL OR l.deleted_at IS NOT NULL \
             FROM runs r JOIN leads l ON l.id = r.lead_id WHERE r.id = ?",
        )
        .bind(run.0)
        .fetch_optional(&self.writer)
        .await?;
        Ok(stop.unwrap_or(1) == 1)
    }

    /// Marks a running run cancelled (its worker saw the request and stopped).
    pub async fn acknowledge_cancel(
        &self,
        run: RunId,
        owner: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.end_run(run, owner, RunStatus::Cancelled, None, now)
            .await
    }

    /// Claims the right to notify about this run; `true` exactly once per run.
    pub async fn claim_notification(&self, run: RunId, now: Timestamp) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE runs SET notified_at = ? WHERE id = ? AND notified_at IS NULL")
                .bind(now.0)
                .bind(run.0)
                .execute(&self.writer)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The latest run of each of these leads (all leads when `None`), for cards and lead pages.
    pub async fn latest_runs(&self, lead: Option<LeadId>) -> Result<Vec<RunSummary>, StoreError> {
        let rows: Vec<SummaryRow> = sqlx::query_as(
            "SELECT r.id, r.lead_id, r.status, r.trigger, r.error, r.created_at, r.finished_at, \
               (SELECT stage FROM stage_runs s WHERE s.run_id = r.id ORDER BY s.id DESC LIMIT 1) \
                 AS stage \
             FROM runs r \
             WHERE r.id = (SELECT MAX(id) FROM runs x WHERE x.lead_id = r.lead_id) \
               AND (?1 IS NULL OR r.lead_id = ?1)",
        )
        .bind(lead.map(|l| l.0))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(RunSummary::try_from).collect()
    }
}

impl Store {
    /// The run's one effect on the lead's timeline: a `research` entry, written together with the
    /// run's `applied_at` marker so a resumed or retried run never writes it twice. `false` when
    /// it was already written.
    pub async fn record_run_result(
        &self,
        run: RunId,
        body: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        if !claim_effect(&mut tx, run, now).await? {
            return Ok(false);
        }
        research_entry(&mut tx, run, body, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Closes attempts a dead worker left open: they were cut off, not failed by the stage.
    pub async fn interrupt_open_stages(
        &self,
        run: RunId,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let closed = sqlx::query(
            "UPDATE stage_runs SET status = 'failed', error_class = 'interrupted',              error = 'Leadscout stopped during this step', finished_at = ?              WHERE run_id = ? AND status = 'running'",
        )
        .bind(now.0)
        .bind(run.0)
        .execute(&self.writer)
        .await?;
        Ok(closed.rows_affected())
    }

    /// Every attempt of every stage of a run, in order: (stage, attempt, status, reused).
    pub async fn stage_history(
        &self,
        run: RunId,
    ) -> Result<Vec<(String, i64, String, bool)>, StoreError> {
        let rows: Vec<(String, i64, String, bool)> = sqlx::query_as(
            "SELECT stage, attempt, status, reused_from IS NOT NULL FROM stage_runs              WHERE run_id = ? ORDER BY id",
        )
        .bind(run.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows)
    }

    /// Makes every running run claimable now. Only for a process that knows it is the sole user
    /// of the database (it holds the data folder's instance lock): whoever held those leases is
    /// gone, and waiting for them to expire would only delay the user's research.
    pub async fn release_leases(&self, now: Timestamp) -> Result<u64, StoreError> {
        let released = sqlx::query(
            "UPDATE runs SET lease_expires_at = ?1 - 1, updated_at = ?1 WHERE status = 'running'",
        )
        .bind(now.0)
        .execute(&self.writer)
        .await?;
        Ok(released.rows_affected())
    }

    /// Runs that ended but whose notification was never claimed (the app stopped in between).
    pub async fn unnotified_runs(&self) -> Result<Vec<RunSummary>, StoreError> {
        let rows: Vec<SummaryRow> = sqlx::query_as(
            "SELECT r.id, r.lead_id, r.status, r.trigger, r.error, r.created_at, r.finished_at, \
               NULL AS stage FROM runs r \
             WHERE r.status IN ('succeeded', 'failed') AND r.notified_at IS NULL ORDER BY r.id",
        )
        .fetch_all(&self.writer)
        .await?;
        rows.into_iter().map(RunSummary::try_from).collect()
    }
}
