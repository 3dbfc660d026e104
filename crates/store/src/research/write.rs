use leadscout_domain::{CompanyId, LeadId, RunChanges, RunId, Timestamp};
use sqlx::{Sqlite, Transaction};

use super::{ResearchRecord, SourceRecord};
use crate::{Store, StoreError};

impl Store {
    /// Writes a run's research: replaces the company's sources and signals, stores the
    /// profile, fills the company's empty fields and adds the lead's timeline entry, all in one
    /// transaction keyed by the run (`applied_at`), so a resumed or retried run writes nothing
    /// twice. Returns the lead's card after the write and the card fields it changed; `None`
    /// when the run had already written, or its lead is gone.
    #[tracing::instrument(skip(self, record))]
    pub async fn apply_research(
        &self,
        run: RunId,
        record: &ResearchRecord,
        now: Timestamp,
    ) -> Result<Option<RunChanges>, StoreError> {
        let mut tx = self.write().await?;
        if !crate::runs::claim_effect(&mut tx, run, now).await? {
            return Ok(None);
        }
        let lead: Option<i64> = sqlx::query_scalar(
            "SELECT l.id FROM runs r JOIN leads l ON l.id = r.lead_id \
             WHERE r.id = ? AND l.deleted_at IS NULL",
        )
        .bind(run.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(lead) = lead.map(LeadId) else {
            return Ok(None);
        };
        let before = Store::lead_on(&mut tx, lead).await?;
        let company = company_for(&mut tx, lead, &record.profile.domain, now).await?;
        write_sources(&mut tx, company, run, &record.sources).await?;
        let profile = serde_json::to_string(&record.profile)
            .map_err(|e| StoreError::Corrupt(format!("profile: {e}")))?;
        sqlx::query(
            "UPDATE companies SET profile = ?, researched_at = ?, updated_at = ? WHERE id = ?",
        )
        .bind(profile)
        .bind(now.0)
        .bind(now.0)
        .bind(company.0)
        .execute(&mut *tx)
        .await?;
        if let Some(facts) = &record.facts {
            crate::insights::write_facts(&mut tx, company, run, facts).await?;
        }
        write_back(&mut tx, company, run, record, now).await?;
        if let Some(insights) = &record.insights {
            crate::insights::write_insights(&mut tx, lead, run, insights, now).await?;
        }
        crate::runs::research_entry(&mut tx, run, &record.summary, now).await?;
        let after = Store::lead_on(&mut tx, lead).await?;
        tx.commit().await?;
        Ok(match (before, after) {
            (Some(before), Some(after)) => Some(RunChanges::between(&before.into(), after.into())),
            _ => None,
        })
    }
}

/// The lead's company, or the company of the researched domain, linked to the lead.
async fn company_for(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    domain: &str,
    now: Timestamp,
) -> Result<CompanyId, StoreError> {
    let linked: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT c.id, c.domain FROM leads l JOIN companies c ON c.id = l.company_id WHERE l.id = ?",
    )
    .bind(lead.0)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some((id, Some(_))) = linked {
        return Ok(CompanyId(id));
    }
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM companies WHERE domain = ?")
        .bind(domain)
        .fetch_optional(&mut **tx)
        .await?;
    let id = match (existing, linked) {
        (Some(id), _) => id,
        // A company known only by name learns its domain.
        (None, Some((id, None))) => {
            sqlx::query("UPDATE companies SET domain = ?, updated_at = ? WHERE id = ?")
                .bind(domain)
                .bind(now.0)
                .bind(id)
                .execute(&mut **tx)
                .await?;
            id
        }
        (None, _) => {
            sqlx::query_scalar(
                "INSERT INTO companies (domain, created_at, updated_at) VALUES (?, ?, ?) \
                 RETURNING id",
            )
            .bind(domain)
            .bind(now.0)
            .bind(now.0)
            .fetch_one(&mut **tx)
            .await?
        }
    };
    sqlx::query("UPDATE leads SET company_id = ? WHERE id = ?")
        .bind(id)
        .bind(lead.0)
        .execute(&mut **tx)
        .await?;
    Ok(CompanyId(id))
}

