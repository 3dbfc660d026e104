//! Grounding: a model's claim counts only if the source it cites was in its context and the
//! words it quotes are in that source. Whitespace, case, Unicode forms and typographic quotes do
//! not matter; paraphrase does. A claim that fails is kept as unverified and never written to a
//! lead.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

use crate::prompt::Excerpt;

/// One claim as a model states it.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub field: String,
    pub value: String,
    pub source_id: String,
    pub quote: String,
}

/// Why a claim is not verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unverified {
    /// The cited source was not in this prompt.
    UnknownSource(String),
    /// The quote is not in the cited source.
    QuoteNotFound,
    /// No quote at all.
    NoQuote,
}

/// Folds text for comparison: NFKC, lower case, typographic quotes and dashes made plain, runs
/// of whitespace made one space.
pub fn normalize(text: &str) -> String {
    let folded: String = text
        .nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201b}' | '`' | '\u{00b4}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{00a0}' => ' ',
            other => other,
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks every claim against the excerpts the model was given.
pub fn check(claims: &[Claim], excerpts: &[Excerpt]) -> Vec<Result<(), Unverified>> {
    // Several excerpts of one page share its id; a quote must sit within one of them (the
    // separator folds to nothing a quote can contain).
    let mut sources: BTreeMap<&str, String> = BTreeMap::new();
    for excerpt in excerpts {
        let text = sources.entry(excerpt.id.as_str()).or_default();
        if !text.is_empty() {
            text.push_str(" \u{1} ");
        }
        text.push_str(&normalize(&excerpt.text));
    }
    claims
        .iter()
        .map(|claim| {
            let Some(source) = sources.get(claim.source_id.trim()) else {
                return Err(Unverified::UnknownSource(claim.source_id.clone()));
            };
            let quote = normalize(claim.quote.trim_matches(['"', '\'', ' ', '.']));
            if quote.is_empty() {
                return Err(Unverified::NoQuote);
            }
            if source.contains(&quote) {
                Ok(())
            } else {
                Err(Unverified::QuoteNotFound)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(id: &str, text: &str) -> Excerpt {
        Excerpt {
            id: id.into(),
            url: format!("https://acme.example/{id}"),
            text: text.into(),
        }
    }

    fn claim(source: &str, quote: &str) -> Claim {
        Claim {
            field: "founded".into(),
            value: "2014".into(),
            source_id: source.into(),
            quote: quote.into(),
        }
    }

    #[test]
    fn quotes_verify_across_case_space_and_unicode_forms_but_not_paraphrase() {
        let excerpts = [
            excerpt(
                "S1",
                "Founded in 2014, Acme is\nheadquartered in  Austin, Texas.",
            ),
            excerpt(
                "S2",
                "We\u{2019}re a team of 45 smiths \u{2014} and growing.",
            ),
        ];
        let results = check(
            &[
                claim("S1", "founded in 2014"),
                claim("S1", "Acme is headquartered in Austin"),
                claim("S2", "We're a team of 45 smiths - and growing"),
                claim(" S2 ", "\"a team of 45 smiths\""),
                // Paraphrase, absent quote, wrong source, invented source, empty quote.
                claim("S1", "Acme was established in 2014"),
                claim("S1", "Acme has 500 employees"),
                claim("S2", "founded in 2014"),
                claim("S9", "founded in 2014"),
                claim("S1", "  "),
            ],
            &excerpts,
        );
        assert_eq!(
            results,
            [
                Ok(()),
                Ok(()),
                Ok(()),
                Ok(()),
                Err(Unverified::QuoteNotFound),
                Err(Unverified::QuoteNotFound),
                Err(Unverified::QuoteNotFound),
                Err(Unverified::UnknownSource("S9".into())),
                Err(Unverified::NoQuote),
            ]
        );
    }

    #[test]
    fn a_quote_is_found_in_any_excerpt_of_its_page_but_not_across_two() {
        let excerpts = [
            excerpt("S1", "Acme makes anvils."),
            excerpt("S1", "Founded in 2014 in Austin."),
        ];
        let results = check(
            &[
                claim("S1", "Acme makes anvils"),
                claim("S1", "Founded in 2014"),
                claim("S1", "anvils. Founded in 2014"),
            ],
            &excerpts,
        );
        assert_eq!(results, [Ok(()), Ok(()), Err(Unverified::QuoteNotFound)]);
    }

    #[test]
    fn full_width_and_composed_forms_fold() {
        assert_eq!(
            normalize("Ｃａｆé  \u{00a0}Ｍüller"),
            normalize("cafe\u{301} müller")
        );
    }
}
