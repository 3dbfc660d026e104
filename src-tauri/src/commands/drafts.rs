//! Drafted emails: a draft from a template (and the model, from verified facts only), then
//! opened in the user's mail client or copied, and logged as an email on the timeline.

use leadscout_domain::{
    mailto, ActivityKind, DraftRequest, DraftSend, EmailDraft, LoggedActivity, NewActivity,
    SentDraft, Timestamp,
};
use leadscout_research::draft::{draft_email as draft, DraftError};
use leadscout_research::model::{KeychainModels, ModelKit, CALL_TIMEOUT};
use tauri::State;

use crate::error::IpcErrorCode;
use crate::{AppState, IpcError};

impl From<DraftError> for IpcError {
    fn from(err: DraftError) -> Self {
        match err {
            DraftError::LeadNotFound(id) => leadscout_store::StoreError::LeadNotFound(id).into(),
            DraftError::Store(err) => err.into(),
            DraftError::Template(_) => IpcError::new(IpcErrorCode::Validation, err.to_string()),
        }
    }
}

/// Drafts an email to a lead from the chosen template; with `withModel`, its opening paragraph
/// from the lead's verified facts.
#[tauri::command]
#[specta::specta]
pub async fn draft_email(
    state: State<'_, AppState>,
    input: DraftRequest,
) -> Result<EmailDraft, IpcError> {
    let http = leadscout_llm::build_http_client()
        .map_err(|e| IpcError::new(IpcErrorCode::Internal, e.to_string()))?;
    let kit = ModelKit {
        store: state.store()?.clone(),
        models: std::sync::Arc::new(KeychainModels::new(state.keychain.clone(), http)),
        prompts_dir: Some(state.prompts_dir()),
        call_timeout: CALL_TIMEOUT,
    };
    Ok(draft(&kit, &input, &leadscout_domain::SystemClock).await?)
}

/// Opens the edited draft in the user's mail client (a `mailto:` link to the lead's address)
/// or, when the window copied it, only records it; either way it is logged as an email.
#[tauri::command]
#[specta::specta]
pub async fn send_email_draft(
    state: State<'_, AppState>,
    input: SentDraft,
) -> Result<LoggedActivity, IpcError> {
    let (subject, body) = input.validate()?;
    let store = state.store()?;
    let lead = store
        .lead(input.lead_id)
        .await?
        .ok_or(leadscout_store::StoreError::LeadNotFound(input.lead_id))?;
    if input.via == DraftSend::MailClient {
        // The address is the lead's own, read here: the window names none.
        let link = mailto(lead.email.as_deref(), &subject, &body);
        let open = state
            .open_mail
            .get()
            .ok_or_else(|| no_mail_client("no window to open it from"))?;
        open(&link).map_err(|e| no_mail_client(&e))?;
    }
    let draft = NewActivity {
        lead_id: lead.id,
        kind: ActivityKind::Email,
        body: format!("{subject}\n\n{body}"),
        outcome: None,
        occurred_at: None,
    }
    .validate()?;
    let (activity, lead) = store.log_activity(&draft, None, Timestamp::now()).await?;
    Ok(LoggedActivity { activity, lead })
}

fn no_mail_client(detail: &str) -> IpcError {
    tracing::warn!(detail, "could not open the mail client");
    IpcError::new(
        IpcErrorCode::Internal,
        "Your mail client could not be opened. Copy the email instead.",
    )
}
