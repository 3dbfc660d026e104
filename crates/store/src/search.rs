//! Full-text search over leads, companies and notes (SQLite FTS5, kept in sync by triggers).
//!
//! Two passes keep every query fast at 100,000 leads: names (the `title` column, small doclists)
//! ranked by BM25, then everything else newest first. FTS5 streams the second pass in rowid order
//! and stops at the limit, so a word found in half of all notes costs no more than a rare one;
//! ranking every such match would. Snippets are built here, only for the rows returned.

use leadscout_domain::{fts_query, snippet, CompanyId, LeadId, SearchHit, SearchKind};

use crate::{Store, StoreError};

#[derive(sqlx::FromRow)]
struct HitRow {
    rid: i64,
    kind: String,
    lead_id: Option<i64>,
    company_id: Option<i64>,
    title: Option<String>,
    indexed_title: String,
    body: String,
}

/// Words of context around the first match.
const SNIPPET_WORDS: usize = 14;

impl Store {
    /// The best `limit` matches for what the user typed: name matches first (best first), then
    /// other matches, newest first. Deleted leads and their notes never appear.
    #[tracing::instrument(skip(self))]
    pub async fn search(&self, input: &str, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
        let Some(query) = fts_query(input) else {
            return Ok(Vec::new());
        };
        let limit = i64::from(limit);
        let mut conn = self.reader.acquire().await?;
        let mut rowids: Vec<i64> = sqlx::query_scalar(
            "SELECT rowid FROM search_index WHERE search_index MATCH ?1 ORDER BY rank LIMIT ?2",
        )
        .bind(format!("title : ({query})"))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        let rest: Vec<i64> = sqlx::query_scalar(
            "SELECT rowid FROM search_index WHERE search_index MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
        )
        .bind(&query)
        .bind(limit + rowids.len() as i64)
        .fetch_all(&mut *conn)
        .await?;
        for rid in rest {
            if !rowids.contains(&rid) {
                rowids.push(rid);
            }
        }
        let ids = serde_json::to_string(&rowids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let rows: Vec<HitRow> = sqlx::query_as(
            "SELECT s.rowid AS rid, s.kind, \
               CASE s.kind \
                 WHEN 'lead' THEN s.ref_id \
                 WHEN 'field' THEN s.ref_id \
                 WHEN 'note' THEN a.lead_id \
                 ELSE (SELECT id FROM leads WHERE company_id = s.ref_id AND deleted_at IS NULL \
                       ORDER BY updated_at DESC LIMIT 1) \
               END AS lead_id, \
               CASE s.kind WHEN 'company' THEN s.ref_id ELSE l.company_id END AS company_id, \
               CASE WHEN s.kind IN ('note', 'field') THEN l.full_name ELSE s.title END AS title, \
               s.title AS indexed_title, s.body \
             FROM json_each(?1) h \
             JOIN search_index s ON s.rowid = h.value \
             LEFT JOIN activities a ON s.kind = 'note' AND a.id = s.ref_id \
             LEFT JOIN leads l ON l.id = CASE s.kind WHEN 'lead' THEN s.ref_id \
                                                     WHEN 'field' THEN s.ref_id \
                                                     WHEN 'note' THEN a.lead_id END \
             WHERE s.kind = 'company' OR l.deleted_at IS NULL \
             ORDER BY h.key",
        )
        .bind(ids)
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        // A lead found by its name and by a custom value is listed once, where it ranks first.
        let mut leads_seen = std::collections::HashSet::new();
        rows.into_iter()
            // A company none of whose leads is left has nothing to open.
            .filter(|row| row.lead_id.is_some())
            .filter(|row| {
                !matches!(row.kind.as_str(), "lead" | "field") || leads_seen.insert(row.lead_id)
            })
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|row| {
                let kind = match row.kind.as_str() {
                    // A custom value: the lead is the hit, the value its snippet.
                    "lead" | "field" => SearchKind::Lead,
                    "company" => SearchKind::Company,
                    "note" => SearchKind::Note,
                    other => {
                        return Err(StoreError::Corrupt(format!(
                            "search index row {} has kind {other:?}",
                            row.rid
                        )))
                    }
                };
                let snippet = snippet(&row.body, input, SNIPPET_WORDS)
                    .or_else(|| snippet(&row.indexed_title, input, SNIPPET_WORDS))
                    .unwrap_or_default();
                Ok(SearchHit {
                    kind,
                    lead_id: row.lead_id.map(LeadId),
                    company_id: row.company_id.map(CompanyId),
                    title: row.title.unwrap_or_default(),
                    snippet,
                })
            })
            .collect()
    }
}
