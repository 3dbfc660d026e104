//! What the forecast and the reports are computed from: every live lead's stage, deal, source,
//! tags and fit score, what the record of stage moves says about it (when it entered its stage,
//! the furthest stage it reached), and the finished stays per stage. The arithmetic is the
//! domain's; SQLite does the per-lead and per-move work where its indexes are, so at 100,000
//! leads no move crosses into Rust.

use leadscout_domain::{
    forecast, reports, Forecast, ForecastDeal, LeadId, ReportLead, Reports, Stage, StageId,
    StageKind, StageMove, StageStays, Timestamp,
};
use sqlx::SqliteConnection;

use crate::{Store, StoreError};

/// The inputs of the reports, read in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInputs {
    pub stages: Vec<Stage>,
    pub leads: Vec<ReportLead>,
    pub stays: Vec<StageStays>,
}

type LeadRow = (
    i64,
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<u8>,
    Option<i64>,
    Option<i64>,
);

fn corrupt(what: &str, e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("{what} unreadable for the reports: {e}"))
}

// Each query builds one JSON document that serde reads in a single pass: at 100,000 leads that
// is several times faster than decoding rows one by one (as for the board).
async fn leads(
    conn: &mut SqliteConnection,
    stages: &[Stage],
) -> Result<Vec<ReportLead>, StoreError> {
    // What only closed leads need (when they closed, their fit score and tags) is read for
    // them alone. The ids are integers from the database, never input.
    let closed: Vec<String> = stages
        .iter()
        .filter(|s| s.kind != StageKind::Open)
        .map(|s| s.id.0.to_string())
        .collect();
    let closed = if closed.is_empty() {
        "NULL".to_owned()
    } else {
        closed.join(", ")
    };
    let json: String = sqlx::query_scalar(&format!(
        "SELECT json_group_array(json_array(l.id, l.stage_id, l.deal_value, l.currency, \
         l.source, l.expected_close, \
         CASE WHEN l.stage_id IN ({closed}) THEN \
          (SELECT i.fit_score FROM insights i WHERE i.lead_id = l.id AND i.fit_verified = 1) END, \
         CASE WHEN l.stage_id IN ({closed}) THEN \
          (SELECT m.moved_at FROM stage_moves m WHERE m.lead_id = l.id AND m.left_at IS NULL) \
         END, \
         (SELECT MAX(p.position) FROM stage_moves m JOIN pipeline_stages p \
          ON p.id = m.to_stage_id AND p.kind != 'lost' WHERE m.lead_id = l.id))) \
         FROM (SELECT * FROM leads WHERE deleted_at IS NULL ORDER BY id) l"
    ))
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<LeadRow> = serde_json::from_str(&json).map_err(|e| corrupt("a lead is", e))?;
    let tags_json: String = sqlx::query_scalar(&format!(
        "SELECT json_group_array(json_array(t.lead_id, t.tag)) FROM \
         (SELECT t.lead_id, t.tag FROM lead_tags t JOIN leads l ON l.id = t.lead_id \
          WHERE l.deleted_at IS NULL AND l.stage_id IN ({closed}) \
          ORDER BY t.lead_id, t.position) t"
    ))
    .fetch_one(&mut *conn)
    .await?;
    let tags: Vec<(i64, String)> =
        serde_json::from_str(&tags_json).map_err(|e| corrupt("a tag is", e))?;
    let mut tags = tags.into_iter().peekable();
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                stage,
                deal_value,
                currency,
                source,
                expected_close,
                fit_score,
                entered,
                furthest,
            )| {
                // Both lists are ordered by lead id.
                let mut own = Vec::new();
                while let Some((_, tag)) = tags.next_if(|(lead, _)| *lead <= id) {
                    own.push(tag);
                }
                ReportLead {
                    id: LeadId(id),
                    stage_id: StageId(stage),
                    deal_value,
                    currency,
                    source,
                    tags: own,
                    fit_score,
                    expected_close,
                    entered_at: entered.map(Timestamp),
                    furthest_position: furthest,
                }
            },
        )
        .collect())
}

/// Finished stays per stage: each move into a stage, up to the lead's next move (`left_at`,
/// which the move trigger writes).
async fn stays(conn: &mut SqliteConnection) -> Result<Vec<StageStays>, StoreError> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT to_stage_id, COUNT(*), SUM(left_at - moved_at) FROM stage_moves \
         WHERE left_at IS NOT NULL AND to_stage_id IS NOT NULL \
         AND lead_id NOT IN (SELECT id FROM leads WHERE deleted_at IS NOT NULL) \
         GROUP BY to_stage_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(stage, stays, total)| StageStays {
            stage_id: StageId(stage),
            stays: u32::try_from(stays).unwrap_or(u32::MAX),
            total_ms: total,
        })
        .collect())
}

impl Store {
    /// Every input of the reports, from one read transaction.
    #[tracing::instrument(skip(self))]
    pub async fn report_inputs(&self) -> Result<ReportInputs, StoreError> {
        let stages = self.stages().await?;
        let mut tx = self.reader.begin().await?;
        let leads = leads(&mut tx, &stages).await?;
        let stays = stays(&mut tx).await?;
        tx.commit().await?;
        Ok(ReportInputs {
            stages,
            leads,
            stays,
        })
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

    /// Every report; months are those of a clock `offset_minutes` east of UTC.
    #[tracing::instrument(skip(self))]
    pub async fn reports(&self, offset_minutes: i32) -> Result<Reports, StoreError> {
        let inputs = self.report_inputs().await?;
        Ok(reports(
            &inputs.stages,
            &inputs.leads,
            &inputs.stays,
            offset_minutes,
        ))
    }

    /// The weighted forecast of the board as it is.
    #[tracing::instrument(skip(self))]
    pub async fn forecast(&self) -> Result<Forecast, StoreError> {
        let stages = self.stages().await?;
        let mut conn = self.reader.acquire().await?;
        let leads = leads(&mut conn, &stages).await?;
        let deals: Vec<ForecastDeal> = leads
            .into_iter()
            .map(|l| ForecastDeal {
                stage_id: l.stage_id,
                value: l.deal_value,
                currency: l.currency,
                expected_close: l.expected_close,
            })
            .collect();
        Ok(forecast(&stages, &deals))
    }
}
