//! Importing leads in batches: each batch is one transaction, so a failure loses that batch at
//! most and never half a lead. Duplicates (same email, else same name at the same company
//! domain) are skipped, merged (empty fields filled) or created anyway, as the user chose.

use leadscout_domain::{
    email_company_domain, registrable_domain, Duplicates, FieldValue, LeadField, LeadId,
    PipelineId, Timestamp,
};
use std::collections::HashMap;

use sqlx::{Sqlite, Transaction};

use crate::companies::link_company;
use crate::leads::{text_column, POSITION_GAP};
use crate::{Store, StoreError};

/// One validated row.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportLead {
    pub full_name: String,
    pub values: Vec<FieldValue>,
    /// Becomes the lead's first timeline note.
    pub note: Option<String>,
    /// Custom field values, already checked against their fields.
    pub custom: Vec<(leadscout_domain::CustomFieldId, String)>,
}

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Created(LeadId),
    Merged(LeadId),
    Skipped(LeadId),
}

fn text(values: &[FieldValue], field: LeadField) -> Option<&str> {
    values.iter().find_map(|v| match v {
        FieldValue::Text(f, Some(t)) if *f == field => Some(t.as_str()),
        _ => None,
    })
}

fn website(values: &[FieldValue]) -> Option<&url::Url> {
    values.iter().find_map(|v| match v {
        FieldValue::Website(Some(u)) => Some(u),
        _ => None,
    })
}

/// The column and bound text of a value an import may set.
fn column(value: &FieldValue) -> Option<(&'static str, Option<String>)> {
    match value {
        FieldValue::Text(field, text) => Some((text_column(*field).ok()?, text.clone())),
        FieldValue::Website(url) => Some(("website", url.as_ref().map(|u| u.to_string()))),
        _ => None,
    }
}

/// Where a row's company is: its registrable domain, else its company name.
fn company_key(row: &ImportLead) -> (Option<String>, Option<String>) {
    let email = text(&row.values, LeadField::Email);
    let domain = website(&row.values)
        .and_then(registrable_domain)
        .or_else(|| email.and_then(email_company_domain));
    let name = text(&row.values, LeadField::CompanyName).map(str::to_owned);
    (domain, name)
}

/// SQLite's limit on bound parameters is 32,766; statements here stay far below it.
const CHUNK: usize = 400;

/// Existing leads by lower-cased email, for the emails in `rows`.
async fn leads_by_email(
    tx: &mut Transaction<'_, Sqlite>,
    emails: &[String],
) -> Result<HashMap<String, LeadId>, StoreError> {
    let mut found = HashMap::new();
    for chunk in emails.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT lower(email), MIN(id) FROM leads WHERE lower(email) IN ({marks}) \
             AND email IS NOT NULL AND deleted_at IS NULL GROUP BY lower(email)"
        );
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
        for email in chunk {
            query = query.bind(email);
        }
        for (email, id) in query.fetch_all(&mut **tx).await? {
            found.insert(email, LeadId(id));
        }
    }
    Ok(found)
}

/// Existing leads by (company domain, lower-cased name), for the domains in `domains`.
async fn leads_by_name(
    tx: &mut Transaction<'_, Sqlite>,
    domains: &[String],
) -> Result<HashMap<(String, String), LeadId>, StoreError> {
    let mut found = HashMap::new();
    for chunk in domains.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT c.domain, lower(l.full_name), MIN(l.id) FROM leads l \
             JOIN companies c ON c.id = l.company_id \
             WHERE c.domain IN ({marks}) AND l.deleted_at IS NULL GROUP BY 1, 2"
        );
        let mut query = sqlx::query_as::<_, (String, String, i64)>(&sql);
        for domain in chunk {
            query = query.bind(domain);
        }
        for (domain, name, id) in query.fetch_all(&mut **tx).await? {
            found.insert((domain, name), LeadId(id));
        }
    }
    Ok(found)
}

/// A company to find or create: its name and website as the rows give them.
type CompanySeed = (Option<String>, Option<String>);

/// Company ids by domain, creating the companies that do not exist yet.
async fn companies_by_domain(
    tx: &mut Transaction<'_, Sqlite>,
    wanted: &HashMap<String, CompanySeed>,
    now: Timestamp,
) -> Result<HashMap<String, (i64, Option<String>)>, StoreError> {
    let domains: Vec<(&String, &CompanySeed)> = wanted.iter().collect();
    for chunk in domains.chunks(CHUNK) {
        let rows = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO companies (domain, name, website, created_at, updated_at) VALUES {rows} \
             ON CONFLICT (domain) DO UPDATE SET name = coalesce(companies.name, excluded.name)"
        );
        let mut query = sqlx::query(&sql);
        for (domain, (name, site)) in chunk {
            query = query
                .bind(*domain)
                .bind(name)
                .bind(site.clone().unwrap_or_else(|| format!("https://{domain}/")))
                .bind(now.0)
                .bind(now.0);
        }
        query.execute(&mut **tx).await?;
    }
    let mut found = HashMap::new();
    for chunk in domains.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!("SELECT domain, id, name FROM companies WHERE domain IN ({marks})");
        let mut query = sqlx::query_as::<_, (String, i64, Option<String>)>(&sql);
        for (domain, _) in chunk {
            query = query.bind(*domain);
        }
        for (domain, id, name) in query.fetch_all(&mut **tx).await? {
            found.insert(domain, (id, name));
        }
    }
    Ok(found)
}

