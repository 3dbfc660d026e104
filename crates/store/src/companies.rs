//! Companies, keyed by registrable domain so that every lead at acme.com shares one record.

use leadscout_domain::{
    domain_for_display, registrable_domain, research_domain, Company, CompanyId, LeadId,
    SocialLink, Timestamp,
};
use sqlx::{Sqlite, Transaction};
use url::Url;

use crate::{Store, StoreError};

#[derive(sqlx::FromRow)]
struct CompanyRow {
    id: i64,
    domain: Option<String>,
    name: Option<String>,
    website: Option<String>,
    description: Option<String>,
    industry: Option<String>,
    size_band: Option<String>,
    location: Option<String>,
    socials: String,
    researched_fields: String,
    provenance: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<CompanyRow> for Company {
    type Error = StoreError;

    fn try_from(row: CompanyRow) -> Result<Self, StoreError> {
        let socials: Vec<SocialLink> = serde_json::from_str(&row.socials).map_err(|_| {
            StoreError::Corrupt(format!("company {} has unreadable social links", row.id))
        })?;
        Ok(Company {
            id: CompanyId(row.id),
            domain_display: row.domain.as_deref().map(domain_for_display),
            domain: row.domain,
            name: row.name,
            website: row.website,
            description: row.description,
            industry: row.industry,
            size_band: row.size_band,
            location: row.location,
            socials,
            researched_fields: serde_json::from_str(&row.researched_fields).unwrap_or_default(),
            provenance: serde_json::from_str(&row.provenance).unwrap_or_default(),
            created_at: Timestamp(row.created_at),
            updated_at: Timestamp(row.updated_at),
        })
    }
}

/// Points the lead at the company its website (or else its work email) belongs to, creating
/// the company when it is the first lead there. A lead with only a company name shares a
/// name-only company with other leads typed with the same name. The lead's company name is
/// filled from the company when it has none, and names a new company when it has one.
pub(crate) async fn link_company(
    tx: &mut Transaction<'_, Sqlite>,
    id: LeadId,
    now: Timestamp,
) -> Result<Option<CompanyId>, StoreError> {
    let (website, email, name): (Option<String>, Option<String>, Option<String>) =
        sqlx::query_as("SELECT website, email, company_name FROM leads WHERE id = ?")
            .bind(id.0)
            .fetch_one(&mut **tx)
            .await?;
    let domain = research_domain(website.as_deref(), email.as_deref());

    let company_id: Option<i64> =
        match (&domain, &name) {
            (Some(domain), _) => {
                let existing: Option<(i64, Option<String>)> =
                    sqlx::query_as("SELECT id, name FROM companies WHERE domain = ?")
                        .bind(domain)
                        .fetch_optional(&mut **tx)
                        .await?;
                match existing {
                Some((company, company_name)) => {
                    if company_name.is_none() && name.is_some() {
                        sqlx::query("UPDATE companies SET name = ?, updated_at = ? WHERE id = ?")
                            .bind(&name)
                            .bind(now.0)
                            .bind(company)
                            .execute(&mut **tx)
                            .await?;
                    }
                    Some(company)
                }
                None => Some(
                    sqlx::query_scalar(
                        "INSERT INTO companies (domain, name, website, created_at, updated_at) \
                         VALUES (?, ?, ?, ?, ?) RETURNING id",
                    )
                    .bind(domain)
                    .bind(&name)
                    .bind(website.clone().unwrap_or_else(|| format!("https://{domain}/")))
                    .bind(now.0)
                    .bind(now.0)
                    .fetch_one(&mut **tx)
                    .await?,
                ),
            }
            }
            (None, Some(name)) => {
                let existing: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM companies WHERE domain IS NULL AND name = ? COLLATE NOCASE \
                 ORDER BY id LIMIT 1",
                )
                .bind(name)
                .fetch_optional(&mut **tx)
                .await?;
                match existing {
                Some(company) => Some(company),
                None => Some(
                    sqlx::query_scalar(
                        "INSERT INTO companies (name, created_at, updated_at) VALUES (?, ?, ?) \
                         RETURNING id",
                    )
                    .bind(name)
                    .bind(now.0)
                    .bind(now.0)
                    .fetch_one(&mut **tx)
                    .await?,
                ),
            }
            }
            (None, None) => None,
        };
    // The shared company's name is what every lead at it shows.
    sqlx::query(
        "UPDATE leads SET company_id = ?1, \
         company_name = coalesce((SELECT name FROM companies WHERE id = ?1), company_name) \
         WHERE id = ?2",
    )
    .bind(company_id)
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    Ok(company_id.map(CompanyId))
}

