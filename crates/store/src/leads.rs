//! Leads: creating, editing, moving, deleting, and laying them out on the board.

use std::collections::HashMap;

use leadscout_domain::{
    normalize_tags, Board, BoardColumn, FieldError, FieldValue, Lead, LeadDraft, LeadField, LeadId,
    RunId, RunTrigger, StageId, Timestamp,
};
use sqlx::{Sqlite, Transaction};

use crate::companies::link_company;
use crate::{Store, StoreError};

/// Positions are spaced this far apart so a card can usually be placed between two others by
/// writing one row.
pub(crate) const POSITION_GAP: i64 = 1024;

/// One lead (`l`) as a JSON object spelled like [`Lead`], with `tags` as the given SQL
/// expression. Both the single-lead reads and the board use it, so there is one mapping.
fn lead_json(tags: &str) -> String {
    format!(
        "json_object('id', l.id, 'fullName', l.full_name, 'title', l.title, 'email', l.email, \
         'phone', l.phone, 'linkedinUrl', l.linkedin_url, 'companyId', l.company_id, \
         'companyName', l.company_name, 'website', l.website, 'source', l.source, \
         'stageId', l.stage_id, 'position', l.position, 'dealValue', l.deal_value, \
         'currency', l.currency, 'nextStep', l.next_step, 'nextStepDue', l.next_step_due, \
         'nextStepTime', l.next_step_time, 'followUpAt', l.follow_up_at, \
         'expectedClose', l.expected_close, \
         'tags', {tags}, 'researchedFields', json(l.researched_fields), \
         'fitScore', (SELECT i.fit_score FROM insights i WHERE i.lead_id = l.id \
         AND i.fit_verified = 1), \
         'lastContactedAt', (SELECT max(a.occurred_at) FROM activities a \
         WHERE a.lead_id = l.id AND a.deleted_at IS NULL AND a.kind IN ('call', 'email', 'meeting')), \
         'closedAt', l.closed_at, 'lostReason', l.lost_reason, 'lostNote', l.lost_note, \
         'createdAt', l.created_at, 'updatedAt', l.updated_at)"
    )
}

/// A lead's own tags, in order, as a JSON array.
const OWN_TAGS: &str = "json((SELECT json_group_array(tag) FROM \
     (SELECT tag FROM lead_tags t WHERE t.lead_id = l.id ORDER BY position)))";

fn parse_lead(json: &str) -> Result<Lead, StoreError> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("a lead is unreadable: {e}")))
}

/// Where a moved card goes: into `stage_id`, directly above `before` (or at the bottom).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub stage_id: StageId,
    pub before: Option<LeadId>,
}

pub(crate) async fn lead_in(
    tx: &mut Transaction<'_, Sqlite>,
    id: LeadId,
) -> Result<Lead, StoreError> {
    let json: Option<String> = sqlx::query_scalar(&format!(
        "SELECT {} FROM leads l WHERE l.id = ? AND l.deleted_at IS NULL",
        lead_json(OWN_TAGS)
    ))
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?;
    parse_lead(&json.ok_or(StoreError::LeadNotFound(id))?)
}

/// Whether research can start from the lead: [`leadscout_domain::research_domain`] on its
/// website and email, the same rule that linked its company.
pub(crate) async fn has_identity(
    tx: &mut Transaction<'_, Sqlite>,
    id: LeadId,
) -> Result<bool, StoreError> {
    let found: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT website, email FROM leads WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some_and(|(website, email)| {
        leadscout_domain::research_domain(website.as_deref(), email.as_deref()).is_some()
    }))
}

async fn stage_exists(tx: &mut Transaction<'_, Sqlite>, id: StageId) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM pipeline_stages WHERE id = ?")
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some())
}

async fn stage_name(tx: &mut Transaction<'_, Sqlite>, id: StageId) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT name FROM pipeline_stages WHERE id = ?")
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::StageNotFound(id))
}

impl Store {
    /// Adds a lead at the top of its stage (the board's first stage when none is given), linked
    /// to the company of its website or work email.
    #[tracing::instrument(skip(self, draft))]
    pub async fn create_lead(&self, draft: &LeadDraft, now: Timestamp) -> Result<Lead, StoreError> {
        Ok(self.create_lead_in(draft, None, now).await?.0)
    }