async fn write_sources(
    tx: &mut Transaction<'_, Sqlite>,
    company: CompanyId,
    run: RunId,
    sources: &[SourceRecord],
) -> Result<(), StoreError> {
    // Signals go with their sources (ON DELETE CASCADE).
    sqlx::query("DELETE FROM sources WHERE company_id = ?")
        .bind(company.0)
        .execute(&mut **tx)
        .await?;
    for source in sources {
        let metadata = source.metadata.to_string();
        let injection = serde_json::to_string(&source.injection)
            .map_err(|e| StoreError::Corrupt(format!("injection flags: {e}")))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sources (company_id, run_id, url, kind, status, fetched_at, \
             content_hash, title, text, metadata, injection, etag, last_modified) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (company_id, url) DO UPDATE SET kind = excluded.kind \
             RETURNING id",
        )
        .bind(company.0)
        .bind(run.0)
        .bind(&source.url)
        .bind(&source.kind)
        .bind(i64::from(source.status))
        .bind(source.fetched_at.0)
        .bind(&source.content_hash)
        .bind(&source.title)
        .bind(&source.text)
        .bind(metadata)
        .bind(injection)
        .bind(&source.etag)
        .bind(&source.last_modified)
        .fetch_one(&mut **tx)
        .await?;
        for signal in &source.signals {
            sqlx::query(
                "INSERT INTO signals (company_id, source_id, kind, name, value, evidence, url) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(company.0)
            .bind(id)
            .bind(&signal.kind)
            .bind(&signal.name)
            .bind(&signal.value)
            .bind(&signal.evidence)
            .bind(&signal.url)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// A value research found for a company field, with what states it.
struct Found {
    column: &'static str,
    value: String,
    url: Option<String>,
    quote: Option<String>,
    by: &'static str,
}

/// What a run found for each company field, best source first: the site's own markup, then
/// verified model facts. Unverified facts and "unknown" never appear here.
fn found_values(record: &ResearchRecord) -> Vec<Found> {
    let p = &record.profile;
    let home = p.website.clone();
    let mut found: Vec<Found> = [
        ("name", p.name.clone()),
        ("website", p.website.clone()),
        ("description", p.description.clone()),
        ("location", p.location.clone()),
        ("size_band", p.size.clone()),
    ]
    .into_iter()
    .filter_map(|(column, value)| {
        let value = value?.trim().to_owned();
        (!value.is_empty()).then(|| Found {
            column,
            quote: Some(value.clone()),
            value,
            url: home.clone(),
            by: "website",
        })
    })
    .collect();
    let facts = record.facts.as_deref().unwrap_or_default();
    for (column, field) in [
        ("industry", "industry"),
        ("size_band", "size_band"),
        ("description", "what_they_do"),
    ] {
        let fact = facts.iter().find(|f| {
            f.verified && f.field == field && !f.value.trim().eq_ignore_ascii_case("unknown")
        });
        if let Some(fact) = fact {
            found.push(Found {
                column,
                value: fact.value.trim().to_owned(),
                url: fact.source_url.clone(),
                quote: Some(fact.quote.clone()),
                by: "model",
            });
        }
    }
    found
}

/// Writes what research found into the company, by the write-back policy: an empty field is
/// filled (and marked as research's, with its provenance); a field research wrote before and
/// that now differs gets a proposal the user approves or rejects; a value the user typed is
/// never touched.
async fn write_back(
    tx: &mut Transaction<'_, Sqlite>,
    company: CompanyId,
    run: RunId,
    record: &ResearchRecord,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut decided: Vec<&str> = Vec::new();
    for found in found_values(record) {
        // The first (best) value per field decides.
        if decided.contains(&found.column) {
            continue;
        }
        decided.push(found.column);
        let column = found.column;
        // `column` comes from the constant lists above, never from input.
        let (current, researched): (Option<String>, bool) = sqlx::query_as(&format!(
            "SELECT {column}, EXISTS (SELECT 1 FROM json_each(researched_fields) \
             WHERE value = '{column}') FROM companies WHERE id = ?"
        ))
        .bind(company.0)
        .fetch_one(&mut **tx)
        .await?;
        let provenance = serde_json::json!({
            "url": found.url,
            "quote": found.quote,
            "by": found.by,
            "at": now.0,
        })
        .to_string();
        let current = current.filter(|c| !c.trim().is_empty());
        match current {
            None => {
                sqlx::query(&format!(
                    "UPDATE companies SET {column} = ?1, updated_at = ?2, \
                     researched_fields = CASE WHEN EXISTS (SELECT 1 FROM \
                       json_each(researched_fields) WHERE value = '{column}') \
                       THEN researched_fields ELSE json_insert(researched_fields, '$[#]', '{column}') END, \
                     provenance = json_set(provenance, '$.{column}', json(?3)) WHERE id = ?4"
                ))
                .bind(&found.value)
                .bind(now.0)
                .bind(&provenance)
                .bind(company.0)
                .execute(&mut **tx)
                .await?;
            }
            Some(current) if current.trim().to_lowercase() == found.value.to_lowercase() => {}
            Some(current) if researched && column != "website" => {
                // A value the user rejected before is not proposed again.
                let rejected: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM proposals WHERE company_id = ? AND field = ? \
                     AND status = 'rejected' AND proposed = ?)",
                )
                .bind(company.0)
                .bind(column)
                .bind(&found.value)
                .fetch_one(&mut **tx)
                .await?;
                if rejected {
                    continue;
                }
                sqlx::query(
                    "DELETE FROM proposals WHERE company_id = ? AND field = ? AND status = 'pending'",
                )
                .bind(company.0)
                .bind(column)
                .execute(&mut **tx)
                .await?;
                sqlx::query(
                    "INSERT INTO proposals (company_id, run_id, field, current, proposed, url, \
                     quote, by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(company.0)
                .bind(run.0)
                .bind(column)
                .bind(current)
                .bind(&found.value)
                .bind(&found.url)
                .bind(&found.quote)
                .bind(found.by)
                .bind(now.0)
                .execute(&mut **tx)
                .await?;
            }
            // Typed by the user: never touched.
            Some(_) => {}
        }
    }
    if !record.profile.socials.is_empty() {
        let socials = serde_json::to_string(&record.profile.socials)
            .map_err(|e| StoreError::Corrupt(format!("socials: {e}")))?;
        sqlx::query(
            "UPDATE companies SET socials = ?, updated_at = ? WHERE id = ? AND socials = '[]'",
        )
        .bind(socials)
        .bind(now.0)
        .bind(company.0)
        .execute(&mut **tx)
        .await?;
    }
    // Leads at the company show its name once it is known.
    sqlx::query(
        "UPDATE leads SET company_name = (SELECT name FROM companies WHERE id = ?1) \
         WHERE company_id = ?1 AND (company_name IS NULL OR company_name = '') \
         AND (SELECT name FROM companies WHERE id = ?1) IS NOT NULL",
    )
    .bind(company.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
