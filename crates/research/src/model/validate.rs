//! The checks of an insights answer beyond its schema: every statement stands on 1 to 3
//! different verified facts and says something beyond them.

use std::collections::{BTreeMap, BTreeSet};

use leadscout_context::grounding;
use leadscout_context::outputs::{Grounded, InsightsOutput, MAX_CITED, MAX_SUMMARY_CHARS};
use leadscout_domain::GroundedView;

use super::SUMMARY_MIN_WORDS;

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Every statement of an insights answer with its label (`fit reason 2`).
fn statements(output: &InsightsOutput) -> Vec<(String, &Grounded)> {
    let mut out = Vec::new();

    for (name, items) in [
        ("fit reason", output.fit_reasons.as_slice()),
        ("talking point", output.talking_points.as_slice()),
        ("risk", output.risks.as_slice()),
        (
            "next action",
            std::slice::from_ref(&output.next_best_action),
        ),
    ] {
        for (i, item) in items.iter().enumerate() {
            out.push((format!("{name} {}", i + 1), item));
        }
    }
    out
}

/// The checks of an insights answer beyond its schema; each sends the answer back for one
/// repair.
pub(super) fn check_insights(output: &InsightsOutput) -> Vec<String> {
    let mut errors = Vec::new();
    let summary = output.summary.trim();
    let letters = summary.chars().filter(|c| c.is_alphabetic()).count();
    if words(summary) < SUMMARY_MIN_WORDS || letters < 3 * SUMMARY_MIN_WORDS {
        errors.push(format!(
            "the summary must be at least one sentence ({SUMMARY_MIN_WORDS} words or more)"
        ));
    }
    if summary.chars().count() > MAX_SUMMARY_CHARS {
        errors.push(format!(
            "the summary has {} characters; it must have at most {MAX_SUMMARY_CHARS}",
            summary.chars().count()
        ));
    }
    if output.fit_score.is_some_and(|s| s > 100) {
        errors.push("the fit score must be between 0 and 100".into());
    }
    for (label, item) in statements(output) {
        let mut seen = BTreeSet::new();
        if let Some(twice) = item.fact_ids.iter().find(|id| !seen.insert(id.trim())) {
            errors.push(format!("{label} cites {twice} twice; cite each fact once"));
        }
        if item.fact_ids.len() > MAX_CITED {
            errors.push(format!(
                "{label} cites {} facts; cite the 1 to {MAX_CITED} it rests on",
                item.fact_ids.len()
            ));
        }
    }
    let texts: Vec<String> = output
        .fit_reasons
        .iter()
        .map(|r| grounding::normalize(r.text.trim_end_matches('.')))
        .collect();
    for (i, text) in texts.iter().enumerate() {
        if let Some(j) = texts[..i].iter().position(|t| t == text) {
            errors.push(format!(
                "fit reasons {} and {} say the same; give each reason once, resting on different facts",
                j + 1,
                i + 1
            ));
        }
    }
    errors
}

/// A verified fact as statements may cite it: its value and quote.
pub type Cited = BTreeMap<String, (String, String)>;

/// Whether a statement stands on the facts it cites: 1 to 3 different verified facts, no
/// number they do not state, and something said beyond them.
fn statement_problem(text: &str, ids: &[String], facts: &Cited) -> Option<String> {
    restatement_problem(text, ids, facts, None)
}

/// [`statement_problem`], or for a restatement (the summary, whose job is to restate; an email
/// draft's sentences) any number of facts and no content word they do not state: `restating`
/// holds the names (the lead's company) it may use besides its facts' words.
pub(crate) fn restatement_problem(
    text: &str,
    ids: &[String],
    facts: &Cited,
    restating: Option<&[&str]>,
) -> Option<String> {
    if ids.is_empty() {
        return Some("cites no fact".to_owned());
    }
    if ids.len() > MAX_CITED && restating.is_none() {
        return Some(format!(
            "cites {} facts; a statement rests on 1 to {MAX_CITED}",
            ids.len()
        ));
    }
    let distinct: BTreeSet<&String> = ids.iter().collect();
    if distinct.len() < ids.len() {
        return Some("cites one fact twice".to_owned());
    }
    if let Some(id) = ids.iter().find(|id| !facts.contains_key(*id)) {
        return Some(format!("cites {id}, which is not a verified fact"));
    }
    let grounds: Vec<&str> = ids
        .iter()
        .filter_map(|id| facts.get(id))
        .flat_map(|(value, quote)| [value.as_str(), quote.as_str()])
        .collect();
    let invented = grounding::numbers_not_in(text, &grounds);
    if !invented.is_empty() {
        return Some(format!(
            "states {}, which none of its facts does",
            invented.join(", ")
        ));
    }
    if let Some(names) = restating {
        let allowed: Vec<&str> = grounds.iter().chain(names).copied().collect();
        let unsupported = grounding::words_not_in(text, &allowed);
        if !unsupported.is_empty() {
            return Some(format!(
                "says {}, which none of its facts does",
                unsupported.join(", ")
            ));
        }
    }
    if restating.is_none() && grounding::only_restates(text, &grounds) {
        return Some(format!(
            "only repeats {}; a reason says why it matters",
            ids.join(", ")
        ));
    }
    None
}

pub(super) fn grounded(item: &Grounded, facts: &Cited) -> (GroundedView, Option<String>) {
    let ids: Vec<String> = item.fact_ids.iter().map(|i| i.trim().to_owned()).collect();
    let problem = statement_problem(&item.text, &ids, facts);
    (
        GroundedView {
            text: item.text.trim().to_owned(),
            fact_ids: ids,
            verified: problem.is_none(),
        },
        problem,
    )
}

/// How many verified reasons rest on different facts: the largest set of reasons that can
/// each be given a fact of its own (a matching of reasons to the facts they cite). Five
/// reasons citing the same fact count once.
pub(super) fn reasons_on_different_facts(reasons: &[GroundedView]) -> usize {
    fn assign(
        reason: usize,
        reasons: &[&GroundedView],
        taken: &mut BTreeMap<String, usize>,
        visited: &mut BTreeSet<String>,
    ) -> bool {
        for id in &reasons[reason].fact_ids {
            if !visited.insert(id.clone()) {
                continue;
            }
            let free = match taken.get(id).copied() {
                None => true,
                Some(other) => assign(other, reasons, taken, visited),
            };
            if free {
                taken.insert(id.clone(), reason);
                return true;
            }
        }
        false
    }
    let verified: Vec<&GroundedView> = reasons.iter().filter(|r| r.verified).collect();
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    (0..verified.len())
        .filter(|&r| assign(r, &verified, &mut taken, &mut BTreeSet::new()))
        .count()
}
