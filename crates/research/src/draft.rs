//! Drafted emails. A draft is a template (`prompts/email/*.md`, overridable like the research
//! prompts) filled with the lead's first name, company and a talking point. With a model, the
//! talking point is a paragraph the model writes from the lead's verified facts and the user's
//! profile only: unverified facts are never sent, and each sentence must cite the verified facts
//! it states and say nothing they (or the profile) do not, checked as the insights summary is.
//! A sentence that fails is shown with the reason and left out of the email.

use std::collections::BTreeMap;

use leadscout_context::outputs::EmailDraftOutput;
use leadscout_context::prompt::{assemble, Excerpt, Prompts};
use leadscout_domain::{
    CitedFact, Clock, DraftRequest, DraftSentence, EmailDraft, FactView, Lead, LeadId, MyProfile,
    Settings, Timestamp,
};
use leadscout_llm::StructuredRequest;
use leadscout_store::{Store, StoreError};

use crate::model::{
    call_record, is_unknown, restatement_problem, schema_for, CallSite, Cited, ModelChoice,
    ModelKit,
};

/// The email prompts shipped with the app. Apart from research's own set, so that editing a
/// template never makes research run again, and a broken template never stops research.
pub const EMAIL_PROMPTS: &[(&str, &str)] = &[
    (
        "email/first-touch",
        include_str!("../../../prompts/email/first-touch.md"),
    ),
    (
        "email/follow-up",
        include_str!("../../../prompts/email/follow-up.md"),
    ),
    (
        "email/draft",
        include_str!("../../../prompts/email/draft.md"),
    ),
    (
        "shared/context",
        include_str!("../../../prompts/shared/context.md"),
    ),
];

/// Research's prompts and the email ones, each once: what Settings lists and resets.
pub fn every_prompt() -> Vec<(&'static str, &'static str)> {
    let mut all = leadscout_context::prompt::SHIPPED.to_vec();
    for email in EMAIL_PROMPTS {
        if !all.iter().any(|(id, _)| *id == email.0) {
            all.push(*email);
        }
    }
    all
}

const DRAFT_PROMPT: &str = "email/draft";
/// The stage a draft's model call is recorded under.
pub const DRAFT_STAGE: &str = "draft";

/// The daily model budget (Settings → Research), as research keeps it: once today's calls have
/// spent it, the model is not asked and the draft is the template's. `Err` when the spending
/// could not be read (the model is not asked then either).
async fn over_daily_budget(
    store: &Store,
    settings: &Settings,
    now: Timestamp,
) -> Result<Option<String>, String> {
    let Some(cap) = settings.budget.per_day_cents else {
        return Ok(None);
    };
    let spent = store
        .model_spend_since(now.start_of_day())
        .await
        .map_err(|e| {
            format!("What models spent today could not be read ({e}), so the model was not asked.")
        })?;
    if spent * 100.0 < f64::from(cap) {
        return Ok(None);
    }
    Ok(Some(format!(
        "Today's model budget is spent (${spent:.2} of ${:.2}), so the model was not asked and the draft uses the template alone. Raise the cap in Settings → Research to draft with the model today.",
        f64::from(cap) / 100.0
    )))
}

/// Words an email to a prospect uses that state nothing about their company: the writer, the
/// reason for writing, the offer of help. A model's sentence may use these besides its facts'
/// and the profile's words; any other word (a name, a product, a claim) must come from them.
const EMAIL_WORDS: &str = "i me my hi hello saw see seen noticed read came across since because \
     so if could would might may can will help helps helping like love wonder wondering curious \
     thought think interested reach reaching out writing write wanted want how what why when \
     where whether while team teams work works working useful perhaps maybe there here just now \
     all any some each every both not no new way ways well good great right own same other many \
     much especially particularly given based around through make makes making keep keeps find \
     do does get gets look looking already still too even only whole exactly simple easier \
     faster better you your yours you're we're i'm it's that's";

#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("lead {0} does not exist")]
    LeadNotFound(LeadId),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("An email template cannot be used: {0}. Fix or reset it in Settings.")]
    Template(String),
}

