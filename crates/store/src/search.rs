//! Full-text search over leads, companies and notes (SQLite FTS5, kept in sync by triggers).

use leadscout_domain::{fts_query, CompanyId, LeadId, SearchHit, SearchKind};

use crate::{Store, StoreError};

#[derive(sqlx::FromRow)]
struct HitRow {
    kind: String,
    lead_id: Option<i64>,
    company_id: Option<i64>,
    title: Option<String>,
    snippet: String,
}

impl Store {
    /// The best `limit` matches for what the user typed, best first. Deleted leads and their
    /// notes never appear.
    #[tracing::instrument(skip(self))]
    pub async fn search(&self, input: &str, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
        let Some(query) = fts_query(input) else {
            return Ok(Vec::new());
        };
        let rows: Vec<HitRow> = sqlx::query_as(
            "WITH hits AS ( \
               SELECT kind, ref_id, title AS indexed_title, \
                 snippet(search_index, -1, char(57344), char(57345), '…', 10) AS snippet, \
                 bm25(search_index, 0.0, 0.0, 8.0, 1.0) AS rank \
               FROM search_index WHERE search_index MATCH ?1 ORDER BY rank LIMIT ?2 * 2 \
             ) \
             SELECT h.kind, \
               CASE h.kind \
                 WHEN 'lead' THEN h.ref_id \
                 WHEN 'note' THEN a.lead_id \
                 ELSE (SELECT id FROM leads WHERE company_id = h.ref_id AND deleted_at IS NULL \
                       ORDER BY updated_at DESC LIMIT 1) \
               END AS lead_id, \
               CASE h.kind WHEN 'company' THEN h.ref_id ELSE l.company_id END AS company_id, \
               CASE h.kind WHEN 'note' THEN l.full_name ELSE h.indexed_title END AS title, \
               h.snippet \
             FROM hits h \
             LEFT JOIN activities a ON h.kind = 'note' AND a.id = h.ref_id \
             LEFT JOIN leads l ON l.id = CASE h.kind WHEN 'lead' THEN h.ref_id \
                                                     WHEN 'note' THEN a.lead_id END \
             WHERE h.kind = 'company' OR l.deleted_at IS NULL \
             ORDER BY h.rank LIMIT ?2",
        )
        .bind(&query)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            // A company none of whose leads is left has nothing to open.
            .filter(|row| row.lead_id.is_some())
            .map(|row| {
                let kind = match row.kind.as_str() {
                    "lead" => SearchKind::Lead,
                    "company" => SearchKind::Company,
                    "note" => SearchKind::Note,
                    other => {
                        return Err(StoreError::Corrupt(format!("search index kind {other:?}")))
                    }
                };
                Ok(SearchHit {
                    kind,
                    lead_id: row.lead_id.map(LeadId),
                    company_id: row.company_id.map(CompanyId),
                    title: row.title.unwrap_or_default(),
                    snippet: row.snippet,
                })
            })
            .collect()
    }
}
