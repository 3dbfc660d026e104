//! The checks, grounding and failure wording of the model stages, without a model.

use leadscout_context::outputs::{Grounded, InsightsOutput};
use leadscout_domain::Timestamp;

use super::failure::{invalid_twice, repeats_itself};
use super::validate::check_insights;
use super::{Cited, InsightsStep};

fn said(text: &str, ids: &[&str]) -> Grounded {
    Grounded {
        text: text.into(),
        fact_ids: ids.iter().map(|i| (*i).to_owned()).collect(),
    }
}

fn answer(reasons: Vec<Grounded>, summary: &str) -> InsightsOutput {
    InsightsOutput {
        fit_reasons: reasons,
        fit_score: Some(80),
        talking_points: Vec::new(),
        risks: Vec::new(),
        next_best_action: said("Offer a pilot to the head of operations.", &["F1"]),
        summary: summary.into(),
        summary_fact_ids: vec!["F1".into()],
    }
}

fn facts() -> Cited {
    [
        ("F1", "Drop-forged anvils", "Acme makes drop-forged anvils"),
        ("F2", "2,000 workshops", "Trusted by 2,000 workshops"),
        ("F3", "Two open positions", "Two open positions in Austin"),
    ]
    .into_iter()
    .map(|(id, value, quote)| (id.to_owned(), (value.to_owned(), quote.to_owned())))
    .collect()
}

/// Issue 17: five reasons each citing F1-F5 and the summary `":{"` would have counted.
#[test]
fn repeated_reasons_repeated_citations_and_a_junk_summary_are_sent_back() {
    let errors = check_insights(&answer(
        vec![
            said("They buy anvils in bulk.", &["F1", "F1"]),
            said("They buy anvils in bulk.", &["F1", "F2", "F3", "F4"]),
            said("Workshops need stock control.", &["F2"]),
        ],
        "\":{\"",
    ));
    assert_eq!(
        errors,
        [
            "the summary must be at least one sentence (4 words or more)",
            "fit reason 1 cites F1 twice; cite each fact once",
            "fit reason 2 cites 4 facts; cite the 1 to 3 it rests on",
            "fit reasons 1 and 2 say the same; give each reason once, resting on different facts",
        ]
    );
    assert!(check_insights(&answer(
        vec![
            said("They buy anvils in bulk.", &["F1"]),
            said("A large customer base to serve.", &["F2"]),
            said("Growth means new tools.", &["F3"]),
        ],
        "Acme makes anvils for 2,000 workshops.",
    ))
    .is_empty());
}

#[test]
fn a_score_counts_only_with_three_verified_reasons_on_different_facts() {
    // Three good reasons, but all resting on F1: one fact, so the score does not count.
    let one_fact = answer(
        vec![
            said("They buy steel in bulk.", &["F1"]),
            said("Forging needs stock control.", &["F1"]),
            said("Anvil makers are our customers.", &["F1"]),
        ],
        "Acme makes drop-forged anvils for workshops.",
    );
    let (view, report) = InsightsStep::view(&one_fact, &facts(), "Acme", "m", Timestamp(0));
    assert!(view.fit_reasons.iter().all(|r| r.verified));
    assert!(!view.fit_verified);
    assert_eq!(
        report.last().unwrap().problem.as_deref(),
        Some("1 of its reasons rest on different verified facts; 3 are needed")
    );
    // Overlapping citations that can each be given a fact of their own count.
    let mut spread = answer(
        vec![
            said("They buy steel in bulk.", &["F1"]),
            said("A large base to serve.", &["F1", "F2"]),
            said("Hiring means growth.", &["F2", "F3"]),
        ],
        "Acme makes drop-forged anvils for 2,000 workshops.",
    );
    spread.summary_fact_ids = vec!["F1".into(), "F2".into()];
    let (view, _) = InsightsStep::view(&spread, &facts(), "Acme", "m", Timestamp(0));
    assert!(view.fit_verified && view.summary_verified);
    assert_eq!(
        InsightsStep::headline(&view),
        "Fit 80/100 · Acme makes drop-forged anvils for 2,000 workshops."
    );
    // A summary with a number its facts do not state is not verified, nor the headline.
    let mut invented = spread.clone();
    invented.summary = "Acme makes anvils for 5,000 workshops.".into();
    let (view, report) = InsightsStep::view(&invented, &facts(), "Acme", "m", Timestamp(0));
    assert!(!view.summary_verified);
    assert_eq!(
        report[0].problem.as_deref(),
        Some("states 5000, which none of its facts does")
    );
    assert_eq!(
        InsightsStep::headline(&view),
        "Fit 80/100 · the reasons are on the lead."
    );
}

/// An e2e screenshot showed "Acme sells..." verified on a Northwind lead: a summary that
/// cites verified facts and invents no number still has to say only what they state.
#[test]
fn a_summary_about_another_company_is_not_verified() {
    let mut other = answer(
        vec![
            said("They buy steel in bulk.", &["F1"]),
            said("A large base to serve.", &["F2"]),
            said("Hiring means growth.", &["F3"]),
        ],
        "Northwind sells refrigerated freight to 2,000 workshops.",
    );
    other.summary_fact_ids = vec!["F1".into(), "F2".into()];
    let (view, report) = InsightsStep::view(&other, &facts(), "Acme", "m", Timestamp(0));
    assert!(!view.summary_verified);
    assert_eq!(
        report[0].problem.as_deref(),
        Some("says northwind, sells, refrigerated, freight, which none of its facts does")
    );
    // Its facts' own words, in another order, are fine.
    other.summary = "Trusted by 2,000 workshops, Acme makes anvils.".into();
    let (view, _) = InsightsStep::view(&other, &facts(), "Acme", "m", Timestamp(0));
    assert!(view.summary_verified);
}

#[test]
fn a_looping_answer_is_told_apart_from_one_merely_cut_off() {
    let fact = r#"{"id": "F3", "source_id": "S1", "quote": "Acme makes drop-forged anvils", "field": "industry", "value": "unknown"}, "#;
    assert!(repeats_itself(&fact.repeat(5)));
    assert!(!repeats_itself(
        r#"{"facts": [{"id": "F1", "field": "indus"#
    ));
    // Issue 17: Gemma 3 270M wrote 21 facts, all "unknown", one repeated 15 times.
    let errors = ["facts: has more than 12 items".to_owned()];
    assert_eq!(
        invalid_twice(&errors, &format!("{{\"facts\": [{}]}}", fact.repeat(15))),
        "The model repeated itself instead of answering; a larger model usually fixes this."
    );
    assert_eq!(
        invalid_twice(&errors, r#"{"facts": []}"#),
        "The model's answer did not follow the required form, twice (facts: has more than 12 items); a larger model usually fixes this."
    );
}