/// The verified facts of a lead's company that a draft may use, as `F1`... → the fact.
async fn verified_facts(store: &Store, lead: &Lead) -> Result<Vec<FactView>, StoreError> {
    let Some(company) = lead.company_id else {
        return Ok(Vec::new());
    };
    Ok(store
        .company_research(company)
        .await?
        .map(|r| r.facts)
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f.verified && !is_unknown(&f.value))
        .collect())
}

fn first_name(full_name: &str) -> String {
    full_name
        .split_whitespace()
        .next()
        .unwrap_or(full_name)
        .to_owned()
}

fn or(value: &str, fallback: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        fallback.to_owned()
    } else {
        value.to_owned()
    }
}

/// The lead's company as the email names it: as typed, else as its company record names it
/// (its name, else its domain).
async fn company_of(store: &Store, lead: &Lead) -> Result<String, StoreError> {
    if let Some(name) = lead
        .company_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        return Ok(name.trim().to_owned());
    }
    let company = match lead.company_id {
        Some(id) => store.company(id).await?,
        None => None,
    };
    Ok(company
        .and_then(|c| c.name.or(c.domain_display).or(c.domain))
        .unwrap_or_else(|| "your company".to_owned()))
}

/// Fills a template: its first line is `Subject: ...`, the rest the body. Blank lines left by
/// an empty talking point collapse.
fn fill(
    prompts: &Prompts,
    id: &str,
    vars: &BTreeMap<&str, String>,
) -> Result<(String, String), DraftError> {
    let text = prompts
        .render(id, vars)
        .map_err(|e| DraftError::Template(e.to_string()))?;
    let text = text.trim_start();
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let subject = first
        .strip_prefix("Subject:")
        .ok_or_else(|| {
            DraftError::Template(format!("{id} must start with a line \"Subject: ...\""))
        })?
        .trim()
        .to_owned();
    let mut body = rest.trim().to_owned();
    while body.contains("\n\n\n") {
        body = body.replace("\n\n\n", "\n\n");
    }
    Ok((subject, body))
}

/// Drafts an email to a lead from a template, and with a model (when `request.with_model` and
/// one is set up) its opening paragraph from the verified facts. A model that fails or says
/// nothing its facts support costs nothing: the template draft comes back with the reason.
/// Times (today's date, the budget's day, the call's record) come from `clock`.
pub async fn draft_email(
    kit: &ModelKit,
    request: &DraftRequest,
    clock: &dyn Clock,
) -> Result<EmailDraft, DraftError> {
    let store = &kit.store;
    let lead = store
        .lead(request.lead_id)
        .await?
        .ok_or(DraftError::LeadNotFound(request.lead_id))?;
    let settings = store.settings().await?;
    let prompts = Prompts::load_set(EMAIL_PROMPTS, kit.prompts_dir.as_deref())
        .map_err(|e| DraftError::Template(e.to_string()))?;
    let facts = verified_facts(store, &lead).await?;
    let company = company_of(store, &lead).await?;
    // Without a model's paragraph: the talking point the user chose, if any.
    let mut talking_point = request
        .talking_point
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let mut sentences = Vec::new();
    let mut model_note = None;
    if request.with_model {
        match model_paragraph(kit, &prompts, &settings, &lead, &company, &facts, clock).await {
            Ok((paragraph, said)) => {
                sentences = said;
                if paragraph.is_empty() {
                    model_note = Some(
                        "No sentence the model wrote stands on the verified facts, so the draft uses the template alone."
                            .to_owned(),
                    );
                } else {
                    talking_point = paragraph;
                }
            }
            Err(note) => model_note = Some(note),
        }
    }
    let profile = &settings.profile;
    let vars: BTreeMap<&str, String> = [
        ("first_name", first_name(&lead.full_name)),
        ("company", company.clone()),
        ("talking_point", talking_point),
        ("my_company", or(&profile.company, "my company")),
        ("my_offering", or(&profile.offering, "what we offer")),
    ]
    .into_iter()
    .collect();
    let (subject, body) = fill(&prompts, request.kind.template_id(), &vars)?;
    Ok(EmailDraft {
        lead_id: lead.id,
        to: lead.email.clone(),
        subject,
        body,
        sentences,
        model_note,
    })
}

