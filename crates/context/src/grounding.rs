//! Grounding: a model's claim counts only if the source it cites was in its context, the words
//! it quotes are in that source, and those words support what it claims. Whitespace, case,
//! Unicode forms and typographic quotes do not matter; paraphrase does. Support means: the
//! quote is long enough to state something, every number, date and amount of the value is in
//! the quote, and the value's content words are the quote's (plurals and punctuation folded),
//! unless the value is an allowed derivation (a size band from a stated headcount). A claim
//! that fails is kept as unverified and never written to a lead.

use std::collections::{BTreeMap, BTreeSet};

use unicode_normalization::UnicodeNormalization;

use crate::excerpts::stem;
use crate::prompt::Excerpt;

/// A quote shorter than this (in characters, after folding) cannot state a fact.
pub const MIN_QUOTE_CHARS: usize = 12;
/// ... nor one of fewer words.
pub const MIN_QUOTE_WORDS: usize = 2;

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
    /// The quote is too short to state anything.
    QuoteTooShort,
    /// A number, date or amount of the value is not in the quote.
    NumberNotInQuote(String),
    /// Content words of the value that the quote does not contain.
    WordsNotInQuote(Vec<String>),
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

/// The quote as compared: folded, without the quotation marks and full stop a model adds.
pub fn quote_text(quote: &str) -> String {
    normalize(quote.trim_matches(['"', '\'', ' ', '.']))
}

/// Words that carry no claim of their own.
const STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "with", "by", "from", "as",
    "is", "are", "was", "were", "be", "been", "being", "it", "its", "their", "they", "them", "we",
    "our", "us", "you", "your", "that", "this", "these", "those", "which", "who", "has", "have",
    "had", "about", "into", "over", "under", "also", "such", "very", "per", "via", "than", "more",
    "most", "company", "inc", "ltd", "llc", "corp", "gmbh", "st", "nd", "rd", "th",
];

/// Scale words and suffixes of amounts, as powers of a thousand.
const SCALES: &[(&str, u8)] = &[
    ("k", 1),
    ("thousand", 1),
    ("m", 2),
    ("mm", 2),
    ("mn", 2),
    ("million", 2),
    ("millions", 2),
    ("b", 3),
    ("bn", 3),
    ("billion", 3),
    ("billions", 3),
    ("t", 4),
    ("tn", 4),
    ("trillion", 4),
];

fn scale_of(word: &str) -> Option<u8> {
    SCALES.iter().find(|(w, _)| *w == word).map(|(_, s)| *s)
}

/// A number as stated: its digits (thousands separators removed) and its scale (`2B`,
/// `2 billion`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Quantity {
    digits: String,
    scale: u8,
}

/// The pieces of folded text: numbers with their scale, and the other words.
fn pieces(text: &str) -> (Vec<Quantity>, Vec<String>) {
    let text = normalize(text);
    let chars: Vec<char> = text.chars().collect();
    let mut numbers: Vec<Quantity> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let mut digits = String::new();
            while i < chars.len() {
                let d = chars[i];
                let inner = |k: usize| chars.get(k).is_some_and(char::is_ascii_digit);
                if d.is_ascii_digit() {
                    digits.push(d);
                } else if d == ',' && inner(i + 1) {
                    // A thousands separator.
                } else if d == '.' && inner(i + 1) {
                    digits.push('.');
                } else {
                    break;
                }
                i += 1;
            }
            // A scale right after the number ("2B", "2bn") or as the next word ("2 billion").
            let mut j = i;
            let mut suffix = String::new();
            while j < chars.len() && chars[j].is_alphabetic() {
                suffix.push(chars[j]);
                j += 1;
            }
            let mut scale = 0;
            if let Some(s) = scale_of(&suffix) {
                scale = s;
                i = j;
            } else if suffix.is_empty() && chars.get(i) == Some(&' ') {
                let mut k = i + 1;
                let mut next = String::new();
                while k < chars.len() && chars[k].is_alphabetic() {
                    next.push(chars[k]);
                    k += 1;
                }
                if next.chars().count() > 2 {
                    if let Some(s) = scale_of(&next) {
                        scale = s;
                        i = k;
                    }
                }
            }
            numbers.push(Quantity { digits, scale });
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while i < chars.len() && chars[i].is_alphanumeric() && !chars[i].is_ascii_digit() {
                word.push(chars[i]);
                i += 1;
            }
            words.push(word);
        } else {
            i += 1;
        }
    }
    (numbers, words)
}

/// The words of a text that say something, plurals folded.
fn content_words(words: &[String]) -> Vec<String> {
    words
        .iter()
        .filter(|w| w.chars().count() > 1 && !STOP.contains(&w.as_str()) && scale_of(w).is_none())
        .map(|w| stem(w.clone()))
        .collect()
}

/// Words of a quote that name people, so a number beside them is a headcount.
const HEADCOUNT: &[&str] = &[
    "employee",
    "people",
    "staff",
    "team",
    "member",
    "person",
    "worker",
    "colleague",
    "headcount",
    "engineer",
    "fte",
    "strong",
];

