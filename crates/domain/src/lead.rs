//! Leads: the people on the board, as the user enters them and as they are stored.

use serde::{Deserialize, Serialize};
use specta::Type;
use url::Url;

use crate::fields::{
    normalize_currency, normalize_date, normalize_linkedin, normalize_phone, parse_deal_value,
    MAX_TEXT_CHARS,
};
use crate::validation::{
    normalize_email, normalize_optional_text, normalize_required_text, normalize_website,
    FieldError, LeadField, MAX_NAME_CHARS,
};
use crate::{Activity, Company, CompanyId, LeadId, StageId, Timestamp};

/// A lead as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    pub id: LeadId,
    pub full_name: String,
    /// Job title, e.g. "VP Sales".
    pub title: Option<String>,
    pub email: Option<String>,
    /// E.164 (`+14155550100`) when the number had a country code, else as typed.
    pub phone: Option<String>,
    pub linkedin_url: Option<String>,
    /// The company this person works for; shared by every lead at the same domain.
    pub company_id: Option<CompanyId>,
    pub company_name: Option<String>,
    /// The company's website as a normalised absolute URL.
    pub website: Option<String>,
    /// Where the lead came from: "Referral", "Conference", an import file name...
    pub source: Option<String>,
    pub stage_id: StageId,
    /// Orders the leads within a column, smallest first; gaps are normal.
    pub position: i64,
    /// In minor units of `currency` (cents).
    pub deal_value: Option<i64>,
    /// ISO 4217 code.
    pub currency: String,
    pub next_step: Option<String>,
    /// `YYYY-MM-DD`.
    pub next_step_due: Option<String>,
    /// `HH:MM`, local: when on `next_step_due` the follow-up reminds (09:00 when absent).
    #[serde(default)]
    pub next_step_time: Option<String>,
    /// When the follow-up's reminder is due, snoozes included; `None` without a follow-up.
    #[serde(default)]
    pub follow_up_at: Option<Timestamp>,
    /// When the deal is expected to close, `YYYY-MM-DD`: the month the forecast counts it in.
    #[serde(default)]
    pub expected_close: Option<String>,
    pub tags: Vec<String>,
    /// Fields whose current value was written by research rather than typed by the user.
    /// Markers a newer version wrote for fields this one does not know are skipped on reading.
    #[serde(deserialize_with = "crate::validation::known_fields")]
    #[specta(type = Vec<LeadField>)]
    pub researched_fields: Vec<LeadField>,
    /// The research fit score (0-100), only when at least three of its reasons rest on
    /// verified facts.
    #[serde(default)]
    pub fit_score: Option<u8>,
    /// The latest call, email or meeting on the timeline (notes do not count).
    #[serde(default)]
    pub last_contacted_at: Option<Timestamp>,
    /// When the lead last moved into a won or lost stage; cleared when it is reopened.
    #[serde(default)]
    pub closed_at: Option<Timestamp>,
    /// Why the deal was lost, with the user's own words; only while in a lost stage.
    #[serde(default)]
    pub lost_reason: Option<crate::LostReason>,
    #[serde(default)]
    pub lost_note: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Lead {
    /// Whether research can start from this lead: [`crate::research_domain`] finds a company
    /// domain in its website or work email.
    pub fn researchable(&self) -> bool {
        crate::research_domain(self.website.as_deref(), self.email.as_deref()).is_some()
    }
}

/// One field of a lead set to a new value, exactly as typed (`None` or blank clears it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LeadEdit {
    pub field: LeadField,
    pub value: Option<String>,
}

/// A validated edit, in the form the store writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A text column (`None` clears it).
    Text(LeadField, Option<String>),
    DealValue(Option<i64>),
    Currency(String),
    Website(Option<Url>),
}