/// The model's paragraph (its sentences that stand on their facts, joined) and every sentence
/// it wrote with its check; `Err` with a sentence for the user when the model was not asked or
/// did not answer.
async fn model_paragraph(
    kit: &ModelKit,
    prompts: &Prompts,
    settings: &Settings,
    lead: &Lead,
    company: &str,
    facts: &[FactView],
    clock: &dyn Clock,
) -> Result<(String, Vec<DraftSentence>), String> {
    let Some(choice) = ModelChoice::from_settings(settings) else {
        return Err(crate::model::NO_MODEL.to_owned());
    };
    if facts.is_empty() {
        return Err(
            "Research has no verified facts about this company yet, so the model was not asked."
                .to_owned(),
        );
    }
    let excerpts: Vec<Excerpt> = facts
        .iter()
        .map(|f| Excerpt {
            id: f.key.clone(),
            url: f.source_url.clone().unwrap_or_default(),
            text: format!("{}: {}\nQuote: \"{}\"", f.field, f.value, f.quote),
        })
        .collect();
    let vars = context_vars(&settings.profile, lead, company, clock.now());
    let layers = assemble(
        prompts,
        DRAFT_PROMPT,
        &vars,
        &BTreeMap::from([("facts".to_owned(), excerpts)]),
    )
    .map_err(|e| format!("The draft prompt cannot be used: {e}. Fix or reset it in Settings."))?;
    // Only facts the prompt holds may be cited.
    let cited: Cited = facts
        .iter()
        .filter(|f| layers.included.iter().any(|e| e.id == f.key))
        .map(|f| (f.key.clone(), (f.value.clone(), f.quote.clone())))
        .collect();
    let prompt = prompts
        .get(DRAFT_PROMPT)
        .map_err(|e| format!("The draft prompt cannot be used: {e}."))?;
    let schema = schema_for(prompt).map_err(|e| e.to_string())?;
    let request = StructuredRequest::new(schema)
        .system(format!("{}\n\n{}", layers.shared, layers.stage))
        .user(layers.task.clone())
        .limits(leadscout_llm::Limits {
            max_output_tokens: prompt.max_output_tokens,
            timeout: kit.call_timeout,
            temperature: Some(prompt.temperature),
        });
    if let Some(note) = over_daily_budget(&kit.store, settings, clock.now()).await? {
        return Err(note);
    }
    let client = kit
        .models
        .connect(&choice)
        .await
        .map_err(|e| format!("The model could not be reached: {e}"))?;
    let site = CallSite {
        run: 0,
        stage: DRAFT_STAGE,
        attempt: 1,
        prompt,
        provider: choice.provider,
        layers: &layers,
        model: client.model(),
    };
    // Every call is recorded, as research's are: what it cost counts towards the daily cap.
    let record = |call: leadscout_domain::ModelCallView| async move {
        if let Err(err) = kit
            .store
            .record_lead_model_call(lead.id, &call, clock.now())
            .await
        {
            tracing::warn!(error = %err, "could not record the draft's model call");
        }
    };
    let response = match client.complete(&request).await {
        Ok(response) => response,
        Err(err) => {
            let message = err.to_string();
            let answered = err
                .answered_call()
                .map(|c| (c.model.as_str(), &c.usage, c.cost_usd, c.latency));
            let errors = std::slice::from_ref(&message);
            record(call_record(&site, 1, None, answered, "failed", errors, &[])).await;
            return Err(format!("The model did not write a draft: {message}"));
        }
    };
    let answered = Some((
        response.model.as_str(),
        &response.usage,
        response.cost_usd,
        response.latency,
    ));
    let output: EmailDraftOutput = match serde_json::from_value(response.value.clone()) {
        Ok(output) => output,
        Err(err) => {
            let errors = [format!("the answer does not match the schema: {err}")];
            record(call_record(
                &site,
                1,
                None,
                answered,
                "invalid",
                &errors,
                &[],
            ))
            .await;
            return Err(format!(
                "The model's draft was not in the expected form: {err}"
            ));
        }
    };
    record(call_record(&site, 1, None, answered, "valid", &[], &[])).await;
    let allowed = allowed_words(&settings.profile, lead, company);
    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
    let mut accepted: Vec<String> = Vec::new();
    let said = output
        .sentences
        .iter()
        .map(|line| {
            let text = line.text.trim().to_owned();
            let ids: Vec<String> = line.fact_ids.iter().map(|i| i.trim().to_owned()).collect();
            let problem = restatement_problem(&text, &ids, &cited, Some(&allowed));
            if problem.is_none() && !text.is_empty() {
                accepted.push(text.clone());
            }
            DraftSentence {
                facts: ids
                    .iter()
                    .filter_map(|id| {
                        facts
                            .iter()
                            .find(|f| &f.key == id && cited.contains_key(id))
                    })
                    .map(|f| CitedFact {
                        key: f.key.clone(),
                        value: f.value.clone(),
                        quote: f.quote.clone(),
                        source_url: f.source_url.clone(),
                    })
                    .collect(),
                verified: problem.is_none(),
                problem,
                text,
            }
        })
        .collect();
    Ok((accepted.join(" "), said))
}

