//! Settings' "Test" button: can this model do research? One real footprint call (the shipped
//! prompt, the real schema, the client research uses) on a small built-in company page, and a
//! verdict a salesperson can act on: valid, cut off, invalid, or too slow.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use leadscout_context::excerpts::Page;
use leadscout_context::outputs::{schemas, FootprintOutput};
use leadscout_context::prompt::{assemble, Prompts};
use leadscout_llm::{ErrorKind, LlmClient, LlmError, OutputSchema, StructuredRequest, Usage};

use crate::model::{footprint_excerpts, FootprintStep, FOOTPRINT_PROMPT};

/// The built-in page: a made-up company, written so that every footprint field has a sentence
/// that states it.
pub const CHECK_PAGE_URL: &str = "https://northwind-forge.example/about";
pub const CHECK_PAGE: &str = include_str!("check_page.md");

/// A research call on a real page is several times this one's length: an answer slower than
/// this here means minutes per lead there.
pub const SLOW_CHECK: Duration = Duration::from_secs(60);

/// What the check showed.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// A schema-valid answer in good time: research can use this model.
    Valid,
    /// The answer ran to the output limit, even after being asked for a shorter one.
    CutOff,
    /// The answer was not JSON, or broke the schema or the stage's checks.
    Invalid(String),
    /// No answer within the deadline, or one so slow that research would crawl.
    TooSlow,
}

impl Verdict {
    /// A stable code for the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::CutOff => "cut_off",
            Verdict::Invalid(_) => "invalid",
            Verdict::TooSlow => "too_slow",
        }
    }
}

/// The check's result, with what it measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub verdict: Verdict,
    /// One or two sentences for the settings page.
    pub summary: String,
    /// The model that answered, when one did.
    pub model: String,
    pub latency: Duration,
    pub usage: Usage,
    pub cost_usd: Option<f64>,
    /// Facts in a valid answer, and how many of them quote the page word for word.
    pub facts: usize,
    pub verified: usize,
}

/// Why the check could not run at all (a prompt override that does not load, a missing schema).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CheckError(String);

/// The footprint request research would send for the built-in page.
pub fn check_request(
    prompts_dir: Option<&Path>,
    timeout: Duration,
) -> Result<(StructuredRequest, Vec<leadscout_context::prompt::Excerpt>), CheckError> {
    let prompts = Prompts::load(prompts_dir).map_err(|e| {
        CheckError(format!(
            "A prompt override cannot be used: {e}. Fix or reset it in Settings."
        ))
    })?;
    let prompt = prompts
        .get(FOOTPRINT_PROMPT)
        .map_err(|e| CheckError(e.to_string()))?;
    let page = Page {
        url: CHECK_PAGE_URL.to_owned(),
        text: CHECK_PAGE.to_owned(),
    };
    let excerpts = footprint_excerpts(prompt, &[page]);
    let vars: BTreeMap<&str, String> = [
        ("today", leadscout_domain::Timestamp::now().date()),
        ("user_company", "Leadscout test".to_owned()),
        ("user_offering", "Inventory software".to_owned()),
        (
            "user_ideal_customer",
            "Manufacturers of 20-500 people".to_owned(),
        ),
        ("lead_name", "Dana Whitfield".to_owned()),
        ("lead_title", "Head of Operations".to_owned()),
        ("lead_company", "Northwind Forge".to_owned()),
        ("lead_domain", "northwind-forge.example".to_owned()),
    ]
    .into_iter()
    .collect();
    let layers = assemble(
        &prompts,
        FOOTPRINT_PROMPT,
        &vars,
        &BTreeMap::from([("sources".to_owned(), excerpts)]),
    )
    .map_err(|e| CheckError(e.to_string()))?;
    let schema = schemas()
        .into_iter()
        .find(|(name, _)| *name == prompt.schema)
        .map(|(_, v)| v)
        .ok_or_else(|| CheckError(format!("the schema {} does not exist", prompt.schema)))?;
    let schema = OutputSchema::new(format!("leadscout_{}", prompt.schema), schema)
        .map_err(|e| CheckError(e.to_string()))?;
    let request = StructuredRequest::new(schema)
        .system(format!("{}\n\n{}", layers.shared, layers.stage))
        .user(layers.task.clone())
        .limits(leadscout_llm::Limits {
            max_output_tokens: prompt.max_output_tokens,
            timeout,
            temperature: Some(prompt.temperature),
        });
    Ok((request, layers.included))
}

