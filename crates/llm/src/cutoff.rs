//! One more try, asking for less, when an answer is cut off at the output limit.
//!
//! Small local models often write a list until the output limit stops them (the same fact
//! fifteen times, ids running to F99). Raising the limit only makes the same answer longer, so
//! the client asks once more, saying the answer was cut off and asking for fewer, shorter items.
//! The stage code sees either a complete answer or, if the second answer is cut off too,
//! `LlmError::Truncated` with both calls' tokens.

use std::time::Duration;

use crate::client::{BoxFuture, LlmClient, Provider};
use crate::error::LlmError;
use crate::request::StructuredRequest;
use crate::response::{StructuredResponse, Usage};

/// How much of the cut-off answer goes back to the model: enough to show what went wrong.
const PARTIAL_SHOWN_CHARS: usize = 1200;

/// What the model is told after a cut-off answer.
pub const CUT_OFF_REPAIR: &str = "Your answer was cut off at the output limit before the JSON \
was complete, so none of it could be used. Answer again with complete JSON that is much shorter: \
at most half as many items in every list, each item once, and short strings. Leave out anything \
you are unsure of rather than writing \"unknown\" entries.";

/// A client that retries a cut-off answer once with [`CUT_OFF_REPAIR`] appended to the
/// conversation, and that can replace every request's total deadline (the remote deadline
/// Settings chose).
pub struct ShorterOnCutOff {
    inner: Box<dyn LlmClient>,
    deadline: Option<Duration>,
}

impl ShorterOnCutOff {
    pub fn new(inner: Box<dyn LlmClient>) -> Self {
        ShorterOnCutOff {
            inner,
            deadline: None,
        }
    }

    /// Every call must finish within `deadline`, whatever its request says.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    async fn call(&self, request: &StructuredRequest) -> Result<StructuredResponse, LlmError> {
        let mut request = request.clone();
        if let Some(deadline) = self.deadline {
            request.limits.timeout = deadline;
        }
        let first = self.inner.complete(&request).await;
        let Err(LlmError::Truncated { partial, call, .. }) = first else {
            return first;
        };
        tracing::info!(
            provider = self.inner.provider().as_str(),
            output_tokens = call.usage.output_tokens,
            "answer cut off at the output limit; asking once for a shorter one"
        );
        let shown: String = partial.chars().take(PARTIAL_SHOWN_CHARS).collect();
        let retry = request.assistant(shown).user(CUT_OFF_REPAIR);
        // Both calls were paid for (in tokens or in time): the answer carries their sum.
        let add = |a: &Usage, b: &Usage| Usage {
            input_tokens: a.input_tokens + b.input_tokens,
            output_tokens: a.output_tokens + b.output_tokens,
            cached_input_tokens: a.cached_input_tokens + b.cached_input_tokens,
            reasoning_tokens: a.reasoning_tokens + b.reasoning_tokens,
        };
        let sum_cost = |b: Option<f64>| match (call.cost_usd, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
        match self.inner.complete(&retry).await {
            Ok(mut answer) => {
                answer.usage = add(&call.usage, &answer.usage);
                answer.cost_usd = sum_cost(answer.cost_usd);
                answer.latency += call.latency;
                Ok(answer)
            }
            Err(mut err) => {
                if let LlmError::Truncated { call: second, .. }
                | LlmError::InvalidJson { call: second, .. }
                | LlmError::SchemaMismatch { call: second, .. }
                | LlmError::Refusal { call: second, .. } = &mut err
                {
                    second.usage = add(&call.usage, &second.usage);
                    second.cost_usd = sum_cost(second.cost_usd);
                    second.latency += call.latency;
                }
                Err(err)
            }
        }
    }
}

impl LlmClient for ShorterOnCutOff {
    fn provider(&self) -> Provider {
        self.inner.provider()
    }

    fn model(&self) -> &str {
        self.inner.model()
    }

    fn complete<'a>(
        &'a self,
        request: &'a StructuredRequest,
    ) -> BoxFuture<'a, Result<StructuredResponse, LlmError>> {
        Box::pin(self.call(request))
    }
}

impl std::fmt::Debug for ShorterOnCutOff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShorterOnCutOff")
            .field("provider", &self.inner.provider())
            .field("model", &self.inner.model())
            .field("deadline", &self.deadline)
            .finish()
    }
}