    /// [`Store::create_lead`], and in the same transaction a `workflow` run when the lead has
    /// an identity research can start from (a company domain from its website or work email).
    #[tracing::instrument(skip(self, draft))]
    pub async fn create_lead_and_research(
        &self,
        draft: &LeadDraft,
        workflow: &str,
        now: Timestamp,
    ) -> Result<(Lead, Option<RunId>), StoreError> {
        self.create_lead_in(draft, Some(workflow), now).await
    }

    async fn create_lead_in(
        &self,
        draft: &LeadDraft,
        workflow: Option<&str>,
        now: Timestamp,
    ) -> Result<(Lead, Option<RunId>), StoreError> {
        let mut tx = self.write().await?;
        let stage_id = match draft.stage_id {
            Some(id) if stage_exists(&mut tx, id).await? => id,
            Some(id) => return Err(StoreError::StageNotFound(id)),
            None => crate::stages::first(&mut tx).await?,
        };
        // New leads go on top: they are the ones that need attention next.
        let top: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(position) FROM leads WHERE stage_id = ? AND deleted_at IS NULL",
        )
        .bind(stage_id.0)
        .fetch_one(&mut *tx)
        .await?;
        let position = top.map_or(0, |p| p - POSITION_GAP);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO leads (full_name, email, company_name, website, stage_id, position, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&draft.full_name)
        .bind(&draft.email)
        .bind(&draft.company_name)
        .bind(draft.website.as_ref().map(|u| u.as_str()))
        .bind(stage_id.0)
        .bind(position)
        .bind(now.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        link_company(&mut tx, LeadId(id), now).await?;
        let run = match workflow {
            Some(workflow) if has_identity(&mut tx, LeadId(id)).await? => Some(
                crate::runs::enqueue_in(&mut tx, LeadId(id), workflow, RunTrigger::Created, now)
                    .await?,
            ),
            _ => None,
        };
        let lead = lead_in(&mut tx, LeadId(id)).await?;
        tx.commit().await?;
        Ok((lead, run))
    }

