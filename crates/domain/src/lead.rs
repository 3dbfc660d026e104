//! Leads: the people on the board, as the user enters them and as they are stored.

use serde::{Deserialize, Serialize};
use specta::Type;
use url::Url;

use crate::validation::{
    normalize_email, normalize_optional_text, normalize_required_text, normalize_website,
    FieldError, LeadField, MAX_NAME_CHARS,
};
use crate::{LeadId, StageId, Timestamp};

/// A lead as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    pub id: LeadId,
    pub full_name: String,
    pub email: Option<String>,
    pub company_name: Option<String>,
    /// The company's website as a normalised absolute URL.
    pub website: Option<String>,
    pub stage_id: StageId,
    /// 0-based order within the stage's column.
    pub position: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
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
