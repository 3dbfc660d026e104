//! What a call cost, from a committed price table (never fetched at run time).
//!
//! Where the prices come from: the providers' public pricing pages
//! (OpenAI: <https://openai.com/api/pricing>, Anthropic: <https://www.anthropic.com/pricing#api>,
//! Google: <https://ai.google.dev/gemini-api/docs/pricing>), as the author knew them. They
//! were NOT re-checked against the live pages when this table was written (the build machine
//! has no internet access); each entry's `note` says how sure it is. Re-check before a
//! release and update `effective` with the date a changed price took effect.
//!
//! Scope: standard (not batch, not priority) text pricing, prompts up to 200k tokens
//! (Gemini 2.5 Pro and Claude Sonnet's 1M-context beta charge more above that, which this
//! app's prompts never reach), and no cache-write surcharge (Anthropic bills cache writes at
//! 1.25x input; this crate never asks for them). Gemini's paid tier (its free tier is free).

use crate::client::Provider;
use crate::response::Usage;

/// USD per million tokens for one model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelPrice {
    pub provider: Provider,
    /// The model name as configured, without a date suffix; dated snapshots
    /// (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) match it.
    pub model: &'static str,
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
    /// Price of input tokens read from the prompt cache; `None` where the author was not sure,
    /// and then cached tokens are priced as ordinary input (an upper bound).
    pub cached_input_per_mtok: Option<f64>,
    /// The date (YYYY-MM-DD) from which this price applied, as far as known.
    pub effective: &'static str,
    /// How sure the entry is.
    pub note: &'static str,
}

const fn price(
    provider: Provider,
    model: &'static str,
    input: f64,
    cached: Option<f64>,
    output: f64,
    effective: &'static str,
    note: &'static str,
) -> ModelPrice {
    ModelPrice {
        provider,
        model,
        input_per_mtok: input,
        output_per_mtok: output,
        cached_input_per_mtok: cached,
        effective,
        note,
    }
}

use Provider::{Anthropic, Gemini, OpenAi};

/// List price as the author knew it from the provider's page; not re-checked live.
const LISTED: &str = "list price as known to the author; not re-checked against the live page";

/// The table. Dated snapshots that were priced differently from their alias get their own
/// entry (an exact match wins over the alias). Columns: input, cached input, output (USD per
/// million tokens), effective date, note.
#[rustfmt::skip]
pub const PRICES: &[ModelPrice] = &[
    price(OpenAi, "gpt-5",             1.25, Some(0.125), 10.0, "2025-08-07", LISTED),
    price(OpenAi, "gpt-5-mini",        0.25, Some(0.025),  2.0, "2025-08-07", LISTED),
    price(OpenAi, "gpt-5-nano",        0.05, Some(0.005), 0.40, "2025-08-07", LISTED),
    price(OpenAi, "gpt-4.1",            2.0, Some(0.50),   8.0, "2025-04-14", LISTED),
    price(OpenAi, "gpt-4.1-mini",      0.40, Some(0.10),  1.60, "2025-04-14", LISTED),
    price(OpenAi, "gpt-4.1-nano",      0.10, Some(0.025), 0.40, "2025-04-14", LISTED),
    price(OpenAi, "gpt-4o",            2.50, Some(1.25),  10.0, "2024-10-02",
        "the alias has meant gpt-4o-2024-08-06 (this price) since 2024-10-02; not re-checked"),
    price(OpenAi, "gpt-4o-2024-05-13",  5.0, None,        15.0, "2024-05-13",
        "the first gpt-4o snapshot kept its launch price and has no cache discount"),
    price(OpenAi, "gpt-4o-mini",       0.15, Some(0.075), 0.60, "2024-07-18", LISTED),
    price(OpenAi, "o3",                 2.0, Some(0.50),   8.0, "2025-06-10",
        "after the June 2025 cut (10/40 before); not re-checked"),
    price(OpenAi, "o4-mini",           1.10, Some(0.275), 4.40, "2025-04-16", LISTED),

    price(Anthropic, "claude-opus-4-5",   5.0, Some(0.50), 25.0, "2025-11-24", LISTED),
    price(Anthropic, "claude-opus-4-1",  15.0, Some(1.50), 75.0, "2025-08-05", LISTED),
    price(Anthropic, "claude-opus-4",    15.0, Some(1.50), 75.0, "2025-05-22", LISTED),
    price(Anthropic, "claude-sonnet-4-5", 3.0, Some(0.30), 15.0, "2025-09-29",
        "prompts up to 200k tokens; not re-checked"),
    price(Anthropic, "claude-sonnet-4",   3.0, Some(0.30), 15.0, "2025-05-22",
        "prompts up to 200k tokens; not re-checked"),
    price(Anthropic, "claude-3-7-sonnet", 3.0, Some(0.30), 15.0, "2025-02-24", LISTED),
    price(Anthropic, "claude-haiku-4-5",  1.0, Some(0.10),  5.0, "2025-10-15", LISTED),
    price(Anthropic, "claude-3-5-haiku", 0.80, Some(0.08),  4.0, "2024-11-04", LISTED),

    price(Gemini, "gemini-2.5-pro",        1.25,  None,        10.0, "2025-06-17",
        "prompts up to 200k tokens; the cached-input price changed during 2025 and is not known for sure"),
    price(Gemini, "gemini-2.5-flash",      0.30,  None,        2.50, "2025-06-17",
        "text input; the cached-input price changed during 2025 and is not known for sure"),
    price(Gemini, "gemini-2.5-flash-lite", 0.10,  None,        0.40, "2025-07-22",
        "text input; cached-input price not known for sure"),
    price(Gemini, "gemini-2.0-flash",      0.10,  Some(0.025), 0.40, "2025-02-05",
        "text input; not re-checked"),
    price(Gemini, "gemini-2.0-flash-lite", 0.075, None,        0.30, "2025-02-25",
        "no context caching for this model; not re-checked"),
];