    /// One lead by id; `None` when it does not exist or was deleted.
    #[tracing::instrument(skip(self))]
    pub async fn lead(&self, id: LeadId) -> Result<Option<Lead>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::lead_on(&mut conn, id).await
    }

    /// [`Store::lead`] on a given connection (a read transaction, for one consistent view).
    pub(crate) async fn lead_on(
        conn: &mut sqlx::SqliteConnection,
        id: LeadId,
    ) -> Result<Option<Lead>, StoreError> {
        let json: Option<String> = sqlx::query_scalar(&format!(
            "SELECT {} FROM leads l WHERE l.id = ? AND l.deleted_at IS NULL",
            lead_json(OWN_TAGS)
        ))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
        json.as_deref().map(parse_lead).transpose()
    }

    /// The lead page in one read transaction, so its parts agree with each other even while a
    /// research run writes: the lead, its company, what research found, the model's insights,
    /// the proposals waiting, and the timeline. `researchable` is the domain's rule
    /// ([`Lead::researchable`]).
    #[tracing::instrument(skip(self))]
    pub async fn lead_detail(
        &self,
        id: LeadId,
    ) -> Result<leadscout_domain::LeadDetail, StoreError> {
        let mut tx = self.reader.begin().await?;
        let lead = Self::lead_on(&mut tx, id)
            .await?
            .ok_or(StoreError::LeadNotFound(id))?;
        let company = match lead.company_id {
            Some(company) => Self::company_on(&mut tx, company).await?,
            None => None,
        };
        let (research, proposals) = match &company {
            Some(company) => (
                Self::company_research_on(&mut tx, company.id).await?,
                Self::pending_proposals_on(&mut tx, company.id).await?,
            ),
            None => (None, Vec::new()),
        };
        let activities = Self::activities_on(&mut tx, id).await?;
        let insights = Self::lead_insights_on(&mut tx, id).await?;
        let ai_problem = Self::ai_problem_on(&mut tx, id).await?;
        let custom_values = crate::custom_fields::values_on(&mut tx, id).await?;
        tx.rollback().await?;
        Ok(leadscout_domain::LeadDetail {
            researchable: lead.researchable(),
            lead,
            company,
            research,
            insights,
            ai_problem,
            proposals,
            activities,
            custom_values,
        })
    }

    /// Every pipeline, and every stage with its live leads, as the board shows them.
    #[tracing::instrument(skip(self))]
    pub async fn board(&self) -> Result<Board, StoreError> {
        let (pipelines, stages) = {
            let mut tx = self.reader.begin().await?;
            let pipelines = crate::pipelines::all(&mut tx).await?;
            let stages = crate::stages::all(&mut tx).await?;
            tx.commit().await?;
            (pipelines, stages)
        };
        // SQLite builds the whole board as one JSON document, which serde reads straight into
        // `Lead`s: at 10,000 leads that is several times faster than decoding 10,000 rows one by
        // one (docs/benchmarks.md). Tags come in one query instead of a subquery per lead.
        let mut conn = self.reader.acquire().await?;
        let json: String = sqlx::query_scalar(&format!(
            "SELECT json_group_array({}) FROM \
             (SELECT * FROM leads WHERE deleted_at IS NULL ORDER BY stage_id, position, id) l",
            lead_json("json('[]')")
        ))
        .fetch_one(&mut *conn)
        .await?;
        let tag_rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT t.lead_id, t.tag FROM lead_tags t JOIN leads l ON l.id = t.lead_id \
             WHERE l.deleted_at IS NULL ORDER BY t.lead_id, t.position",
        )
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        let leads: Vec<Lead> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("a lead on the board is unreadable: {e}")))?;
        let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
        for (lead, tag) in tag_rows {
            tags.entry(lead).or_default().push(tag);
        }
        let mut by_stage: HashMap<StageId, Vec<Lead>> = HashMap::new();
        for mut lead in leads {
            if let Some(t) = tags.remove(&lead.id.0) {
                lead.tags = t;
            }
            by_stage.entry(lead.stage_id).or_default().push(lead);
        }
        let columns = stages
            .into_iter()
            .map(|stage| {
                let leads = by_stage.remove(&stage.id).unwrap_or_default();
                BoardColumn::new(stage, leads)
            })
            .collect();
        Ok(Board { pipelines, columns })
    }

    /// Writes one validated field. A value the user types replaces whatever research wrote, so
    /// the field loses its research marker. Changing the website, email or company name
    /// re-links the lead's company.
    #[tracing::instrument(skip(self, value))]
    pub async fn update_lead(
        &self,
        id: LeadId,
        value: &FieldValue,
        now: Timestamp,
    ) -> Result<Lead, StoreError> {
        Ok(self.update_lead_in(id, value, None, now).await?.0)
    }

    /// [`Store::update_lead`], and in the same transaction a `workflow` run when the edit
    /// changed the lead's website or email and the lead has an identity to research.
    #[tracing::instrument(skip(self, value))]
    pub async fn update_lead_and_research(
        &self,
        id: LeadId,
        value: &FieldValue,
        workflow: &str,
        now: Timestamp,
    ) -> Result<(Lead, Option<RunId>), StoreError> {
        self.update_lead_in(id, value, Some(workflow), now).await
    }

    async fn update_lead_in(
        &self,
        id: LeadId,
        value: &FieldValue,
        workflow: Option<&str>,
        now: Timestamp,
    ) -> Result<(Lead, Option<RunId>), StoreError> {
        let mut tx = self.write().await?;
        let before = lead_in(&mut tx, id).await?;
        let (column, field, bound): (&str, LeadField, Bound) = match value {
            FieldValue::Text(field, text) => {
                (text_column(*field)?, *field, Bound::Text(text.clone()))
            }
            FieldValue::Website(url) => (
                "website",
                LeadField::Website,
                Bound::Text(url.as_ref().map(|u| u.to_string())),
            ),
            FieldValue::DealValue(v) => ("deal_value", LeadField::DealValue, Bound::Int(*v)),
            FieldValue::Currency(c) => (
                "currency",
                LeadField::Currency,
                Bound::Text(Some(c.clone())),
            ),
        };
        let sql = format!(
            "UPDATE leads SET {column} = ?, updated_at = ?, researched_fields = \
             (SELECT json_group_array(value) FROM json_each(researched_fields) WHERE value != ?) \
             WHERE id = ?"
        );
        let query = match bound {
            Bound::Text(t) => sqlx::query(&sql).bind(t),
            Bound::Int(i) => sqlx::query(&sql).bind(i),
        };
        query
            .bind(now.0)
            .bind(field.as_str())
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if matches!(
            field,
            LeadField::Website | LeadField::Email | LeadField::CompanyName
        ) {
            let renamed_company = field == LeadField::CompanyName && before.company_id.is_some();
            if renamed_company {
                rename_company_of(&mut tx, id, now).await?;
            } else {
                link_company(&mut tx, id, now).await?;
            }
        }
        let lead = lead_in(&mut tx, id).await?;
        let identity_changed = (field == LeadField::Website && lead.website != before.website)
            || (field == LeadField::Email && lead.email != before.email);
        let run = match workflow {
            Some(workflow) if identity_changed && has_identity(&mut tx, id).await? => Some(
                crate::runs::enqueue_in(&mut tx, id, workflow, RunTrigger::IdentityChanged, now)
                    .await?,
            ),
            _ => None,
        };
        tx.commit().await?;
        Ok((lead, run))
    }

    /// Replaces the lead's tags (already normalised) in the given order.
    #[tracing::instrument(skip(self))]
    pub async fn set_tags(
        &self,
        id: LeadId,
        tags: &[String],
        now: Timestamp,
    ) -> Result<Lead, StoreError> {
        let tags = normalize_tags(tags).map_err(|e: FieldError| StoreError::Conflict(e.message))?;
        let mut tx = self.write().await?;
        lead_in(&mut tx, id).await?;
        sqlx::query("DELETE FROM lead_tags WHERE lead_id = ?")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        for (i, tag) in tags.iter().enumerate() {
            sqlx::query("INSERT INTO lead_tags (lead_id, tag, position) VALUES (?, ?, ?)")
                .bind(id.0)
                .bind(tag)
                .bind(i as i64)
                .execute(&mut *tx)
                .await?;
        }
        // Naming full_name in the SET clause fires the search trigger, which re-indexes the
        // lead with its new tags.
        sqlx::query("UPDATE leads SET full_name = full_name, updated_at = ? WHERE id = ?")
            .bind(now.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let lead = lead_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(lead)
    }

    /// Moves a card within its column or to another one. A stage change is written to the
    /// lead's timeline.
    #[tracing::instrument(skip(self))]
    pub async fn move_lead(
        &self,
        id: LeadId,
        to: Placement,
        now: Timestamp,
    ) -> Result<Lead, StoreError> {
        let mut tx = self.write().await?;
        let lead = lead_in(&mut tx, id).await?;
        if !stage_exists(&mut tx, to.stage_id).await? {
            return Err(StoreError::StageNotFound(to.stage_id));
        }
        if to.before == Some(id) {
            return Ok(lead);
        }
        let column: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, position FROM leads WHERE stage_id = ? AND deleted_at IS NULL AND id != ? \
             ORDER BY position, id",
        )
        .bind(to.stage_id.0)
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await?;
        let index = match to.before {
            None => column.len(),
            Some(before) => column
                .iter()
                .position(|(i, _)| *i == before.0)
                .ok_or_else(|| {
                    StoreError::Conflict(format!(
                        "lead {before} is not in the column the card was dropped into"
                    ))
                })?,
        };
        let above = index.checked_sub(1).map(|i| column[i].1);
        let below = column.get(index).map(|(_, p)| *p);
        let position = match (above, below) {
            (None, None) => 0,
            (Some(a), None) => a + POSITION_GAP,
            (None, Some(b)) => b - POSITION_GAP,
            (Some(a), Some(b)) if b - a > 1 => a + (b - a) / 2,
            // No room left between the neighbours: respace the whole column, then insert.
            (Some(_), Some(_)) => {
                for (i, (other, _)) in column.iter().enumerate() {
                    let slot = if i < index { i } else { i + 1 };
                    sqlx::query("UPDATE leads SET position = ? WHERE id = ?")
                        .bind(slot as i64 * POSITION_GAP)
                        .bind(other)
                        .execute(&mut *tx)
                        .await?;
                }
                index as i64 * POSITION_GAP
            }
        };
        sqlx::query("UPDATE leads SET stage_id = ?, position = ?, updated_at = ? WHERE id = ?")
            .bind(to.stage_id.0)
            .bind(position)
            .bind(now.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if lead.stage_id != to.stage_id {
            // Into won or lost: the deal closes now (a lost reason belongs to a lost stage
            // only). Back into an open stage: it is open again, with nothing of its closing.
            sqlx::query(
                "UPDATE leads SET \
                   closed_at = CASE WHEN s.kind = 'open' THEN NULL ELSE ? END, \
                   lost_reason = CASE WHEN s.kind = 'lost' THEN lost_reason END, \
                   lost_note = CASE WHEN s.kind = 'lost' THEN lost_note END \
                 FROM pipeline_stages s WHERE s.id = leads.stage_id AND leads.id = ?",
            )
            .bind(now.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        }
        if lead.stage_id != to.stage_id {
            let from = stage_name(&mut tx, lead.stage_id).await?;
            let into = stage_name(&mut tx, to.stage_id).await?;
            sqlx::query(
                "INSERT INTO activities (lead_id, kind, body, occurred_at, created_at) \
                 VALUES (?, 'stage_change', ?, ?, ?)",
            )
            .bind(id.0)
            .bind(format!("Moved from {from} to {into}"))
            .bind(now.0)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        }
        let moved = lead_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Soft-deletes a lead: it leaves the board and search but can be restored.
    #[tracing::instrument(skip(self))]
    pub async fn delete_lead(&self, id: LeadId, now: Timestamp) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE leads SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
        )
        .bind(now.0)
        .bind(now.0)
        .bind(id.0)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::LeadNotFound(id));
        }
        Ok(())
    }

    /// Undoes [`Store::delete_lead`]: the card returns to where it was.
    #[tracing::instrument(skip(self))]
    pub async fn restore_lead(&self, id: LeadId, now: Timestamp) -> Result<Lead, StoreError> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE leads SET deleted_at = NULL, updated_at = ? WHERE id = ? AND deleted_at IS NOT NULL",
        )
        .bind(now.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::LeadNotFound(id));
        }
        let lead = lead_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(lead)
    }
}