impl Store {
    /// Imports a batch in one transaction, at the top of the first pipeline's first stage, in
    /// file order.
    pub async fn import_leads(
        &self,
        batch: &[ImportLead],
        duplicates: Duplicates,
        now: Timestamp,
    ) -> Result<Vec<Imported>, StoreError> {
        self.import_leads_into(batch, duplicates, None, now).await
    }

    /// Imports a batch in one transaction, at the top of `pipeline`'s first stage (the first
    /// pipeline's when `None`), in file order. The work is done a batch at a time (duplicate
    /// lookups, companies, leads, notes: a handful of statements per batch), so 100,000 rows
    /// take seconds, not minutes.
    pub async fn import_leads_into(
        &self,
        batch: &[ImportLead],
        duplicates: Duplicates,
        pipeline: Option<PipelineId>,
        now: Timestamp,
    ) -> Result<Vec<Imported>, StoreError> {
        let mut tx = self.write().await?;
        let stage: i64 = match pipeline {
            Some(pipeline) => crate::stages::first_in(&mut tx, pipeline).await?,
            None => crate::stages::first(&mut tx).await?,
        }
        .0;
        let top: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(position) FROM leads WHERE stage_id = ? AND deleted_at IS NULL",
        )
        .bind(stage)
        .fetch_one(&mut *tx)
        .await?;

        // 1. Duplicates: by email in one query per chunk, then by name at the company domain
        //    (rare, row by row), and within the batch itself.
        let keys: Vec<(Option<String>, Option<String>)> = batch.iter().map(company_key).collect();
        let emails: Vec<String> = batch
            .iter()
            .filter_map(|r| text(&r.values, LeadField::Email))
            .map(str::to_lowercase)
            .collect();
        let (by_email, by_name) = if duplicates == Duplicates::Create {
            (HashMap::new(), HashMap::new())
        } else {
            let mut domains: Vec<String> = keys.iter().filter_map(|k| k.0.clone()).collect();
            domains.sort();
            domains.dedup();
            (
                leads_by_email(&mut tx, &emails).await?,
                leads_by_name(&mut tx, &domains).await?,
            )
        };
        // What each row comes to: decided now, a new lead (id known after the insert), or a
        // repeat of an earlier row of this batch.
        enum Slot {
            Decided(Imported),
            New,
            SameAs(usize),
        }
        let mut slots: Vec<Slot> = Vec::with_capacity(batch.len());
        let mut seen_email: HashMap<String, usize> = HashMap::new();
        let mut seen_name: HashMap<(String, String), usize> = HashMap::new();
        let mut fresh = Vec::new();
        for (i, row) in batch.iter().enumerate() {
            if duplicates == Duplicates::Create {
                fresh.push(i);
                slots.push(Slot::New);
                continue;
            }
            let email = text(&row.values, LeadField::Email).map(str::to_lowercase);
            let name_key = keys[i].0.clone().map(|d| (d, row.full_name.to_lowercase()));
            let existing_id = email
                .as_ref()
                .and_then(|e| by_email.get(e))
                .or_else(|| name_key.as_ref().and_then(|k| by_name.get(k)))
                .copied();
            let earlier = email
                .as_ref()
                .and_then(|e| seen_email.get(e))
                .or_else(|| name_key.as_ref().and_then(|k| seen_name.get(k)))
                .copied();
            match (existing_id, earlier) {
                (Some(id), _) => {
                    if duplicates == Duplicates::Merge {
                        fill_empty(&mut tx, id, row, now).await?;
                        slots.push(Slot::Decided(Imported::Merged(id)));
                    } else {
                        slots.push(Slot::Decided(Imported::Skipped(id)));
                    }
                }
                // The same person twice in one batch: the first row wins.
                (None, Some(first)) => slots.push(Slot::SameAs(first)),
                (None, None) => {
                    if let Some(e) = email {
                        seen_email.insert(e, i);
                    }
                    if let Some(k) = name_key {
                        seen_name.insert(k, i);
                    }
                    fresh.push(i);
                    slots.push(Slot::New);
                }
            }
        }

