use leadscout_domain::{
    CompanyId, CompanyProfile, CompanyResearch, SignalView, SourceView, Timestamp,
};

use super::SourceRecord;
use crate::{Store, StoreError};

impl Store {
    /// What research knows about the company, or `None` before its first finished run.
    pub async fn company_research(
        &self,
        company: CompanyId,
    ) -> Result<Option<CompanyResearch>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::company_research_on(&mut conn, company).await
    }

    /// [`Store::company_research`] on a given connection (a read transaction, for one consistent view).
    pub(crate) async fn company_research_on(
        conn: &mut sqlx::SqliteConnection,
        company: CompanyId,
    ) -> Result<Option<CompanyResearch>, StoreError> {
        let row: Option<(Option<String>, Option<i64>)> =
            sqlx::query_as("SELECT profile, researched_at FROM companies WHERE id = ?")
                .bind(company.0)
                .fetch_optional(&mut *conn)
                .await?;
        let Some((Some(profile), Some(researched_at))) = row else {
            return Ok(None);
        };
        let profile: CompanyProfile = serde_json::from_str(&profile)
            .map_err(|e| StoreError::Corrupt(format!("company {} profile: {e}", company.0)))?;
        let sources: Vec<(String, String, Option<String>, i64, String)> = sqlx::query_as(
            "SELECT url, kind, title, fetched_at, injection FROM sources \
             WHERE company_id = ? ORDER BY id",
        )
        .bind(company.0)
        .fetch_all(&mut *conn)
        .await?;
        let signals: Vec<(String, String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT kind, name, value, evidence, url FROM signals WHERE company_id = ? \
             ORDER BY kind, name, id",
        )
        .bind(company.0)
        .fetch_all(&mut *conn)
        .await?;
        let facts = Self::company_facts_on(conn, company).await?;
        Ok(Some(CompanyResearch {
            facts,
            profile,
            researched_at: Timestamp(researched_at),
            sources: sources
                .into_iter()
                .map(|(url, kind, title, fetched_at, injection)| SourceView {
                    url,
                    kind,
                    title,
                    fetched_at: Timestamp(fetched_at),
                    flagged: injection != "[]",
                })
                .collect(),
            signals: signals
                .into_iter()
                .map(|(kind, name, value, evidence, url)| SignalView {
                    kind,
                    name,
                    value,
                    evidence,
                    url,
                })
                .collect(),
        }))
    }

    /// The pages last read for the company with this domain, whole, so a new crawl can ask the
    /// site for only what changed.
    pub async fn stored_sources(&self, domain: &str) -> Result<Vec<SourceRecord>, StoreError> {
        type Row = (
            i64,
            String,
            String,
            i64,
            i64,
            String,
            Option<String>,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT s.id, s.url, s.kind, s.status, s.fetched_at, s.content_hash, s.title, s.text, \
             s.metadata, s.injection, s.etag, s.last_modified \
             FROM sources s JOIN companies c ON c.id = s.company_id WHERE c.domain = ? \
             ORDER BY s.id",
        )
        .bind(domain)
        .fetch_all(&self.reader)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (
            id,
            url,
            kind,
            status,
            fetched_at,
            content_hash,
            title,
            text,
            metadata,
            injection,
            etag,
            last_modified,
        ) in rows
        {
            let signals: Vec<(String, String, Option<String>, String, String)> = sqlx::query_as(
                "SELECT kind, name, value, evidence, url FROM signals WHERE source_id = ? ORDER BY id",
            )
            .bind(id)
            .fetch_all(&self.reader)
            .await?;
            let corrupt = |what: &str, e: serde_json::Error| {
                StoreError::Corrupt(format!("source {id} {what}: {e}"))
            };
            out.push(SourceRecord {
                url,
                kind,
                status: u16::try_from(status).unwrap_or(200),
                fetched_at: Timestamp(fetched_at),
                content_hash,
                title,
                text,
                metadata: serde_json::from_str(&metadata).map_err(|e| corrupt("metadata", e))?,
                injection: serde_json::from_str(&injection).map_err(|e| corrupt("flags", e))?,
                signals: signals
                    .into_iter()
                    .map(|(kind, name, value, evidence, url)| SignalView {
                        kind,
                        name,
                        value,
                        evidence,
                        url,
                    })
                    .collect(),
                etag,
                last_modified,
            });
        }
        Ok(out)
    }

    /// The text of the pages research read for a company, by URL (for the model stages and
    /// for search).
    pub async fn source_texts(
        &self,
        company: CompanyId,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT url, text FROM sources WHERE company_id = ? ORDER BY id")
                .bind(company.0)
                .fetch_all(&self.reader)
                .await?,
        )
    }
}