enum Bound {
    Text(Option<String>),
    Int(Option<i64>),
}

pub(crate) fn text_column(field: LeadField) -> Result<&'static str, StoreError> {
    Ok(match field {
        LeadField::FullName => "full_name",
        LeadField::Title => "title",
        LeadField::Email => "email",
        LeadField::Phone => "phone",
        LeadField::LinkedinUrl => "linkedin_url",
        LeadField::CompanyName => "company_name",
        LeadField::Website => "website",
        LeadField::Source => "source",
        LeadField::NextStep => "next_step",
        LeadField::NextStepDue => "next_step_due",
        LeadField::ExpectedClose => "expected_close",
        other => {
            return Err(StoreError::Conflict(format!(
                "{} is not a text field",
                other.as_str()
            )))
        }
    })
}

/// The user renamed the company on a lead linked to a shared company: the company takes the new
/// name, and every lead at it shows it.
async fn rename_company_of(
    tx: &mut Transaction<'_, Sqlite>,
    id: LeadId,
    now: Timestamp,
) -> Result<(), StoreError> {
    let (company_id, name): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT company_id, company_name FROM leads WHERE id = ?")
            .bind(id.0)
            .fetch_one(&mut **tx)
            .await?;
    let Some(company_id) = company_id else {
        return Ok(());
    };
    let has_domain: Option<String> =
        sqlx::query_scalar("SELECT domain FROM companies WHERE id = ?")
            .bind(company_id)
            .fetch_one(&mut **tx)
            .await?;
    if name.is_none() && has_domain.is_none() {
        // A company known only by its name, and the name is gone: unlink.
        sqlx::query("UPDATE leads SET company_id = NULL WHERE id = ?")
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
        return Ok(());
    }
    sqlx::query("UPDATE companies SET name = ?, updated_at = ? WHERE id = ?")
        .bind(&name)
        .bind(now.0)
        .bind(company_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE leads SET company_name = ? WHERE company_id = ? AND id != ? \
         AND company_name IS NOT ?",
    )
    .bind(&name)
    .bind(company_id)
    .bind(id.0)
    .bind(&name)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
