use leadscout_domain::{CompanyId, Proposal, Timestamp};

use crate::{Store, StoreError};

impl Store {
    /// The company's proposals waiting for a decision, oldest first.
    pub async fn pending_proposals(&self, company: CompanyId) -> Result<Vec<Proposal>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::pending_proposals_on(&mut conn, company).await
    }

    /// [`Store::pending_proposals`] on a given connection (a read transaction, for one consistent view).
    pub(crate) async fn pending_proposals_on(
        conn: &mut sqlx::SqliteConnection,
        company: CompanyId,
    ) -> Result<Vec<Proposal>, StoreError> {
        type Row = (
            i64,
            String,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            String,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, field, current, proposed, url, quote, by, created_at FROM proposals \
             WHERE company_id = ? AND status = 'pending' ORDER BY id",
        )
        .bind(company.0)
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, field, current, proposed, url, quote, by, created_at)| Proposal {
                    id,
                    field,
                    current,
                    proposed,
                    url,
                    quote,
                    by,
                    created_at: Timestamp(created_at),
                },
            )
            .collect())
    }

    /// Approves or rejects proposals of one company. An approved value replaces the field (if
    /// it still holds what the proposal showed: a value the user typed since then wins) and
    /// takes the proposal's provenance. Returns how many were applied.
    pub async fn decide_proposals(
        &self,
        company: CompanyId,
        ids: &[i64],
        approve: bool,
        now: Timestamp,
    ) -> Result<u32, StoreError> {
        let mut tx = self.write().await?;
        let mut applied = 0;
        for id in ids {
            let row: Option<ProposalRow> = sqlx::query_as(
                "SELECT field, current, proposed, url, quote, by FROM proposals \
                     WHERE id = ? AND company_id = ? AND status = 'pending'",
            )
            .bind(id)
            .bind(company.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((field, current, proposed, url, quote, by)) = row else {
                continue;
            };
            let status = if approve { "approved" } else { "rejected" };
            sqlx::query("UPDATE proposals SET status = ?, decided_at = ? WHERE id = ?")
                .bind(status)
                .bind(now.0)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if !approve {
                continue;
            }
            let Some(column) = REVIEWABLE.iter().find(|c| **c == field) else {
                continue;
            };
            let provenance =
                serde_json::json!({ "url": url, "quote": quote, "by": by, "at": now.0 })
                    .to_string();
            // `column` is one of REVIEWABLE, never input.
            let done = sqlx::query(&format!(
                "UPDATE companies SET {column} = ?1, updated_at = ?2, \
                 provenance = json_set(provenance, '$.{column}', json(?3)) \
                 WHERE id = ?4 AND {column} IS ?5 AND EXISTS (SELECT 1 FROM \
                 json_each(researched_fields) WHERE value = '{column}')"
            ))
            .bind(&proposed)
            .bind(now.0)
            .bind(&provenance)
            .bind(company.0)
            .bind(&current)
            .execute(&mut *tx)
            .await?;
            applied += u32::try_from(done.rows_affected()).unwrap_or(0);
        }
        tx.commit().await?;
        Ok(applied)
    }
}

/// A pending proposal as `decide_proposals` reads it: field, current, proposed, url, quote, by.
type ProposalRow = (
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
);

/// The company fields a proposal may replace.
const REVIEWABLE: [&str; 5] = ["name", "description", "location", "size_band", "industry"];
