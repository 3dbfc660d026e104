//! Char-boundary safe string helpers: caps, truncation and the evidence windows cut around a
//! match, so no input can make a signal panic.

use super::*;

/// The longest prefix of `s` that is at most `max_bytes` long and ends on a char boundary.
pub(super) fn cap_at_char_boundary(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The first `max_chars` chars of `s`.
pub(super) fn truncate_chars(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Evidence taken verbatim from markup or headers: trimmed and cut to 160 chars.
pub(super) fn verbatim_evidence(s: &str) -> String {
    truncate_chars(s.trim(), MAX_EVIDENCE_CHARS)
        .trim()
        .to_string()
}

/// A window of at most 160 chars of `text` around the match `start..end`, widened evenly on
/// both sides and then trimmed back to whitespace so no word is cut in half (unless the context
/// holds no whitespace at all, e.g. Japanese, where the char-boundary cut is kept).
pub(super) fn evidence_window(text: &str, start: usize, end: usize) -> String {
    if start > end
        || end > text.len()
        || !text.is_char_boundary(start)
        || !text.is_char_boundary(end)
    {
        return String::new();
    }
    let matched_chars = text[start..end].chars().count();
    if matched_chars >= MAX_EVIDENCE_CHARS {
        return verbatim_evidence(&text[start..end]);
    }
    let budget = MAX_EVIDENCE_CHARS - matched_chars;
    // Byte offsets of up to `budget` chars before the match, nearest first.
    let left: Vec<usize> = text[..start]
        .char_indices()
        .rev()
        .take(budget)
        .map(|(i, _)| i)
        .collect();
    let right_avail = text[end..].chars().take(budget).count();
    let left_take = left
        .len()
        .min((budget / 2).max(budget - right_avail.min(budget)));
    let right_take = right_avail.min(budget - left_take);

    let mut ws = if left_take == 0 {
        start
    } else {
        left[left_take - 1]
    };
    let mut we = text[end..]
        .char_indices()
        .nth(right_take)
        .map_or(text.len(), |(i, _)| end + i);

    // Cut mid-word on the left? Move to just after the first whitespace in the context.
    if ws > 0 && !prev_char_is_space(text, ws) {
        if let Some((i, c)) = text[ws..start]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
        {
            ws += i + c.len_utf8();
        }
    }
    // Cut mid-word on the right? Move back to the last whitespace in the context.
    if we < text.len() && !next_char_is_space(text, we) && !prev_char_is_space(text, we) {
        if let Some((i, _)) = text[end..we]
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
        {
            we = end + i;
        }
    }
    let out = text[ws..we].trim();
    if out.is_empty() {
        verbatim_evidence(&text[start..end])
    } else {
        out.to_string()
    }
}

pub(super) fn prev_char_is_space(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_whitespace)
}

pub(super) fn next_char_is_space(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(char::is_whitespace)
}

/// The sentence around `start..end`: back to the previous `.`/`!`/`?` followed by whitespace,
/// forward to the next one (inclusive). Looks at most 400 bytes either way.
pub(super) fn sentence_bounds(text: &str, start: usize, end: usize) -> (usize, usize) {
    const REACH: usize = 400;
    let is_end = |c: char| matches!(c, '.' | '!' | '?' | '。' | '！' | '？');
    let lo = floor_boundary(text, start.saturating_sub(REACH));
    let mut s = lo;
    let mut after_end = false;
    for (i, c) in text[lo..start].char_indices() {
        if after_end && c.is_whitespace() {
            s = lo + i + c.len_utf8();
        }
        after_end = is_end(c);
    }
    let hi = floor_boundary(text, end.saturating_add(REACH));
    let mut e = hi;
    let mut iter = text[end..hi].char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_end(c) && iter.peek().is_none_or(|(_, n)| n.is_whitespace()) {
            e = end + i + c.len_utf8();
            break;
        }
    }
    (s, e)
}