/// A size band (`11-50`, `51 to 200 employees`, `1000+`) as its bounds, when the value is one.
fn band(value: &str) -> Option<(u64, u64)> {
    let (numbers, words) = pieces(value);
    let extra_ok = words.iter().all(|w| {
        let w = stem(w.clone());
        HEADCOUNT.contains(&w.as_str())
            || ["to", "over", "more", "than", "up", "plus"].contains(&w.as_str())
    });
    if !extra_ok || numbers.iter().any(|n| n.scale > 1) {
        return None;
    }
    let as_count = |q: &Quantity| -> Option<u64> {
        let n: u64 = q.digits.parse().ok()?;
        n.checked_mul(1000_u64.pow(u32::from(q.scale)))
    };
    match numbers.as_slice() {
        [low, high] => {
            let (low, high) = (as_count(low)?, as_count(high)?);
            (low <= high).then_some((low, high))
        }
        [low] if value.contains('+') || words.iter().any(|w| w == "over" || w == "more") => {
            Some((as_count(low)?, u64::MAX))
        }
        _ => None,
    }
}

/// Whether `quote` states a headcount within the band `value` names.
fn derived_size_band(value: &str, quote: &str) -> bool {
    let Some((low, high)) = band(value) else {
        return false;
    };
    let (numbers, words) = pieces(quote);
    let names_people = words
        .iter()
        .any(|w| HEADCOUNT.contains(&stem(w.clone()).as_str()));
    names_people
        && numbers.iter().any(|q| {
            q.scale <= 1
                && q.digits
                    .parse::<u64>()
                    .ok()
                    .and_then(|n| n.checked_mul(1000_u64.pow(u32::from(q.scale))))
                    .is_some_and(|n| (low..=high).contains(&n))
        })
}

/// Whether `quote` supports `value` (the quote is already known to be on its page).
pub fn supports(field: &str, value: &str, quote: &str) -> Result<(), Unverified> {
    if field == "size_band" && derived_size_band(value, quote) {
        return Ok(());
    }
    let (value_numbers, value_words) = pieces(value);
    let (quote_numbers, quote_words) = pieces(quote);
    if let Some(missing) = value_numbers.iter().find(|n| !quote_numbers.contains(n)) {
        return Err(Unverified::NumberNotInQuote(missing.digits.clone()));
    }
    let quote_words: BTreeSet<String> = content_words(&quote_words).into_iter().collect();
    let mut missing: Vec<String> = Vec::new();
    for word in content_words(&value_words) {
        if !quote_words.contains(&word) && !missing.contains(&word) {
            missing.push(word);
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Unverified::WordsNotInQuote(missing))
    }
}

/// The numbers of `text` (a statement a model wrote) that none of `grounds` (the facts it
/// cites) states, as written.
pub fn numbers_not_in(text: &str, grounds: &[&str]) -> Vec<String> {
    let stated: Vec<Quantity> = grounds.iter().flat_map(|g| pieces(g).0).collect();
    let mut missing: Vec<String> = Vec::new();
    for n in pieces(text).0 {
        if !stated.contains(&n) && !missing.contains(&n.digits) {
            missing.push(n.digits);
        }
    }
    missing
}

/// The content words of `text` that none of `grounds` has (case, plurals and punctuation
/// folded), each once, in the order written and lower-cased: the same test a fact's value gets against its
/// quote, for a statement that may only restate what it cites.
pub fn words_not_in(text: &str, grounds: &[&str]) -> Vec<String> {
    let said: BTreeSet<String> = grounds
        .iter()
        .flat_map(|g| content_words(&pieces(g).1))
        .collect();
    let mut missing: Vec<String> = Vec::new();
    // Compared folded, reported as written (lower-cased): "kubernetes", not its stem.
    for word in pieces(text).1 {
        let Some(folded) = content_words(std::slice::from_ref(&word)).pop() else {
            continue;
        };
        if !said.contains(&folded) && !missing.contains(&word) {
            missing.push(word);
        }
    }
    missing
}

