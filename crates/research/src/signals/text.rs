//! Signals from a page's visible text: hiring, the pricing model, the founding year, the
//! headcount and the headquarters.

use super::*;

pub(super) static HIRING_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    builtin(
        r"(?i)\b(?:we(?:'|’)?re\s+hiring|we\s+are\s+(?:hiring|recruiting)|now\s+hiring|join\s+(?:our|the)\s+(?:growing\s+|amazing\s+|awesome\s+|talented\s+|global\s+)?team|open\s+(?:positions|roles|jobs|vacancies)|current\s+(?:openings|vacancies|job\s+openings)|job\s+(?:openings|vacancies)|view\s+(?:all\s+)?(?:open\s+)?(?:jobs|positions|roles|openings)|see\s+(?:all\s+)?open\s+(?:positions|roles|jobs))\b",
    )
});
pub(super) static CAREERS_URL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    builtin(
        r"(?i)^(?:[a-z][a-z0-9+.-]*://[^/?#]*)?/(?:[^?#]*/)?(?:careers?|jobs|join-us|vacancies|stellenangebote|karriere)(?:[/?#.]|$)",
    )
});
pub(super) static JOB_LISTING_TEXT_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    builtin(
        r"(?i)\b(?:apply\s+now|apply\s+for\s+this\s+(?:job|position|role)|full[- ]time|part[- ]time|job\s+description)\b",
    )
});
pub(super) static JOB_POSTING_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    builtin(
        r#"(?i)"@type"\s*:\s*\[?\s*"JobPosting"|itemtype\s*=\s*["']https?://schema\.org/JobPosting["']"#,
    )
});

/// `(job posting count, evidence)`.
pub(super) fn detect_hiring(url: &str, html: &str, text: &str) -> Option<(Option<String>, String)> {
    if let Some(re) = JOB_POSTING_RE.as_ref() {
        let mut iter = re.find_iter(html);
        if let Some(first) = iter.next() {
            let count = 1 + iter.take(MAX_JOB_POSTINGS - 1).count();
            return Some((Some(count.to_string()), verbatim_evidence(first.as_str())));
        }
    }
    if let Some(m) = HIRING_RE.as_ref().and_then(|re| re.find(text)) {
        return Some((None, evidence_window(text, m.start(), m.end())));
    }
    let careers_page = CAREERS_URL_RE.as_ref().is_some_and(|re| re.is_match(url));
    if careers_page {
        if let Some(m) = JOB_LISTING_TEXT_RE.as_ref().and_then(|re| re.find(text)) {
            return Some((None, evidence_window(text, m.start(), m.end())));
        }
    }
    None
}

pub(super) static PRICING_RES: LazyLock<Vec<(&'static str, Option<Regex>)>> = LazyLock::new(|| {
    vec![
        (
            "contact_sales",
            builtin(
                r"(?i)\b(?:contact\s+(?:our\s+)?sales|talk\s+(?:to|with)\s+(?:our\s+|a\s+)?sales|speak\s+(?:to|with)\s+(?:our\s+|a\s+)?sales|(?:request|book|schedule|get)\s+(?:a\s+|your\s+)?(?:free\s+|personali[sz]ed\s+|live\s+)?demo|contact\s+us\s+for\s+(?:a\s+)?(?:pricing|quote)|request\s+(?:a\s+)?quote|custom\s+pricing)\b",
            ),
        ),
        (
            "free_plan",
            builtin(
                r"(?i)\b(?:free\s+forever|forever\s+free|free\s+plan|free\s+tier|free\s+for\s+(?:up\s+to\s+)?\d{1,4}\s+(?:users|seats|members|contacts))\b",
            ),
        ),
        (
            "free_trial",
            builtin(
                r"(?i)\b(?:start\s+(?:your\s+|a\s+|my\s+)?free\s+trial|\d{1,3}[- ]day\s+(?:free\s+)?trial|free\s+\d{1,3}[- ]day\s+trial|free\s+trial|try\s+(?:it\s+)?free\s+for\s+\d{1,3}\s+days)\b",
            ),
        ),
        (
            "self_serve_pricing",
            builtin(
                r"(?i)(?:(?:[$€£]|\b(?:usd|eur|gbp|us\$|a\$|c\$|chf)\s?)\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{1,2})?|\b\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{1,2})?\s?(?:€|\$|£|usd|eur|gbp|chf))\s*(?:/\s*|\s+(?:per|a|an|each)\s+)(?:mo|month|user|seat|member|agent|yr|year|annum)\b",
            ),
        ),
    ]
});

pub(super) fn detect_pricing(text: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (name, re) in PRICING_RES.iter() {
        if let Some(m) = re.as_ref().and_then(|re| re.find(text)) {
            out.push((*name, evidence_window(text, m.start(), m.end())));
        }
    }
    out
}

pub(super) const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";

pub(super) static FOUNDED_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    builtin(&format!(
        r"(?i)\b(?:founded|established|incorporated|est\.?)(?:\s*:\s*|\s+(?:back\s+)?in\s+|\s+on\s+|\s+by\s+[^.!?\d]{{1,60}}?\s+in\s+|\s+)(?:{MONTH}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?)?(\d{{4}})\b"
    ))
});
pub(super) static SINCE_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| builtin(r"(?i)\b(?:in\s+business\s+since|since)\s+(\d{4})\b"));

/// This year by the system clock (mean Gregorian year length: at worst a day off around New
/// Year), and at least [`BASE_YEAR`].
pub(super) fn current_year() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let year = 1970 + secs / 31_556_952;
    u32::try_from(year).unwrap_or(u32::MAX).max(BASE_YEAR)
}