        // 2. Companies for the new leads, by domain in bulk; name-only ones one by one.
        let mut wanted: HashMap<String, CompanySeed> = HashMap::new();
        for &i in &fresh {
            if let (Some(domain), name) = &keys[i] {
                let site = website(&batch[i].values).map(|u| u.to_string());
                let entry = wanted.entry(domain.clone()).or_insert((None, None));
                if entry.0.is_none() {
                    entry.0.clone_from(name);
                }
                if entry.1.is_none() {
                    entry.1 = site;
                }
            }
        }
        let companies = companies_by_domain(&mut tx, &wanted, now).await?;

        // 3. The leads, many per statement.
        let mut position =
            top.unwrap_or(0) - POSITION_GAP * i64::try_from(fresh.len()).unwrap_or(0);
        let mut created: Vec<(usize, i64)> = Vec::with_capacity(fresh.len());
        let mut name_only: Vec<usize> = Vec::new();
        for chunk in fresh.chunks(CHUNK / 2) {
            let marks = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO leads (full_name, title, email, phone, linkedin_url, company_name, \
                 website, source, expected_close, company_id, stage_id, position, created_at, \
                 updated_at) \
                 VALUES {marks} RETURNING id"
            );
            let mut query = sqlx::query_scalar::<_, i64>(&sql);
            for &i in chunk {
                let row = &batch[i];
                let get = |field: LeadField| text(&row.values, field);
                let company = keys[i].0.as_ref().and_then(|d| companies.get(d));
                if company.is_none() && keys[i].1.is_some() {
                    name_only.push(i);
                }
                // The shared company's name is what every lead at it shows.
                let company_name = company
                    .and_then(|(_, name)| name.clone())
                    .or_else(|| get(LeadField::CompanyName).map(str::to_owned));
                query = query
                    .bind(&row.full_name)
                    .bind(get(LeadField::Title))
                    .bind(get(LeadField::Email))
                    .bind(get(LeadField::Phone))
                    .bind(get(LeadField::LinkedinUrl))
                    .bind(company_name)
                    .bind(website(&row.values).map(|u| u.to_string()))
                    .bind(get(LeadField::Source))
                    .bind(get(LeadField::ExpectedClose))
                    .bind(company.map(|(id, _)| *id))
                    .bind(stage)
                    .bind(position)
                    .bind(now.0)
                    .bind(now.0);
                position += POSITION_GAP;
            }
            // RETURNING gives the ids in the order of the VALUES rows.
            let ids = query.fetch_all(&mut *tx).await?;
            created.extend(chunk.iter().copied().zip(ids));
        }
        for &i in &name_only {
            if let Some((_, id)) = created.iter().find(|(row, _)| *row == i) {
                link_company(&mut tx, LeadId(*id), now).await?;
            }
        }

        // 4. Custom field values of the new leads.
        for (i, id) in &created {
            for (field, value) in &batch[*i].custom {
                crate::custom_fields::write_value(&mut tx, LeadId(*id), *field, Some(value), now)
                    .await?;
            }
        }

        // 5. Notes.
        let notes: Vec<(i64, &str)> = created
            .iter()
            .filter_map(|(i, id)| batch[*i].note.as_deref().map(|n| (*id, n)))
            .collect();
        for chunk in notes.chunks(CHUNK / 2) {
            let marks = vec!["(?, 'note', ?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO activities (lead_id, kind, body, occurred_at, created_at) VALUES {marks}"
            );
            let mut query = sqlx::query(&sql);
            for (id, note) in chunk {
                query = query.bind(id).bind(note).bind(now.0).bind(now.0);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;

        let ids: HashMap<usize, LeadId> =
            created.into_iter().map(|(i, id)| (i, LeadId(id))).collect();
        let resolved: Vec<Imported> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| match slot {
                Slot::Decided(outcome) => *outcome,
                // Every new row was inserted above, so its id is known.
                Slot::New => Imported::Created(ids.get(&i).copied().unwrap_or(LeadId(0))),
                Slot::SameAs(first) => {
                    Imported::Skipped(ids.get(first).copied().unwrap_or(LeadId(0)))
                }
            })
            .collect();
        Ok(resolved)
    }
}

async fn fill_empty(
    tx: &mut Transaction<'_, Sqlite>,
    id: LeadId,
    row: &ImportLead,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut relink = false;
    for value in &row.values {
        let Some((column, Some(bound))) = column(value) else {
            continue;
        };
        let done = sqlx::query(&format!(
            "UPDATE leads SET {column} = ?, updated_at = ? \
             WHERE id = ? AND ({column} IS NULL OR {column} = '')"
        ))
        .bind(bound)
        .bind(now.0)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
        relink |=
            done.rows_affected() > 0 && matches!(column, "website" | "email" | "company_name");
    }
    if relink {
        link_company(tx, id, now).await?;
    }
    // Custom fields too: only those the lead has no value for.
    for (field, value) in &row.custom {
        sqlx::query(
            "INSERT OR IGNORE INTO lead_field_values (lead_id, field_id, value, updated_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(id.0)
        .bind(field.0)
        .bind(value)
        .bind(now.0)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