impl Store {
    #[tracing::instrument(skip(self))]
    pub async fn company(&self, id: CompanyId) -> Result<Option<Company>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::company_on(&mut conn, id).await
    }

    /// [`Store::company`] on a given connection (a read transaction, for one consistent view).
    pub(crate) async fn company_on(
        conn: &mut sqlx::SqliteConnection,
        id: CompanyId,
    ) -> Result<Option<Company>, StoreError> {
        let row: Option<CompanyRow> = sqlx::query_as(
            "SELECT id, domain, name, website, description, industry, size_band, location, \
             socials, researched_fields, provenance, created_at, updated_at FROM companies WHERE id = ?",
        )
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
        row.map(Company::try_from).transpose()
    }

    /// Links leads that predate companies (databases from before migration 3). Runs once, on
    /// the open that applies migration 3.
    pub(crate) async fn link_unlinked_leads(&self, now: Timestamp) -> Result<usize, StoreError> {
        let mut tx = self.write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM leads WHERE company_id IS NULL AND deleted_at IS NULL \
             AND (website IS NOT NULL OR company_name IS NOT NULL)",
        )
        .fetch_all(&mut *tx)
        .await?;
        for id in &ids {
            link_company(&mut tx, LeadId(*id), now).await?;
        }
        tx.commit().await?;
        Ok(ids.len())
    }

    /// Gives every company listed by migration 9 its canonical (ASCII) domain, merging it into
    /// the company that already has that domain: one firm, one company. Runs on every open and
    /// does nothing once the list is empty; a crash part-way leaves the list for the next open.
    pub(crate) async fn canonicalize_company_domains(
        &self,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        // Almost always empty: then this open writes nothing, so it never waits on (or fails
        // beside) another process that is writing.
        let listed: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM company_domain_fixes)")
            .fetch_one(&self.writer)
            .await?;
        if !listed {
            return Ok(0);
        }
        let mut tx = self.write().await?;
        let pending: Vec<(i64, String)> = sqlx::query_as(
            "SELECT c.id, c.domain FROM company_domain_fixes f \
             JOIN companies c ON c.id = f.company_id WHERE c.domain IS NOT NULL ORDER BY c.id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut merged = 0;
        for (id, domain) in &pending {
            let key = Url::parse(&format!("https://{domain}/"))
                .ok()
                .and_then(|u| registrable_domain(&u));
            let Some(key) = key.filter(|k| k != domain) else {
                continue;
            };
            let target: Option<i64> =
                sqlx::query_scalar("SELECT id FROM companies WHERE domain = ? AND id <> ?")
                    .bind(&key)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            match target {
                Some(into) => {
                    merge_company(&mut tx, *id, into, now).await?;
                    merged += 1;
                }
                None => {
                    sqlx::query(
                        "UPDATE companies SET domain = ?1, updated_at = ?4, website = CASE \
                         WHEN website = 'https://' || ?2 || '/' THEN 'https://' || ?1 || '/' \
                         ELSE website END WHERE id = ?3",
                    )
                    .bind(&key)
                    .bind(domain)
                    .bind(id)
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        sqlx::query("DELETE FROM company_domain_fixes")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(merged)
    }
}

/// Moves everything of company `from` to company `into` and deletes `from`: its leads, pages,
/// signals, facts and proposals (where `into` has the same page, fact key or open proposal, its
/// own is kept), and the values `into` lacks.
async fn merge_company(
    tx: &mut Transaction<'_, Sqlite>,
    from: i64,
    into: i64,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE companies SET \
           name = coalesce(name, (SELECT name FROM companies WHERE id = ?1)), \
           website = coalesce(website, (SELECT website FROM companies WHERE id = ?1)), \
           description = coalesce(description, (SELECT description FROM companies WHERE id = ?1)), \
           industry = coalesce(industry, (SELECT industry FROM companies WHERE id = ?1)), \
           size_band = coalesce(size_band, (SELECT size_band FROM companies WHERE id = ?1)), \
           location = coalesce(location, (SELECT location FROM companies WHERE id = ?1)), \
           profile = coalesce(profile, (SELECT profile FROM companies WHERE id = ?1)), \
           researched_at = coalesce(researched_at, (SELECT researched_at FROM companies WHERE id = ?1)), \
           socials = CASE WHEN socials = '[]' \
             THEN (SELECT socials FROM companies WHERE id = ?1) ELSE socials END, \
           researched_fields = CASE WHEN researched_fields = '[]' \
             THEN (SELECT researched_fields FROM companies WHERE id = ?1) ELSE researched_fields END, \
           provenance = CASE WHEN provenance = '{}' \
             THEN (SELECT provenance FROM companies WHERE id = ?1) ELSE provenance END, \
           updated_at = ?3 \
         WHERE id = ?2",
    )
    .bind(from)
    .bind(into)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    for sql in [
        "UPDATE leads SET company_id = ?2 WHERE company_id = ?1",
        "UPDATE OR IGNORE sources SET company_id = ?2 WHERE company_id = ?1",
        "UPDATE signals SET company_id = ?2 WHERE company_id = ?1",
        "UPDATE OR IGNORE facts SET company_id = ?2 WHERE company_id = ?1",
        "UPDATE OR IGNORE proposals SET company_id = ?2 WHERE company_id = ?1",
        // What stayed behind (a page or fact `into` has too) goes with `from`.
        "DELETE FROM companies WHERE id = ?1",
    ] {
        sqlx::query(sql)
            .bind(from)
            .bind(into)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