/// Runs the check. `Err` only for what is not about the model: a server that cannot be
/// reached, a refused key, an unknown model (those messages already say what to do).
pub async fn run_check(
    client: &dyn LlmClient,
    prompts_dir: Option<&Path>,
    timeout: Duration,
) -> Result<Result<Check, LlmError>, CheckError> {
    let (request, included) = check_request(prompts_dir, timeout)?;
    let result = client.complete(&request).await;
    let answered =
        |verdict: Verdict, summary: String, call: Option<&leadscout_llm::AnsweredCall>| Check {
            verdict,
            summary,
            model: call.map(|c| c.model.clone()).unwrap_or_default(),
            latency: call.map(|c| c.latency).unwrap_or_default(),
            usage: call.map(|c| c.usage).unwrap_or_default(),
            cost_usd: call.and_then(|c| c.cost_usd),
            facts: 0,
            verified: 0,
        };
    let response = match result {
        Ok(response) => response,
        Err(err) => {
            return Ok(match err.kind() {
                ErrorKind::Truncated => Ok(answered(
                    Verdict::CutOff,
                    "Not usable for research: the answer ran to the output limit twice, even \
                     when asked for fewer items. This model keeps writing; try a larger or \
                     instruction-tuned one."
                        .to_owned(),
                    err.answered_call(),
                )),
                ErrorKind::InvalidJson | ErrorKind::SchemaMismatch | ErrorKind::Refusal => {
                    Ok(answered(
                        Verdict::Invalid(err.to_string()),
                        format!("Not usable for research: {err}."),
                        err.answered_call(),
                    ))
                }
                ErrorKind::Timeout => Ok(answered(
                    Verdict::TooSlow,
                    format!(
                        "Too slow for research: {err}. A real page is several times longer \
                         than this test."
                    ),
                    None,
                )),
                _ => Err(err),
            });
        }
    };
    let mut check = Check {
        verdict: Verdict::Valid,
        summary: String::new(),
        model: response.model.clone(),
        latency: response.latency,
        usage: response.usage,
        cost_usd: response.cost_usd,
        facts: 0,
        verified: 0,
    };
    let output: FootprintOutput = match serde_json::from_value(response.value) {
        Ok(output) => output,
        Err(e) => {
            check.verdict = Verdict::Invalid(e.to_string());
            check.summary = format!("Not usable for research: the answer does not fit: {e}.");
            return Ok(Ok(check));
        }
    };
    let (facts, _) = FootprintStep::facts(&output, &included, &BTreeMap::new());
    check.facts = facts.len();
    check.verified = facts.iter().filter(|f| f.verified).count();
    let seconds = response.latency.as_secs_f64();
    if response.latency > SLOW_CHECK {
        check.verdict = Verdict::TooSlow;
        check.summary = format!(
            "Too slow for research: a valid answer took {seconds:.0} s on a short page; a \
             real company's pages would take minutes per lead."
        );
    } else if check.verified == 0 {
        check.verdict = Verdict::Invalid("no fact quotes the page".to_owned());
        check.summary = format!(
            "Not usable for research: the answer was valid JSON, but none of its {} facts \
             quotes the page word for word, so research would keep none of them.",
            check.facts
        );
    } else {
        check.summary = format!(
            "This model can do research: a valid answer in {seconds:.1} s, {} of {} facts \
             quoted from the page.",
            check.verified, check.facts
        );
    }
    Ok(Ok(check))
}
