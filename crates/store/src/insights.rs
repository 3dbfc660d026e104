//! What the model stages said: company facts with their checks, a lead's insights, and every
//! model call with the context it was sent, for the context inspector and the budget caps.

use leadscout_domain::{
    CompanyId, CostLedger, FactView, GroundedView, InsightsView, LeadId, ModelCallView, RunHistory,
    RunId, RunStatus, RunTrigger, StepAttempt, Timestamp,
};
use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, Transaction};

use crate::{Store, StoreError};

/// The parts of the insights stored as one JSON document.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    /// Absent in insights stored before summaries were checked: those count as unverified.
    #[serde(default)]
    summary_verified: bool,
    fit_reasons: Vec<GroundedView>,
    talking_points: Vec<GroundedView>,
    risks: Vec<GroundedView>,
    next_best_action: Option<GroundedView>,
}

fn corrupt(what: &str, err: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("{what}: {err}"))
}

fn json<T: Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| corrupt(what, e))
}

/// Replaces the company's facts with a run's.
pub(crate) async fn write_facts(
    tx: &mut Transaction<'_, Sqlite>,
    company: CompanyId,
    run: RunId,
    facts: &[FactView],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM facts WHERE company_id = ?")
        .bind(company.0)
        .execute(&mut **tx)
        .await?;
    for fact in facts {
        sqlx::query(
            "INSERT INTO facts (company_id, run_id, key, field, value, quote, source_url, \
             confidence, verified, problem) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (company_id, key) DO NOTHING",
        )
        .bind(company.0)
        .bind(run.0)
        .bind(&fact.key)
        .bind(&fact.field)
        .bind(&fact.value)
        .bind(&fact.quote)
        .bind(&fact.source_url)
        .bind(fact.confidence.clamp(0.0, 1.0))
        .bind(fact.verified)
        .bind(&fact.problem)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Replaces the lead's insights with a run's.
pub(crate) async fn write_insights(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    run: RunId,
    insights: &InsightsView,
    now: Timestamp,
) -> Result<(), StoreError> {
    let body = json(
        "insights",
        &Body {
            summary_verified: insights.summary_verified,
            fit_reasons: insights.fit_reasons.clone(),
            talking_points: insights.talking_points.clone(),
            risks: insights.risks.clone(),
            next_best_action: insights.next_best_action.clone(),
        },
    )?;
    sqlx::query(
        "INSERT INTO insights (lead_id, run_id, summary, fit_score, fit_verified, body, model, \
         created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (lead_id) DO UPDATE SET run_id = excluded.run_id, \
         summary = excluded.summary, fit_score = excluded.fit_score, \
         fit_verified = excluded.fit_verified, body = excluded.body, model = excluded.model, \
         created_at = excluded.created_at",
    )
    .bind(lead.0)
    .bind(run.0)
    .bind(&insights.summary)
    .bind(insights.fit_score.map(i64::from))
    .bind(insights.fit_verified)
    .bind(body)
    .bind(&insights.model)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One model call as a JSON object spelled like [`ModelCallView`].
/// A call outside any run (a drafted email) has run 0.
const CALL_JSON: &str = "json_object('id', id, 'run', coalesce(run_id, 0), 'stage', stage, \
     'attempt', attempt, 'turn', turn, 'promptId', prompt_id, 'promptVersion', prompt_version, \
     'provider', provider, 'model', model, 'layers', json(layers), \
     'tokensShared', tokens_shared, 'tokensStage', tokens_stage, 'tokensTask', tokens_task, \
     'tokensIn', tokens_in, 'tokensOut', tokens_out, 'tokensCached', tokens_cached, \
     'costUsd', cost_usd, 'latencyMs', latency_ms, 'outcome', outcome, \
     'errors', json(errors), 'grounding', json(grounding), 'createdAt', created_at)";

impl Store {
    /// Records one model call of a research run (its `id` and `created_at` are assigned here).
    pub async fn record_model_call(
        &self,
        call: &ModelCallView,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        self.insert_model_call(call, Some(call.run), None, now)
            .await
    }

    /// Records a model call made for a lead outside any research run (a drafted email); `run`
    /// in `call` is ignored. It counts towards spending like every call.
    pub async fn record_lead_model_call(
        &self,
        lead: LeadId,
        call: &ModelCallView,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        self.insert_model_call(call, None, Some(lead.0), now).await
    }

    async fn insert_model_call(
        &self,
        call: &ModelCallView,
        run: Option<i64>,
        lead: Option<i64>,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO model_calls (run_id, lead_id, stage, attempt, turn, prompt_id, \
             prompt_version, provider, model, layers, tokens_shared, tokens_stage, tokens_task, \
             tokens_in, tokens_out, tokens_cached, cost_usd, latency_ms, outcome, errors, \
             grounding, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(run)
        .bind(lead)
        .bind(&call.stage)
        .bind(call.attempt)
        .bind(call.turn)
        .bind(&call.prompt_id)
        .bind(call.prompt_version)
        .bind(call.provider.as_str())
        .bind(&call.model)
        .bind(json("layers", &call.layers)?)
        .bind(call.tokens_shared)
        .bind(call.tokens_stage)
        .bind(call.tokens_task)
        .bind(call.tokens_in)
        .bind(call.tokens_out)
        .bind(call.tokens_cached)
        .bind(call.cost_usd)
        .bind(call.latency_ms)
        .bind(&call.outcome)
        .bind(json("errors", &call.errors)?)
        .bind(json("grounding", &call.grounding)?)
        .bind(now.0)
        .fetch_one(&self.writer)
        .await?)
    }

    /// A lead's model calls made outside research (drafted emails), oldest first.
    pub async fn lead_calls_outside_runs(
        &self,
        lead: LeadId,
    ) -> Result<Vec<ModelCallView>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT {CALL_JSON} FROM model_calls WHERE lead_id = ? ORDER BY id"
        ))
        .bind(lead.0)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| serde_json::from_str(row).map_err(|e| corrupt("model call", e)))
            .collect()
    }

    /// The model calls behind the lead's latest research: its own, and for a stage whose
    /// output was reused, the calls of the run that made it. Oldest first.
    pub async fn lead_model_calls(&self, lead: LeadId) -> Result<Vec<ModelCallView>, StoreError> {
        let latest: Option<i64> = sqlx::query_scalar(
            "SELECT r.id FROM runs r WHERE r.lead_id = ? AND EXISTS \
             (SELECT 1 FROM stage_runs s WHERE s.run_id = r.id \
              AND s.stage IN ('footprint', 'insights')) \
             ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
        )
        .bind(lead.0)
        .fetch_optional(&self.reader)
        .await?;
        let Some(run) = latest else {
            return Ok(Vec::new());
        };
        // Each stage's calls come from the run that computed it.
        let sources: Vec<(String, i64)> = sqlx::query_as(
            "SELECT s.stage, COALESCE((SELECT o.run_id FROM stage_runs o WHERE o.id = s.reused_from), \
             s.run_id) FROM stage_runs s WHERE s.run_id = ? \
             AND s.stage IN ('footprint', 'insights') GROUP BY s.stage",
        )
        .bind(run)
        .fetch_all(&self.reader)
        .await?;
        let mut calls: Vec<ModelCallView> = Vec::new();
        for (stage, from) in sources {
            let rows: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT {CALL_JSON} FROM model_calls WHERE run_id = ? AND stage = ? ORDER BY id"
            ))
            .bind(from)
            .bind(&stage)
            .fetch_all(&self.reader)
            .await?;
            for row in rows {
                calls.push(serde_json::from_str(&row).map_err(|e| corrupt("model call", e))?);
            }
        }
        calls.sort_by_key(|c| (c.created_at.0, c.id));
        Ok(calls)
    }

    /// What model calls cost since `since` (US dollars; calls without a price count as 0).
    pub async fn model_spend_since(&self, since: Timestamp) -> Result<f64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(SUM(cost_usd), 0.0) FROM model_calls \
             WHERE created_at >= ? AND cost_usd IS NOT NULL",
        )
        .bind(since.0)
        .fetch_one(&self.reader)
        .await?)
    }

    /// What the model calls of one run cost (US dollars).
    pub async fn run_model_spend(&self, run: RunId) -> Result<f64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(SUM(cost_usd), 0.0) FROM model_calls WHERE run_id = ?",
        )
        .bind(run.0)
        .fetch_one(&self.reader)
        .await?)
    }

    /// The company's facts, verified first, in the order the model stated them, each with its
    /// page's title and when that page was read.
    pub async fn company_facts(&self, company: CompanyId) -> Result<Vec<FactView>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::company_facts_on(&mut conn, company).await
    }

    /// [`Store::company_facts`] on a given connection (a read transaction, for one consistent view).
    pub(crate) async fn company_facts_on(
        conn: &mut sqlx::SqliteConnection,
        company: CompanyId,
    ) -> Result<Vec<FactView>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT json_object('key', f.key, 'field', f.field, 'value', f.value, \
             'quote', f.quote, 'sourceUrl', f.source_url, 'confidence', f.confidence, \
             'verified', json(CASE WHEN f.verified THEN 'true' ELSE 'false' END), \
             'problem', f.problem, 'sourceTitle', s.title, 'fetchedAt', s.fetched_at) \
             FROM facts f LEFT JOIN sources s ON s.company_id = f.company_id AND s.url = f.source_url \
             WHERE f.company_id = ? ORDER BY f.verified DESC, f.id",
        )
        .bind(company.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| serde_json::from_str(r).map_err(|e| corrupt("fact", e)))
            .collect()
    }

    /// The lead's insights, or `None` before a run with a model has finished.
    pub async fn lead_insights(&self, lead: LeadId) -> Result<Option<InsightsView>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::lead_insights_on(&mut conn, lead).await
    }

    /// [`Store::lead_insights`] on a given connection (a read transaction, for one consistent view).
    pub(crate) async fn lead_insights_on(
        conn: &mut sqlx::SqliteConnection,
        lead: LeadId,
    ) -> Result<Option<InsightsView>, StoreError> {
        let row: Option<(String, Option<i64>, bool, String, String, i64)> = sqlx::query_as(
            "SELECT summary, fit_score, fit_verified, body, model, created_at FROM insights \
             WHERE lead_id = ?",
        )
        .bind(lead.0)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((summary, fit_score, fit_verified, body, model, created_at)) = row else {
            return Ok(None);
        };
        let body: Body = serde_json::from_str(&body).map_err(|e| corrupt("insights", e))?;
        Ok(Some(InsightsView {
            summary,
            summary_verified: body.summary_verified,
            fit_score: fit_score.and_then(|s| u8::try_from(s).ok()),
            fit_verified,
            fit_reasons: body.fit_reasons,
            talking_points: body.talking_points,
            risks: body.risks,
            next_best_action: body.next_best_action,
            model,
            created_at: Timestamp(created_at),
        }))
    }

    /// Why the AI step of the lead's last finished research run did not finish (`failed` in
    /// its footprint or insights output), or `None`.
    pub async fn ai_problem(&self, lead: LeadId) -> Result<Option<String>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::ai_problem_on(&mut conn, lead).await
    }

    /// [`Store::ai_problem`] on a given connection (a read transaction, for one consistent view).
    pub(crate) async fn ai_problem_on(
        conn: &mut sqlx::SqliteConnection,
        lead: LeadId,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT json_extract(s.output, '$.failed') FROM stage_runs s \
             WHERE s.run_id = (SELECT id FROM runs WHERE lead_id = ? AND status = 'succeeded' \
               ORDER BY finished_at DESC, id DESC LIMIT 1) \
             AND s.stage IN ('footprint', 'insights') AND s.status = 'succeeded' \
             AND json_extract(s.output, '$.failed') IS NOT NULL ORDER BY s.id LIMIT 1",
        )
        .bind(lead.0)
        .fetch_optional(&mut *conn)
        .await?)
    }

    /// The lead's last ten runs, newest first, each with every step attempt: status, duration,
    /// tokens and cost.
    pub async fn lead_run_history(&self, lead: LeadId) -> Result<Vec<RunHistory>, StoreError> {
        type RunRow = (i64, String, String, Option<String>, i64, Option<i64>, f64);
        let runs: Vec<RunRow> = sqlx::query_as(
            "SELECT r.id, r.status, r.trigger, r.error, r.created_at, r.finished_at, \
             COALESCE((SELECT SUM(cost_usd) FROM model_calls m WHERE m.run_id = r.id), 0.0) \
             FROM runs r WHERE r.lead_id = ? ORDER BY r.created_at DESC, r.id DESC LIMIT 10",
        )
        .bind(lead.0)
        .fetch_all(&self.reader)
        .await?;
        let mut out = Vec::with_capacity(runs.len());
        for (id, status, trigger, error, created_at, finished_at, cost_usd) in runs {
            let steps: Vec<String> = sqlx::query_scalar(
                "SELECT json_object('step', stage, 'attempt', attempt, 'status', status, \
                 'reused', json(CASE WHEN reused_from IS NULL THEN 'false' ELSE 'true' END), \
                 'durationMs', finished_at - started_at, \
                 'model', model, 'tokensIn', tokens_in, 'tokensOut', tokens_out, \
                 'costUsd', cost_usd, 'error', error) FROM stage_runs WHERE run_id = ? ORDER BY id",
            )
            .bind(id)
            .fetch_all(&self.reader)
            .await?;
            let unknown =
                || StoreError::Corrupt(format!("run {id} has an unknown status or trigger"));
            out.push(RunHistory {
                id: leadscout_domain::RunId(id),
                status: RunStatus::parse(&status).ok_or_else(unknown)?,
                trigger: RunTrigger::parse(&trigger).ok_or_else(unknown)?,
                error,
                created_at: Timestamp(created_at),
                finished_at: finished_at.map(Timestamp),
                cost_usd,
                steps: steps
                    .iter()
                    .map(|s| serde_json::from_str::<StepAttempt>(s))
                    .collect::<Result<_, _>>()
                    .map_err(|e| corrupt("step attempt", e))?,
            });
        }
        Ok(out)
    }

    /// Model spending today, this month, by day and by lead (UTC days).
    pub async fn cost_ledger(&self, now: Timestamp) -> Result<CostLedger, StoreError> {
        let month_start =
            "(CAST(strftime('%s', ?1 / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000)";
        let day_start =
            "(CAST(strftime('%s', ?1 / 1000, 'unixepoch', 'start of day') AS INTEGER) * 1000)";
        let (today_usd, month_usd, calls, unpriced): (f64, f64, i64, i64) =
            sqlx::query_as(&format!(
            "SELECT COALESCE(SUM(CASE WHEN created_at >= {day_start} THEN cost_usd END), 0.0), \
             COALESCE(SUM(cost_usd), 0.0), COUNT(*), COUNT(*) - COUNT(cost_usd) \
             FROM model_calls WHERE created_at >= {month_start}"
        ))
            .bind(now.0)
            .fetch_one(&self.reader)
            .await?;
        let by_day: Vec<(String, f64)> = sqlx::query_as(
            "SELECT date(created_at / 1000, 'unixepoch') AS day, COALESCE(SUM(cost_usd), 0.0) \
             FROM model_calls WHERE created_at >= ?1 - 30 * 86400000 \
             GROUP BY day ORDER BY day DESC",
        )
        .bind(now.0)
        .fetch_all(&self.reader)
        .await?;
        let top: Vec<(i64, String, f64)> = sqlx::query_as(&format!(
            "SELECT l.id, l.full_name, SUM(m.cost_usd) AS spent FROM model_calls m \
             LEFT JOIN runs r ON r.id = m.run_id \
             JOIN leads l ON l.id = coalesce(m.lead_id, r.lead_id) \
             WHERE m.created_at >= {month_start} AND m.cost_usd IS NOT NULL \
             GROUP BY l.id ORDER BY spent DESC LIMIT 5"
        ))
        .bind(now.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(CostLedger {
            today_usd,
            month_usd,
            by_day,
            top_leads: top
                .into_iter()
                .map(|(id, name, usd)| (LeadId(id), name, usd))
                .collect(),
            calls_this_month: calls,
            unpriced_calls: unpriced,
        })
    }

    /// Typical tokens of one lead's model calls (in, out), from the last 40 valid calls;
    /// `None` before any.
    pub async fn typical_lead_tokens(&self) -> Result<Option<(i64, i64)>, StoreError> {
        let row: (Option<f64>, Option<f64>, i64) = sqlx::query_as(
            "SELECT AVG(tokens_in), AVG(tokens_out), COUNT(*) FROM (SELECT tokens_in, tokens_out \
             FROM model_calls WHERE outcome = 'valid' AND tokens_in IS NOT NULL \
             ORDER BY id DESC LIMIT 40)",
        )
        .fetch_one(&self.reader)
        .await?;
        Ok(match row {
            (Some(tokens_in), Some(tokens_out), n) if n > 0 => {
                // Two model calls per lead: footprint and insights.
                Some(((tokens_in * 2.0) as i64, (tokens_out * 2.0) as i64))
            }
            _ => None,
        })
    }
}