/// The table entry for a model as a provider named it: an exact match, or the entry whose
/// name the model extends by a version suffix only (`-2024-08-06`, `-20250929`, `-001`,
/// `-latest`). `gpt-4o-mini` therefore never matches `gpt-4o`, nor `o3-pro` `o3`: an unknown
/// model has no price rather than a wrong one.
pub fn price_for(provider: Provider, model: &str) -> Option<&'static ModelPrice> {
    let model = model.strip_prefix("models/").unwrap_or(model);
    let ours = PRICES.iter().filter(|p| p.provider == provider);
    if let Some(exact) = ours.clone().find(|p| p.model == model) {
        return Some(exact);
    }
    ours.filter(|p| {
        model
            .strip_prefix(p.model)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(is_version_suffix)
    })
    .max_by_key(|p| p.model.len())
}

/// `latest`, a date (`20250929`, `2024-08-06`) or a three-digit revision (`001`). Nothing
/// else: `claude-opus-4-6` must not be priced as `claude-opus-4`.
fn is_version_suffix(rest: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let dashed_date = rest.len() == 10
        && rest.split('-').map(str::len).eq([4, 2, 2])
        && rest.split('-').all(digits);
    rest == "latest" || (digits(rest) && matches!(rest.len(), 3 | 8)) || dashed_date
}

/// The call's cost in USD, or `None` when the model is not in the table (local models, new
/// models, other servers' names).
pub fn cost_usd(provider: Provider, model: &str, usage: &Usage) -> Option<f64> {
    let price = price_for(provider, model)?;
    let cached = usage.cached_input_tokens.min(usage.input_tokens);
    let uncached = usage.input_tokens - cached;
    let cached_price = price.cached_input_per_mtok.unwrap_or(price.input_per_mtok);
    let micro = uncached as f64 * price.input_per_mtok
        + cached as f64 * cached_price
        + usage.output_tokens as f64 * price.output_per_mtok;
    Some(micro / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input: u64, cached: u64, output: u64) -> Usage {
        Usage {
            input_tokens: input,
            output_tokens: output,
            cached_input_tokens: cached,
            reasoning_tokens: 0,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn dated_snapshots_match_their_alias() {
        assert_eq!(
            price_for(OpenAi, "gpt-4o-2024-08-06").unwrap().model,
            "gpt-4o"
        );
        assert_eq!(
            price_for(Anthropic, "claude-sonnet-4-5-20250929")
                .unwrap()
                .model,
            "claude-sonnet-4-5"
        );
        assert_eq!(
            price_for(Anthropic, "claude-haiku-4-5-20251001")
                .unwrap()
                .model,
            "claude-haiku-4-5"
        );
        assert_eq!(
            price_for(Gemini, "gemini-2.0-flash-001").unwrap().model,
            "gemini-2.0-flash"
        );
        assert_eq!(
            price_for(Gemini, "models/gemini-2.5-flash").unwrap().model,
            "gemini-2.5-flash"
        );
    }

    #[test]
    fn similar_names_do_not_borrow_a_price() {
        assert_eq!(
            price_for(OpenAi, "gpt-4o-mini-2024-07-18").unwrap().model,
            "gpt-4o-mini"
        );
        assert_eq!(
            price_for(OpenAi, "gpt-4o-2024-05-13")
                .unwrap()
                .input_per_mtok,
            5.0
        );
        assert!(price_for(OpenAi, "o3-pro").is_none());
        assert!(price_for(Anthropic, "claude-opus-4-6").is_none());
        assert_eq!(
            price_for(Anthropic, "claude-opus-4-1-20250805")
                .unwrap()
                .model,
            "claude-opus-4-1"
        );
        assert!(price_for(Gemini, "gemini-2.5-flash-preview-05-20").is_none());
        assert!(price_for(Gemini, "gemini-3-pro-preview").is_none());
        assert!(price_for(OpenAi, "claude-sonnet-4-5").is_none());
        assert!(price_for(Provider::Ollama, "llama3.1").is_none());
    }

    #[test]
    fn cost_prices_cached_input_at_its_own_rate() {
        // gpt-4o: 2.50 in, 1.25 cached, 10 out.
        let c = cost_usd(OpenAi, "gpt-4o", &usage(1_000_000, 400_000, 100_000)).unwrap();
        assert!(close(c, 0.6 * 2.5 + 0.4 * 1.25 + 0.1 * 10.0), "{c}");
        // Unknown cached price: cached tokens cost what input costs.
        let c = cost_usd(Gemini, "gemini-2.5-flash", &usage(1_000_000, 500_000, 0)).unwrap();
        assert!(close(c, 0.30), "{c}");
        assert!(cost_usd(Provider::Ollama, "llama3.1", &usage(10, 0, 10)).is_none());
    }

    #[test]
    fn every_entry_is_well_formed() {
        for p in PRICES {
            assert!(p.input_per_mtok > 0.0 && p.output_per_mtok > 0.0, "{p:?}");
            assert!(
                p.cached_input_per_mtok.is_none_or(|c| c < p.input_per_mtok),
                "{p:?}"
            );
            assert_eq!(p.effective.len(), 10, "{p:?}");
            assert_eq!(
                PRICES
                    .iter()
                    .filter(|q| q.provider == p.provider && q.model == p.model)
                    .count(),
                1,
                "duplicate {p:?}"
            );
        }
    }
}
