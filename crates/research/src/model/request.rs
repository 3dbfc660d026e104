//! What a model request is built from: the shared context layer's variables and the output
//! schema a prompt names.

use std::collections::BTreeMap;

use leadscout_context::outputs::schemas;
use leadscout_context::prompt::Prompt;
use leadscout_domain::{CompanyProfile, Lead, MyProfile, Timestamp};
use leadscout_llm::OutputSchema;
use leadscout_workflow::StepError;

/// The variables of the shared context layer: today, the user, the lead (as the run read it
/// when it started). The company is named as the user typed it, else as its website does, else
/// by its domain.
pub(super) fn shared_vars(
    today: Timestamp,
    found: &Lead,
    profile: &MyProfile,
    company: &CompanyProfile,
) -> BTreeMap<&'static str, String> {
    let domain = company.domain.as_str();
    let or_unknown = |v: Option<String>| {
        v.map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown".to_owned())
    };
    let text = |s: &str| or_unknown(Some(s.to_owned()));
    [
        ("today", today.date()),
        ("user_company", text(&profile.company)),
        ("user_offering", text(&profile.offering)),
        ("user_ideal_customer", text(&profile.ideal_customer)),
        ("lead_name", text(&found.full_name)),
        ("lead_title", or_unknown(found.title.clone())),
        (
            "lead_company",
            found
                .company_name
                .clone()
                .or_else(|| company.name.clone())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| domain.to_owned()),
        ),
        ("lead_domain", domain.to_owned()),
    ]
    .into_iter()
    .collect()
}

pub(crate) fn schema_for(prompt: &Prompt) -> Result<OutputSchema, StepError> {
    let value = schemas()
        .into_iter()
        .find(|(name, _)| *name == prompt.schema)
        .map(|(_, v)| v)
        .ok_or_else(|| {
            StepError::permanent(format!(
                "prompt {} names the schema {}, which does not exist",
                prompt.id, prompt.schema
            ))
        })?;
    OutputSchema::new(format!("leadscout_{}", prompt.schema), value)
        .map_err(|e| StepError::permanent(e.to_string()))
}
