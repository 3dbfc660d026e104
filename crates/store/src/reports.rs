//! What the forecast and the reports are computed from: every live lead's stage, deal, source,
//! tags and fit score, and the record of stage moves. The arithmetic is the domain's.

use leadscout_domain::{
    forecast, reports, Forecast, ForecastDeal, LeadId, ReportLead, Reports, Stage, StageId,
    StageMove, Timestamp,
};
use sqlx::SqliteConnection;

use crate::{Store, StoreError};

/// The inputs of the reports, read in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInputs {
    pub stages: Vec<Stage>,
    pub leads: Vec<ReportLead>,
    pub moves: Vec<StageMove>,
}

type LeadRow = (
    i64,
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<u8>,
);

fn corrupt(what: &str, e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("{what} unreadable for the reports: {e}"))
}

// Each query builds one JSON document that serde reads in a single pass: at 100,000 leads that
// is several times faster than decoding rows one by one (as for the board).
async fn leads(conn: &mut SqliteConnection) -> Result<Vec<ReportLead>, StoreError> {
    let json: String = sqlx::query_scalar(
        "SELECT json_group_array(json_array(l.id, l.stage_id, l.deal_value, l.currency, \
         l.source, l.expected_close, \
         (SELECT i.fit_score FROM insights i WHERE i.lead_id = l.id AND i.fit_verified = 1))) \
         FROM (SELECT * FROM leads WHERE deleted_at IS NULL ORDER BY id) l",
    )
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<LeadRow> = serde_json::from_str(&json).map_err(|e| corrupt("a lead is", e))?;
    let tags_json: String = sqlx::query_scalar(
        "SELECT json_group_array(json_array(t.lead_id, t.tag)) FROM \
         (SELECT t.lead_id, t.tag FROM lead_tags t JOIN leads l ON l.id = t.lead_id \
          WHERE l.deleted_at IS NULL ORDER BY t.lead_id, t.position) t",
    )
    .fetch_one(&mut *conn)
    .await?;
    let tags: Vec<(i64, String)> =
        serde_json::from_str(&tags_json).map_err(|e| corrupt("a tag is", e))?;
    let mut tags = tags.into_iter().peekable();
    Ok(rows
        .into_iter()
        .map(
            |(id, stage, deal_value, currency, source, expected_close, fit_score)| {
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
                }
            },
        )
        .collect())
}

async fn moves(conn: &mut SqliteConnection) -> Result<Vec<StageMove>, StoreError> {
    let json: String = sqlx::query_scalar(
        "SELECT json_group_array(json_array(lead_id, from_stage_id, to_stage_id, moved_at)) \
         FROM stage_moves",
    )
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<(i64, Option<i64>, Option<i64>, i64)> =
        serde_json::from_str(&json).map_err(|e| corrupt("a stage move is", e))?;
    Ok(rows
        .into_iter()
        .map(|(lead, from, to, at)| StageMove {
            lead_id: LeadId(lead),
            from: from.map(StageId),
            to: to.map(StageId),
            at: Timestamp(at),
        })
        .collect())
}

impl Store {
    /// Every input of the reports, from one read transaction.
    #[tracing::instrument(skip(self))]
    pub async fn report_inputs(&self) -> Result<ReportInputs, StoreError> {
        let stages = self.stages().await?;
        let mut tx = self.reader.begin().await?;
        let leads = leads(&mut tx).await?;
        let moves = moves(&mut tx).await?;
        tx.commit().await?;
        Ok(ReportInputs {
            stages,
            leads,
            moves,
        })
    }

    /// Every report; months are those of a clock `offset_minutes` east of UTC.
    #[tracing::instrument(skip(self))]
    pub async fn reports(&self, offset_minutes: i32) -> Result<Reports, StoreError> {
        let inputs = self.report_inputs().await?;
        Ok(reports(
            &inputs.stages,
            &inputs.leads,
            &inputs.moves,
            offset_minutes,
        ))
    }

    /// The weighted forecast of the board as it is.
    #[tracing::instrument(skip(self))]
    pub async fn forecast(&self) -> Result<Forecast, StoreError> {
        let stages = self.stages().await?;
        let mut conn = self.reader.acquire().await?;
        let leads = leads(&mut conn).await?;
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