/// Whether `text` says nothing beyond `grounds`: every content word of it is one of theirs.
pub fn only_restates(text: &str, grounds: &[&str]) -> bool {
    let said: BTreeSet<String> = grounds
        .iter()
        .flat_map(|g| content_words(&pieces(g).1))
        .collect();
    content_words(&pieces(text).1)
        .iter()
        .all(|w| said.contains(w))
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
            let quote = quote_text(&claim.quote);
            if quote.is_empty() {
                return Err(Unverified::NoQuote);
            }
            if !source.contains(&quote) {
                return Err(Unverified::QuoteNotFound);
            }
            if quote.chars().count() < MIN_QUOTE_CHARS
                || quote.split_whitespace().count() < MIN_QUOTE_WORDS
            {
                return Err(Unverified::QuoteTooShort);
            }
            supports(claim.field.trim(), &claim.value, &quote)
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

    /// A claim whose value is its quote's own words.
    fn claim(source: &str, quote: &str) -> Claim {
        Claim {
            field: "what_they_do".into(),
            value: quote.trim_matches(['"', ' ']).into(),
            source_id: source.into(),
            quote: quote.into(),
        }
    }

    fn stating(field: &str, value: &str, quote: &str) -> Claim {
        Claim {
            field: field.into(),
            value: value.into(),
            source_id: "S1".into(),
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
            excerpt("S1", "Acme makes anvils for workshops."),
            excerpt("S1", "Founded in 2014 in Austin."),
        ];
        let results = check(
            &[
                claim("S1", "Acme makes anvils"),
                claim("S1", "Founded in 2014"),
                claim("S1", "workshops. Founded in 2014"),
            ],
            &excerpts,
        );
        assert_eq!(results, [Ok(()), Ok(()), Err(Unverified::QuoteNotFound)]);
    }

    /// Issue 18: a fact `raised $2B last week` quoting `robots` (which is on the page) was
    /// verified and written to the company's industry.
    #[test]
    fn a_quote_that_is_on_the_page_but_does_not_state_the_value_is_unverified() {
        let page = [excerpt(
            "S1",
            "Acme builds warehouse robots. Customers include 1,200 depots. We raised $2 billion \
             in 2025. A team of 45 engineers works from Austin.",
        )];
        let results = check(
            &[
                // Short and unrelated; then long enough, but the amount and words are not in it.
                stating("industry", "raised $2B last week", "robots"),
                stating(
                    "recent_signals",
                    "raised $2B last week",
                    "Acme builds warehouse robots",
                ),
                stating(
                    "industry",
                    "Logistics software",
                    "Acme builds warehouse robots",
                ),
                stating(
                    "recent_signals",
                    "Raised $2M",
                    "We raised $2 billion in 2025",
                ),
                stating(
                    "customers",
                    "1,300 depots",
                    "Customers include 1,200 depots",
                ),
                stating(
                    "size_band",
                    "51-200 employees",
                    "A team of 45 engineers works from Austin",
                ),
                stating("size_band", "11-50", "We raised $2 billion in 2025"),
            ],
            &page,
        );
        assert_eq!(
            results,
            [
                Err(Unverified::QuoteTooShort),
                Err(Unverified::NumberNotInQuote("2".into())),
                Err(Unverified::WordsNotInQuote(vec![
                    "logistic".into(),
                    "software".into()
                ])),
                Err(Unverified::NumberNotInQuote("2".into())),
                Err(Unverified::NumberNotInQuote("1300".into())),
                Err(Unverified::NumberNotInQuote("51".into())),
                Err(Unverified::NumberNotInQuote("11".into())),
            ]
        );
    }

    #[test]
    fn values_in_the_quotes_own_words_numbers_and_amounts_verify() {
        let page = [excerpt(
            "S1",
            "Acme builds warehouse robots. Customers include 1,200 depots. We raised $2 billion \
             in 2025. A team of 45 engineers works from Austin. Drop-forged anvils since 1890.",
        )];
        let results = check(
            &[
                // Case, plural and punctuation folded; stop words ignored.
                stating(
                    "products",
                    "Warehouse robot",
                    "Acme builds warehouse robots",
                ),
                stating(
                    "products",
                    "drop forged anvils",
                    "Drop-forged anvils since 1890",
                ),
                stating("customers", "1200 depots", "Customers include 1,200 depots"),
                stating(
                    "recent_signals",
                    "Raised $2B in 2025",
                    "We raised $2 billion in 2025",
                ),
                // The one derivation allowed: a size band from a stated headcount.
                stating(
                    "size_band",
                    "11-50 employees",
                    "A team of 45 engineers works from Austin",
                ),
                stating(
                    "size_band",
                    "11 to 50",
                    "A team of 45 engineers works from Austin",
                ),
            ],
            &page,
        );
        assert_eq!(results, [Ok(()), Ok(()), Ok(()), Ok(()), Ok(()), Ok(())]);
    }

    #[test]
    fn statements_with_numbers_of_their_own_or_nothing_new_are_told_apart() {
        let fact = ["recent_signals: raised $2B", "We raised $2 billion in 2025"];
        assert_eq!(
            numbers_not_in("They raised $2B, so they can buy", &fact),
            Vec::<String>::new()
        );
        assert_eq!(
            numbers_not_in("They raised $5B and have 300 staff", &fact),
            ["5", "300"]
        );
        assert!(only_restates("They raised 2 billion", &fact));
        assert!(!only_restates(
            "Fresh funding means budget for inventory tools",
            &fact
        ));
    }

    #[test]
    fn full_width_and_composed_forms_fold() {
        assert_eq!(
            normalize("Ｃａｆé  \u{00a0}Ｍüller"),
            normalize("cafe\u{301} müller")
        );
    }
}
