//! Leads: add, edit, move, read one with everything about it, list the board, search.

use leadscout_domain::{
    normalize_tags, Activity, ActivityId, Board, Lead, LeadDetail, LeadEdit, LeadField, LeadId,
    NewActivity, NewLead, RunSummary, SearchHit, StageId, Timestamp,
};
use leadscout_research::steps::WORKFLOW;
use leadscout_store::{Placement, StoreError};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{AppError, Leadscout};

/// How many results a search shows.
pub const SEARCH_LIMIT: u32 = 20;

/// A lead research could not start for, and why.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SkippedLead {
    pub lead: LeadId,
    pub reason: String,
}

impl Leadscout {
    /// Validates the form's input and adds the lead at the top of its stage. With "research new
    /// leads" on, a lead research can start from ([`Lead::researchable`]) is queued for it in
    /// the lead's own transaction: no lead without its research.
    pub async fn create_lead(&self, input: NewLead) -> Result<Lead, AppError> {
        let draft = input.validate()?;
        if !self.store.settings().await?.research_on_create {
            return Ok(self.store.create_lead(&draft, Timestamp::now()).await?);
        }
        let (lead, run) = self
            .store
            .create_lead_and_research(&draft, WORKFLOW, Timestamp::now())
            .await?;
        self.queued(run, lead.id);
        Ok(lead)
    }

    /// Sets one field to what the user typed, after validating it. A new website or email
    /// means a different company to research, queued with the edit.
    pub async fn update_lead(&self, id: LeadId, edit: LeadEdit) -> Result<Lead, AppError> {
        let value = edit.validate()?;
        let (lead, run) = self
            .store
            .update_lead_and_research(id, &value, WORKFLOW, Timestamp::now())
            .await?;
        self.queued(run, lead.id);
        Ok(lead)
    }

    /// Drops a card into `stage_id`, directly above `before` (at the bottom when `None`).
    pub async fn move_lead(
        &self,
        id: LeadId,
        stage_id: StageId,
        before: Option<LeadId>,
    ) -> Result<Lead, AppError> {
        let to = Placement { stage_id, before };
        Ok(self.store.move_lead(id, to, Timestamp::now()).await?)
    }

    /// The lead, its company, what research found and its timeline.
    pub async fn lead_detail(&self, id: LeadId) -> Result<LeadDetail, AppError> {
        let mut detail = self.store.lead_detail(id).await?;
        detail.researchable = detail.lead.researchable();
        Ok(detail)
    }

    /// The lead by id, or a "no longer exists" error.
    pub async fn lead(&self, id: LeadId) -> Result<Lead, AppError> {
        Ok(self
            .store
            .lead(id)
            .await?
            .ok_or(StoreError::LeadNotFound(id))?)
    }

    /// Every stage with its leads, in board order.
    pub async fn board(&self) -> Result<Board, AppError> {
        Ok(self.store.board().await?)
    }

    /// Leads, companies and notes matching `query`, best first.
    pub async fn search(&self, query: &str) -> Result<Vec<SearchHit>, AppError> {
        Ok(self.store.search(query, SEARCH_LIMIT).await?)
    }

    /// Approves or rejects research's proposed values for the lead's company; returns the lead
    /// as it is afterwards.
    pub async fn decide_proposals(
        &self,
        lead: LeadId,
        ids: &[i64],
        approve: bool,
    ) -> Result<LeadDetail, AppError> {
        if let Some(company) = self.lead(lead).await?.company_id {
            self.store
                .decide_proposals(company, ids, approve, Timestamp::now())
                .await?;
        }
        self.lead_detail(lead).await
    }

    /// Replaces the lead's tags.
    pub async fn set_tags(&self, id: LeadId, tags: &[String]) -> Result<Lead, AppError> {
        let tags = normalize_tags(tags)?;
        Ok(self.store.set_tags(id, &tags, Timestamp::now()).await?)
    }

    /// Moves the lead to the bin; [`Leadscout::restore_lead`] undoes it. Research running here
    /// stops now rather than at the run's next lease renewal.
    pub async fn delete_lead(&self, id: LeadId) -> Result<(), AppError> {
        self.store.delete_lead(id, Timestamp::now()).await?;
        if let Some(research) = &self.research {
            research.engine.cancel(id).await?;
        }
        Ok(())
    }

    /// Brings a deleted lead back where it was.
    pub async fn restore_lead(&self, id: LeadId) -> Result<Lead, AppError> {
        Ok(self.store.restore_lead(id, Timestamp::now()).await?)
    }

    /// Logs a note, call, email or meeting.
    pub async fn add_activity(&self, input: NewActivity) -> Result<Activity, AppError> {
        let draft = input.validate()?;
        Ok(self.store.add_activity(&draft, Timestamp::now()).await?)
    }

    /// Removes a logged timeline entry.
    pub async fn delete_activity(&self, id: ActivityId) -> Result<(), AppError> {
        Ok(self.store.delete_activity(id, Timestamp::now()).await?)
    }

    /// Merges `other` into `keep`: the chosen fields come from `other`, its timeline and tags
    /// move over, and it leaves the board (its research stops with it).
    pub async fn merge_leads(
        &self,
        keep: LeadId,
        other: LeadId,
        take: &[LeadField],
    ) -> Result<Lead, AppError> {
        let merged = self
            .store
            .merge_leads(keep, other, take, Timestamp::now())
            .await?;
        if let Some(research) = &self.research {
            research.engine.cancel(other).await?;
        }
        Ok(merged)
    }

    /// The latest research run of every lead that has one.
    pub async fn research_statuses(&self) -> Result<Vec<RunSummary>, AppError> {
        Ok(self.store.latest_runs(None).await?)
    }
}