pub(super) fn valid_year(y: &str) -> bool {
    y.parse::<u32>()
        .is_ok_and(|y| (MIN_YEAR..=current_year()).contains(&y))
}

/// "Since 2020, remote work …" opens a sentence and dates a trend, not the company.
pub(super) fn since_is_adverbial(text: &str, start: usize, end: usize) -> bool {
    let opens_sentence = text[..start]
        .trim_end()
        .chars()
        .next_back()
        .is_none_or(|c| matches!(c, '.' | '!' | '?' | ':' | ';'));
    opens_sentence || text[end..].trim_start().starts_with(',')
}

pub(super) fn detect_founded(text: &str) -> Option<(String, String)> {
    for (re, is_since) in [(FOUNDED_RE.as_ref(), false), (SINCE_RE.as_ref(), true)] {
        let Some(re) = re else { continue };
        for caps in re.captures_iter(text) {
            let (Some(whole), Some(year)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if is_since && since_is_adverbial(text, whole.start(), whole.end()) {
                continue;
            }
            if valid_year(year.as_str()) {
                return Some((
                    year.as_str().to_string(),
                    evidence_window(text, whole.start(), whole.end()),
                ));
            }
        }
    }
    None
}

pub(super) const FIGURE: &str =
    r"\d{1,3}(?:,\d{3})+\+?|\d{1,5}\s?(?:-|–|to)\s?\d{1,6}\+?|\d{1,6}\+?|\d{1,3}k\+?";

pub(super) static SIZE_RES: LazyLock<Vec<Option<Regex>>> = LazyLock::new(|| {
    vec![
        builtin(&format!(
            r"(?i)\b(?:(?:over|more\s+than|nearly|almost|about|around|approximately|some)\s+)?({FIGURE})\s+(?:full[- ]time\s+|talented\s+|dedicated\s+)?(?:employees|team\s+members|staff(?:\s+members)?|colleagues|teammates|people\s+on\s+(?:our|the)\s+team)\b"
        )),
        builtin(&format!(
            r"(?i)\b(?:a|our)\s+team\s+of\s+(?:over\s+|more\s+than\s+|nearly\s+|about\s+|around\s+|some\s+)?({FIGURE})\b"
        )),
        builtin(&format!(
            r"(?i)\bemploy(?:s|ing)?\s+(?:over\s+|more\s+than\s+|nearly\s+|about\s+|around\s+|some\s+)?({FIGURE})\s+(?:people|staff|employees)\b"
        )),
        builtin(&format!(
            r"(?i)\b({FIGURE})\s+people\s+work(?:ing)?\s+(?:at|here|for)\b"
        )),
    ]
});
/// Words right before a headcount that mean it is about customers, not the company.
pub(super) static SIZE_EXCLUDE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    builtin(
        r"(?i)\b(?:for|with|by|companies|businesses|organi[sz]ations|teams|customers|clients|up\s+to|manage|onboard|hire|per|of\s+their|your)\s*$",
    )
});

pub(super) fn detect_size(text: &str) -> Option<(String, String)> {
    for re in SIZE_RES.iter().flatten() {
        for caps in re.captures_iter(text) {
            let (Some(whole), Some(figure)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let before = &text[..whole.start()];
            let before = &before[floor_boundary(before, before.len().saturating_sub(40))..];
            if SIZE_EXCLUDE_RE
                .as_ref()
                .is_some_and(|re| re.is_match(before))
            {
                continue;
            }
            let value = figure.as_str().trim();
            if value.trim_end_matches('+').parse::<u64>() == Ok(0) {
                continue;
            }
            return Some((
                value.to_string(),
                evidence_window(text, whole.start(), whole.end()),
            ));
        }
    }
    None
}

/// The largest char boundary of `s` at or below `at`.
pub(super) fn floor_boundary(s: &str, at: usize) -> usize {
    let mut i = at.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub(super) const PLACE: &str = r"(\p{Lu}[\p{L}\p{M}]*(?:['’.-]\p{L}[\p{L}\p{M}]*)*(?:[ -](?:(?:de|del|da|do|la|le|am|an|upon|on|sur|im|of)\s)?\p{Lu}[\p{L}\p{M}]*(?:['’.-]\p{L}[\p{L}\p{M}]*)*){0,3}(?:,\s*\p{Lu}[\p{L}\p{M}]*(?:['’.-]\p{L}[\p{L}\p{M}]*)*(?:\s\p{Lu}[\p{L}\p{M}]*){0,3}){0,2})";

pub(super) static LOCATION_RES: LazyLock<Vec<Option<Regex>>> = LazyLock::new(|| {
    [
        r"(?i:headquartered\s+in|headquarters\s+(?:is\s+|are\s+)?(?:located\s+)?in|head\s*office\s+(?:is\s+)?(?:located\s+)?in|headquarters\s*:|head\s*office\s*:)",
        r"(?i:\bhq\s*(?::|-|–|is\s+in|in))",
        r"(?i:\bbased\s+(?:out\s+of|in))",
    ]
    .iter()
    .map(|prefix| builtin(&format!(r"\b{prefix}\s*(?:the\s+city\s+of\s+)?{PLACE}")))
    .collect()
});

pub(super) fn detect_location(text: &str) -> Option<(String, String)> {
    for re in LOCATION_RES.iter().flatten() {
        for caps in re.captures_iter(text) {
            let (Some(whole), Some(place)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let place = place.as_str().trim().trim_end_matches([',', '.', '-']);
            if place.chars().count() < 2 || place.chars().count() > 80 {
                continue;
            }
            return Some((
                place.to_string(),
                evidence_window(text, whole.start(), whole.end()),
            ));
        }
    }
    None
}