/// The shared context layer's variables, as research fills them.
fn context_vars(
    profile: &MyProfile,
    lead: &Lead,
    company: &str,
    today: Timestamp,
) -> BTreeMap<&'static str, String> {
    let text = |s: &str| or(s, "unknown");
    let domain = lead
        .website
        .as_deref()
        .and_then(|w| url::Url::parse(w).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    [
        ("today", today.date()),
        ("user_company", text(&profile.company)),
        ("user_offering", text(&profile.offering)),
        ("user_ideal_customer", text(&profile.ideal_customer)),
        ("lead_name", text(&lead.full_name)),
        ("lead_title", text(lead.title.as_deref().unwrap_or(""))),
        ("lead_company", company.to_owned()),
        ("lead_domain", domain),
    ]
    .into_iter()
    .collect()
}

/// What a sentence may say besides its facts' words: the lead's and the user's names, the
/// user's profile, and words that claim nothing.
fn allowed_words(profile: &MyProfile, lead: &Lead, company: &str) -> Vec<String> {
    vec![
        lead.full_name.clone(),
        company.to_owned(),
        profile.company.clone(),
        profile.offering.clone(),
        profile.ideal_customer.clone(),
        EMAIL_WORDS.to_owned(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompts() -> Prompts {
        Prompts::load_set(EMAIL_PROMPTS, None).unwrap()
    }

    fn vars(talking_point: &str) -> BTreeMap<&'static str, String> {
        [
            ("first_name", "Ada".to_owned()),
            ("company", "Acme".to_owned()),
            ("talking_point", talking_point.to_owned()),
            ("my_company", "Forge & Co".to_owned()),
            ("my_offering", "inventory software".to_owned()),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn templates_fill_their_variables_and_an_empty_talking_point_leaves_no_gap() {
        let (subject, body) = fill(&prompts(), "email/first-touch", &vars("")).unwrap();
        assert_eq!(subject, "Acme and Forge & Co");
        assert!(body.starts_with("Hi Ada,\n\nI work at Forge & Co (inventory software)."));
        assert!(!body.contains("\n\n\n"));
        let (subject, body) = fill(
            &prompts(),
            "email/follow-up",
            &vars("Your anvils ship in December."),
        )
        .unwrap();
        assert_eq!(subject, "Following up: Acme and Forge & Co");
        assert!(body.contains("\n\nYour anvils ship in December.\n\n"));
    }

    #[test]
    fn a_user_template_replaces_the_shipped_one_and_a_broken_one_says_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("email")).unwrap();
        let shipped = EMAIL_PROMPTS[0]
            .1
            .replace("Hi {{first_name}},", "Dear {{first_name}},");
        std::fs::write(dir.path().join("email/first-touch.md"), shipped).unwrap();
        let custom = Prompts::load_set(EMAIL_PROMPTS, Some(dir.path())).unwrap();
        let (_, body) = fill(&custom, "email/first-touch", &vars("")).unwrap();
        assert!(body.starts_with("Dear Ada,"));
        // A variable the drafter does not provide is an error, never an empty string.
        let broken = EMAIL_PROMPTS[0].1.replace("{{company}}", "{{industry}}");
        std::fs::write(dir.path().join("email/first-touch.md"), broken).unwrap();
        let custom = Prompts::load_set(EMAIL_PROMPTS, Some(dir.path())).unwrap();
        let err = fill(&custom, "email/first-touch", &vars("")).unwrap_err();
        assert!(err.to_string().contains("industry"), "{err}");
    }
}