impl LeadEdit {
    pub fn validate(&self) -> Result<FieldValue, FieldError> {
        let raw = self.value.as_deref().unwrap_or("");
        let field = self.field;
        let text = |max: usize| normalize_optional_text(field, Some(raw), max);
        Ok(match field {
            LeadField::FullName => {
                FieldValue::Text(field, Some(normalize_required_text(field, raw)?))
            }
            LeadField::Title | LeadField::CompanyName | LeadField::Source => {
                FieldValue::Text(field, text(MAX_NAME_CHARS)?)
            }
            LeadField::NextStep => FieldValue::Text(field, text(MAX_TEXT_CHARS)?),
            LeadField::Email => FieldValue::Text(field, normalize_email(Some(raw))?),
            LeadField::Phone => FieldValue::Text(field, normalize_phone(raw)?),
            LeadField::LinkedinUrl => FieldValue::Text(field, normalize_linkedin(raw)?),
            LeadField::NextStepDue | LeadField::ExpectedClose => {
                FieldValue::Text(field, normalize_date(field, raw)?)
            }
            LeadField::Website => FieldValue::Website(normalize_website(Some(raw))?),
            LeadField::DealValue => FieldValue::DealValue(parse_deal_value(raw)?),
            LeadField::Currency => FieldValue::Currency(normalize_currency(raw)?),
            LeadField::StageId | LeadField::Tags | LeadField::Note => {
                return Err(FieldError::new(
                    field,
                    "Move the card to change its stage; edit tags with the tag editor.",
                ))
            }
        })
    }
}

/// What the "new lead" form sends: raw text exactly as typed, validated by [`NewLead::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewLead {
    pub full_name: String,
    pub email: Option<String>,
    pub company_name: Option<String>,
    pub website: Option<String>,
    /// The column to put the lead in; the first stage of the board when absent.
    pub stage_id: Option<StageId>,
}

/// A new lead whose every field has been validated and normalised; the only form the store
/// accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadDraft {
    pub full_name: String,
    pub email: Option<String>,
    pub company_name: Option<String>,
    pub website: Option<Url>,
    pub stage_id: Option<StageId>,
}

impl NewLead {
    /// Checks and normalises every field, reporting the first problem in form order so the UI
    /// can put the message next to the field the user should fix first.
    pub fn validate(&self) -> Result<LeadDraft, FieldError> {
        Ok(LeadDraft {
            full_name: normalize_required_text(LeadField::FullName, &self.full_name)?,
            email: normalize_email(self.email.as_deref())?,
            company_name: normalize_optional_text(
                LeadField::CompanyName,
                self.company_name.as_deref(),
                MAX_NAME_CHARS,
            )?,
            website: normalize_website(self.website.as_deref())?,
            stage_id: self.stage_id,
        })
    }
}

/// Everything the lead page shows: the lead, its company and its timeline (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LeadDetail {
    pub lead: Lead,
    pub company: Option<Company>,
    /// What research found about the company, once a run has finished.
    pub research: Option<crate::CompanyResearch>,
    /// The model's judgement of this lead, once a run with a model has finished.
    #[serde(default)]
    pub insights: Option<crate::InsightsView>,
    /// Why the AI step of the lead's last finished research did not finish (the website
    /// research did), in words a salesperson can act on.
    #[serde(default)]
    pub ai_problem: Option<String>,
    /// Values research found that would replace ones it wrote before, waiting for approval.
    #[serde(default)]
    pub proposals: Vec<crate::Proposal>,
    /// The lead has something research can start from (a company website or a work email).
    #[serde(default)]
    pub researchable: bool,
    pub activities: Vec<Activity>,
    /// The lead's custom field values, in the fields' order; fields without a value are absent.
    #[serde(default)]
    pub custom_values: Vec<crate::CustomValue>,
}

/// What an import does with a row that matches a lead already there (same email, else same
/// name at the same company domain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Duplicates {
    Skip,
    /// Fill the existing lead's empty fields from the row; never overwrite a value.
    Merge,
    Create,
}
