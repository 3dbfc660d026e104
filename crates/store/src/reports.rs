//! What the forecast and the reports are computed from, grouped by SQLite: the live leads by
//! stage, currency and expected close date; the closed ones by the day they closed, by source,
//! by tag and by fit score; every lead by the set of stages it reached; and the finished stays
//! per stage. What would need a look-up per lead is kept by triggers (migration 13) and every
//! query reads one covering index, so a few thousand rows reach Rust at 100,000 leads; the
//! arithmetic is the domain's.

use leadscout_domain::{
    forecast, reports, ClosedGroup, FitGroup, Forecast, ForecastDeal, FurthestGroup, LabelGroup,
    LeadId, PipelineId, ReportData, Reports, Stage, StageId, StageKind, StageMove, StageStays,
    Timestamp,
};
use std::collections::HashMap;

use sqlx::SqliteConnection;

use crate::{Store, StoreError};

/// The inputs of the reports, read in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInputs {
    pub stages: Vec<Stage>,
    pub data: ReportData,
}

const DAY_MS: i64 = 86_400_000;

/// A SQL sum of deal values cannot overflow SQLite's 64-bit integers (which would fail the
/// query): values are summed as billions and the rest apart, and put together in 128 bits.
const SPLIT: i64 = 1_000_000_000;

fn value_sums(column: &str) -> String {
    format!("SUM({column} / {SPLIT}), SUM({column} % {SPLIT})")
}

fn joined(high: Option<i64>, low: Option<i64>) -> Option<i128> {
    match (high, low) {
        (None, None) => None,
        (h, l) => Some(i128::from(h.unwrap_or(0)) * i128::from(SPLIT) + i128::from(l.unwrap_or(0))),
    }
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The ids of the won and lost stages as a SQL list (`NULL` without any). They are integers
/// from the database, never input.
fn closed_list(stages: &[Stage]) -> String {
    let closed: Vec<String> = stages
        .iter()
        .filter(|s| s.kind != StageKind::Open)
        .map(|s| s.id.0.to_string())
        .collect();
    if closed.is_empty() {
        "NULL".to_owned()
    } else {
        closed.join(", ")
    }
}

/// Stage, currency, expected close, leads, and the two halves of their values' sum.
type DealRow = (i64, String, Option<String>, i64, Option<i64>, Option<i64>);

/// Stage, currency, UTC day, leads and the two halves of their values' sum, then the same for
/// those of them whose local day is another.
type ClosedRow = (
    i64,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
);

/// Every live lead by stage, currency and expected close date (in index order, so SQLite
/// sorts nothing; the forecast takes the month).
async fn deals(conn: &mut SqliteConnection) -> Result<Vec<ForecastDeal>, StoreError> {
    let rows: Vec<DealRow> = sqlx::query_as(&format!(
        "SELECT stage_id, currency, expected_close, COUNT(*), {} \
         FROM leads INDEXED BY leads_reports WHERE deleted_at IS NULL \
         GROUP BY stage_id, currency, expected_close",
        value_sums("deal_value")
    ))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(stage, currency, close, deals, high, low)| ForecastDeal {
            stage_id: StageId(stage),
            deals: count(deals),
            value: joined(high, low),
            currency,
            expected_close: close,
        })
        .collect())
}

/// The UTC day (floored, also before 1970) a closed lead entered its stage: written exactly as
/// the `leads_closing` index of migration 13 spells it, so SQLite reads the groups in its order.
const UTC_DAY: &str =
    "(stage_entered_at - (stage_entered_at % 86400000 + 86400000) % 86400000) / 86400000";

