//! The spending caps a model stage checks before it calls the model.

use leadscout_domain::Timestamp;
use leadscout_store::Store;
use leadscout_workflow::{StepError, StepInput};

/// Whether a model stage may call the model now. Over the per-lead cap the stage skips, and
/// research keeps everything it found without the model; over the per-day cap the run waits
/// for the next day ([`StepError::Deferred`]).
pub(super) async fn budget_stop(
    store: &Store,
    input: &StepInput,
    settings: &leadscout_domain::Settings,
) -> Result<Option<String>, StepError> {
    let run = input.run;
    let read = |e: leadscout_store::StoreError| {
        StepError::transient(format!("could not read what research spent: {e}"))
    };
    let dollars = |cents: u32| f64::from(cents) / 100.0;
    if let Some(cap) = settings.budget.per_lead_cents {
        let spent = store.run_model_spend(run).await.map_err(read)?;
        if spent * 100.0 >= f64::from(cap) {
            return Ok(Some(format!(
                "this lead's research reached its model budget (${spent:.2} of ${:.2}; Settings → Research).",
                dollars(cap)
            )));
        }
    }
    if let Some(cap) = settings.budget.per_day_cents {
        let today = input.now().start_of_day();
        let spent = store.model_spend_since(today).await.map_err(read)?;
        if spent * 100.0 >= f64::from(cap) {
            // Queued work is never dropped: the run waits for tomorrow (or a higher cap).
            return Err(StepError::Deferred {
                message: format!(
                    "Waiting: today's model budget is spent (${spent:.2} of ${:.2}). Research continues tomorrow, or raise the cap in Settings → Research.",
                    dollars(cap)
                ),
                until: Timestamp(today.0 + 24 * 60 * 60 * 1000),
            });
        }
    }
    Ok(None)
}