/// Closed leads by the local day they entered their stage (kept on the lead) and currency.
/// SQLite groups them by UTC day in index order (no sort) and counts apart, in the same pass,
/// those whose local day is the next one after shifting by the offset's whole days, which are
/// moved here. Any offset works: -5 h is a day back and 19 h forward.
async fn closed(
    conn: &mut SqliteConnection,
    closed: &str,
    offset_ms: i64,
) -> Result<Vec<ClosedGroup>, StoreError> {
    let (days, rest) = (offset_ms.div_euclid(DAY_MS), offset_ms.rem_euclid(DAY_MS));
    let shifted =
        format!("((stage_entered_at % {DAY_MS} + {DAY_MS}) % {DAY_MS} + {rest} >= {DAY_MS})");
    let rows: Vec<ClosedRow> = sqlx::query_as(&format!(
        "SELECT stage_id, currency, {UTC_DAY} AS utc_day, COUNT(*), {}, \
         SUM({shifted}), {} \
         FROM leads INDEXED BY leads_closing \
         WHERE deleted_at IS NULL AND stage_entered_at IS NOT NULL AND stage_id IN ({closed}) \
         GROUP BY stage_id, currency, utc_day",
        value_sums("deal_value"),
        value_sums(&format!("CASE WHEN {shifted} THEN deal_value END")),
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut groups = Vec::with_capacity(rows.len());
    for (stage, currency, day, leads, high, low, moved, moved_high, moved_low) in rows {
        let value = joined(high, low).unwrap_or(0);
        let moved_value = joined(moved_high, moved_low).unwrap_or(0);
        for (day, leads, value) in [
            (day + days, leads - moved, value - moved_value),
            (day + days + 1, moved, moved_value),
        ] {
            if leads > 0 {
                groups.push(ClosedGroup {
                    stage_id: StageId(stage),
                    day,
                    currency: currency.clone(),
                    leads: count(leads),
                    value,
                });
            }
        }
    }
    Ok(groups)
}

/// Live leads by the position of the furthest stage that is not lost they were ever in. The
/// lead keeps the set of stages it reached (`reached_stages`, `,3,1,4,`); live leads share a
/// few such sets, which SQLite counts, and today's positions are applied here.
async fn furthest(
    conn: &mut SqliteConnection,
    stages: &[Stage],
) -> Result<Vec<FurthestGroup>, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT reached_stages, COUNT(*) FROM leads INDEXED BY leads_reached \
         WHERE deleted_at IS NULL GROUP BY reached_stages",
    )
    .fetch_all(&mut *conn)
    .await?;
    let position: HashMap<i64, i64> = stages
        .iter()
        .filter(|s| s.kind != StageKind::Lost)
        .map(|s| (s.id.0, s.position))
        .collect();
    let mut groups: Vec<FurthestGroup> = Vec::new();
    for (reached, leads) in rows {
        let mut furthest = None;
        for id in reached.split(',').filter(|id| !id.is_empty()) {
            let id: i64 = id.parse().map_err(|_| {
                StoreError::Corrupt(format!("the stages a lead reached read {reached:?}"))
            })?;
            furthest = furthest.max(position.get(&id).copied());
        }
        let Some(position) = furthest else {
            continue;
        };
        match groups.iter_mut().find(|g| g.position == position) {
            Some(group) => group.leads = group.leads.saturating_add(count(leads)),
            None => groups.push(FurthestGroup {
                position,
                leads: count(leads),
            }),
        }
    }
    Ok(groups)
}

/// Closed leads by a label (their source, or each of their tags) and stage.
async fn labels(conn: &mut SqliteConnection, sql: &str) -> Result<Vec<LabelGroup>, StoreError> {
    let rows: Vec<(Option<String>, i64, i64)> = sqlx::query_as(sql).fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(|(label, stage, leads)| LabelGroup {
            label,
            stage_id: StageId(stage),
            leads: count(leads),
        })
        .collect())
}

/// Closed leads by stage and verified fit score (kept on the lead).
async fn fit(conn: &mut SqliteConnection, closed: &str) -> Result<Vec<FitGroup>, StoreError> {
    let rows: Vec<(i64, Option<i64>, i64)> = sqlx::query_as(&format!(
        "SELECT stage_id, verified_fit, COUNT(*) FROM leads INDEXED BY leads_fit \
         WHERE deleted_at IS NULL AND stage_id IN ({closed}) GROUP BY stage_id, verified_fit"
    ))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(stage, score, leads)| {
            let fit_score = score
                .map(|s| {
                    u8::try_from(s).map_err(|_| {
                        StoreError::Corrupt(format!("a fit score of {s} is out of range"))
                    })
                })
                .transpose()?;
            Ok(FitGroup {
                stage_id: StageId(stage),
                fit_score,
                leads: count(leads),
            })
        })
        .collect()
}

/// Finished stays per stage (a lead entered it and later left it), of live leads: kept by the
/// move and delete triggers (migration 13).
async fn stays(conn: &mut SqliteConnection) -> Result<Vec<StageStays>, StoreError> {
    let rows: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT stage_id, stays, total_ms FROM stage_stays WHERE stays > 0")
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(stage, stays, total)| StageStays {
            stage_id: StageId(stage),
            stays: count(stays),
            total_ms: total,
        })
        .collect())
}

/// One pipeline's stages in board order (the first pipeline's when `None`).
async fn pipeline_stages(
    conn: &mut SqliteConnection,
    pipeline: Option<PipelineId>,
) -> Result<Vec<Stage>, StoreError> {
    let pipeline = match pipeline {
        Some(id) => crate::pipelines::pipeline_in(&mut *conn, id).await?.id,
        None => crate::pipelines::first(&mut *conn).await?,
    };
    let mut stages = crate::stages::all(conn).await?;
    stages.retain(|s| s.pipeline_id == pipeline);
    Ok(stages)
}

impl Store {
    /// Every input of the reports, grouped, from one read transaction; months are those of a
    /// clock `offset_minutes` east of UTC.
    #[tracing::instrument(skip(self))]
    pub async fn report_inputs(&self, offset_minutes: i32) -> Result<ReportInputs, StoreError> {
        self.pipeline_report_inputs(offset_minutes, None).await
    }

    /// [`Store::report_inputs`] of one pipeline (the first when `None`): every group is by
    /// stage, so taking that pipeline's stages alone leaves the others' leads out of every
    /// query and funnel.
    #[tracing::instrument(skip(self))]
    pub async fn pipeline_report_inputs(
        &self,
        offset_minutes: i32,
        pipeline: Option<PipelineId>,
    ) -> Result<ReportInputs, StoreError> {
        let mut tx = self.reader.begin().await?;
        let stages = pipeline_stages(&mut tx, pipeline).await?;
        let closed_ids = closed_list(&stages);
        let data = ReportData {
            deals: deals(&mut tx).await?,
            closed: closed(&mut tx, &closed_ids, i64::from(offset_minutes) * 60_000).await?,
            furthest: furthest(&mut tx, &stages).await?,
            stays: stays(&mut tx).await?,
            by_source: labels(
                &mut tx,
                &format!(
                    "SELECT source, stage_id, COUNT(*) FROM leads INDEXED BY leads_closed \
                     WHERE deleted_at IS NULL AND stage_id IN ({closed_ids}) \
                     GROUP BY stage_id, source"
                ),
            )
            .await?,
            by_tag: labels(
                &mut tx,
                &format!(
                    "SELECT tag, lead_stage, COUNT(*) FROM lead_tags \
                     INDEXED BY lead_tags_by_stage WHERE lead_stage IN ({closed_ids}) \
                     GROUP BY lead_stage, tag"
                ),
            )
            .await?,
            fit: fit(&mut tx, &closed_ids).await?,
        };
        tx.commit().await?;
        Ok(ReportInputs { stages, data })
    }

    /// The stages a lead entered, oldest first.
    #[tracing::instrument(skip(self))]
    pub async fn stage_moves(&self, lead: LeadId) -> Result<Vec<StageMove>, StoreError> {
        let rows: Vec<(Option<i64>, Option<i64>, i64)> = sqlx::query_as(
            "SELECT from_stage_id, to_stage_id, moved_at FROM stage_moves WHERE lead_id = ? \
             ORDER BY moved_at, id",
        )
        .bind(lead.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(from, to, at)| StageMove {
                lead_id: lead,
                from: from.map(StageId),
                to: to.map(StageId),
                at: Timestamp(at),
            })
            .collect())
    }

    /// Every report of the first pipeline; months are those of a clock `offset_minutes` east of
    /// UTC.
    #[tracing::instrument(skip(self))]
    pub async fn reports(&self, offset_minutes: i32) -> Result<Reports, StoreError> {
        self.pipeline_reports(offset_minutes, None).await
    }

    /// Every report of one pipeline (the first when `None`).
    #[tracing::instrument(skip(self))]
    pub async fn pipeline_reports(
        &self,
        offset_minutes: i32,
        pipeline: Option<PipelineId>,
    ) -> Result<Reports, StoreError> {
        let inputs = self
            .pipeline_report_inputs(offset_minutes, pipeline)
            .await?;
        Ok(reports(&inputs.stages, &inputs.data))
    }

    /// The weighted forecast of the first pipeline's board as it is.
    #[tracing::instrument(skip(self))]
    pub async fn forecast(&self) -> Result<Forecast, StoreError> {
        self.pipeline_forecast(None).await
    }

    /// The weighted forecast of one pipeline's board (the first when `None`).
    #[tracing::instrument(skip(self))]
    pub async fn pipeline_forecast(
        &self,
        pipeline: Option<PipelineId>,
    ) -> Result<Forecast, StoreError> {
        let mut tx = self.reader.begin().await?;
        let stages = pipeline_stages(&mut tx, pipeline).await?;
        let deals = deals(&mut tx).await?;
        tx.commit().await?;
        Ok(forecast(&stages, &deals))
    }
}
