//! Technology signals: `rules/tech.json` matched against script sources, other resource
//! URLs, raw-HTML markers, response headers, cookies and the generator meta tag.

use aho_corasick::AhoCorasick;

use super::*;

/// URLs and names pulled out of the markup once, then matched against every rule.
#[derive(Default)]
pub(super) struct Markup<'h> {
    pub(super) script_srcs: Vec<&'h str>,
    pub(super) resources: Vec<&'h str>,
    pub(super) generators: Vec<&'h str>,
}

/// Compiles a built-in pattern. Word boundaries are made ASCII-only (`(?-u:\b)`): a Unicode
/// `\b` makes the fast lazy DFA give up on any non-ASCII input and fall back to a much slower
/// engine. The patterns hold no escaped backslashes, so the rewrite is exact.
pub(super) fn builtin(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(&pattern.replace(r"\b", r"(?-u:\b)"))
        .size_limit(4 * 1024 * 1024)
        .build()
        .ok()
}

/// The tags whose URLs, names and generator are read.
const MARKUP_TAGS: [&str; 9] = [
    "script", "link", "iframe", "img", "source", "embed", "form", "meta", "video",
];

/// Reads the script sources, other resource URLs and generator names of every tag in
/// [`MARKUP_TAGS`] (any case, up to [`MAX_TAGS`]), scanning the page once: a tag runs from its
/// name to the next `>`, as a browser's tokenizer reads it outside quotes.
pub(super) fn extract_markup(html: &str) -> Markup<'_> {
    let mut out = Markup::default();
    let bytes = html.as_bytes();
    let mut at = 0;
    let mut tags = 0;
    while tags < MAX_TAGS {
        let Some(lt) = memchr::memchr(b'<', &bytes[at..]).map(|i| at + i) else {
            break;
        };
        let rest = &bytes[lt + 1..];
        let tag = MARKUP_TAGS.iter().copied().find(|t| {
            rest.get(..t.len())
                .is_some_and(|name| name.eq_ignore_ascii_case(t.as_bytes()))
                && rest
                    .get(t.len())
                    .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        });
        let Some(tag) = tag else {
            at = lt + 1;
            continue;
        };
        let attrs_start = lt + 1 + tag.len();
        let Some(gt) = memchr::memchr(b'>', &bytes[attrs_start..]).map(|i| attrs_start + i) else {
            break;
        };
        tags += 1;
        read_tag(tag, &html[attrs_start..gt], &mut out);
        at = gt + 1;
    }
    out
}

/// The attributes of one tag (the text between its name and its `>`), into `out`.
fn read_tag<'h>(tag: &str, attrs: &'h str, out: &mut Markup<'h>) {
    let b = attrs.as_bytes();
    let mut meta_name: Option<&str> = None;
    let mut meta_content: Option<&str> = None;
    let mut urls: Vec<&str> = Vec::new();
    let mut hint_only = false;
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !(b[i].is_ascii_whitespace() || matches!(b[i], b'=' | b'/')) {
            i += 1;
        }
        let name = &attrs[name_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            // An attribute without a value (`async`, `defer`).
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = match b.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = i + 1;
                let end = memchr::memchr(quote, &b[start..]).map_or(b.len(), |e| start + e);
                i = (end + 1).min(b.len());
                &attrs[start..end]
            }
            _ => {
                let start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                &attrs[start..i]
            }
        };
        let value = value.trim();
        if name.is_empty() || value.is_empty() {
            continue;
        }
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        match tag {
            "script" if is("src") || is("data-src") => out.script_srcs.push(value),
            "meta" => {
                if is("name") {
                    meta_name = Some(value);
                } else if is("content") {
                    meta_content = Some(value);
                }
            }
            // A preconnect/dns-prefetch hint is not a use of the host.
            "link" if is("rel") => {
                hint_only = value.split_ascii_whitespace().all(|r| {
                    r.eq_ignore_ascii_case("preconnect") || r.eq_ignore_ascii_case("dns-prefetch")
                });
            }
            _ if is("src") || is("href") || is("data-src") || is("action") => urls.push(value),
            _ => {}
        }
    }
    if !hint_only {
        out.resources.extend(urls);
    }
    if let (Some(n), Some(c)) = (meta_name, meta_content) {
        if n.eq_ignore_ascii_case("generator") {
            out.generators.push(c);
        }
    }
}

/// Cookie names from every `set-cookie` header (one cookie per header, or several joined by
/// commas as some clients do).
pub(super) fn cookie_names(headers: &[(String, String)]) -> Vec<&str> {
    let mut names = Vec::new();
    for (name, value) in headers {
        if !name.eq_ignore_ascii_case("set-cookie") {
            continue;
        }
        for piece in value.split(',') {
            let pair = piece.split(';').next().unwrap_or_default();
            if let Some((cookie, _)) = pair.split_once('=') {
                let cookie = cookie.trim();
                if !cookie.is_empty() && !cookie.contains(char::is_whitespace) {
                    names.push(cookie);
                }
            }
        }
    }
    names
}

pub(super) fn first_match<'s>(patterns: &[BytesRegex], values: &[&'s str]) -> Option<&'s str> {
    values
        .iter()
        .find(|v| patterns.iter().any(|re| re.is_match(v.as_bytes())))
        .copied()
}

/// `html[start..end]` widened to char boundaries (an ASCII-mode match can stop inside a
/// multi-byte char only through a negated class, but never slice there).
pub(super) fn str_at(html: &str, start: usize, end: usize) -> &str {
    let start = floor_boundary(html, start);
    let mut end = end.min(html.len()).max(start);
    while !html.is_char_boundary(end) {
        end += 1;
    }
    &html[start..end]
}

#[allow(clippy::too_many_arguments)]
pub(super) fn match_rule(
    rule: &Rule,
    markup: &Markup<'_>,
    script_hit: Option<&str>,
    resource_hit: Option<&str>,
    html: &str,
    needles_at: Option<&[Vec<usize>]>,
    headers: &[(String, String)],
    cookies: &[&str],
) -> Option<String> {
    for (want, value_re) in &rule.headers {
        for (name, value) in headers {
            if !name.eq_ignore_ascii_case(want) {
                continue;
            }
            if value_re
                .as_ref()
                .is_none_or(|re| re.is_match(value.as_bytes()))
            {
                return Some(verbatim_evidence(&format!("{name}: {}", value.trim())));
            }
        }
    }
    if let Some(g) = first_match(&rule.meta_generator, &markup.generators) {
        return Some(verbatim_evidence(g));
    }
    if let Some(src) = script_hit {
        return Some(verbatim_evidence(src));
    }
    if let Some(url) = resource_hit {
        return Some(verbatim_evidence(url));
    }
    if let Some(cookie) = first_match(&rule.cookies, cookies) {
        return Some(format!("set-cookie: {}", truncate_chars(cookie, 140)));
    }
    rule.html
        .iter()
        .find_map(|p| {
            // Where the pattern's needle occurs; `None` when it has none or the automaton
            // could not be built, and then the whole page is searched.
            let at = needles_at
                .zip(p.needle_index)
                .map(|(all, i)| all.get(i).map_or(&[][..], Vec::as_slice));
            html_pattern_match(p, html, at)
        })
        .map(verbatim_evidence)
}

/// Bytes searched on each side of a needle occurrence.
pub(super) const NEEDLE_REACH: usize = 4096;
/// Needle occurrences tried per pattern.
pub(super) const NEEDLE_TRIES: usize = 16;

pub(super) fn html_pattern_match<'h>(
    p: &HtmlPattern,
    html: &'h str,
    needle_at: Option<&[usize]>,
) -> Option<&'h str> {
    let first_nonblank = |lo: usize, hay: &[u8]| {
        p.re.find_iter(hay)
            .map(|m| str_at(html, lo + m.start(), lo + m.end()))
            .find(|s| !s.trim().is_empty())
    };
    let (Some(needle), Some(positions)) = (&p.needle, needle_at) else {
        return first_nonblank(0, html.as_bytes());
    };
    let mut searched_to = 0;
    for &pos in positions.iter().take(NEEDLE_TRIES) {
        let lo = floor_boundary(html, pos.saturating_sub(NEEDLE_REACH).max(searched_to));
        let hi = floor_boundary(html, pos + needle.len() + NEEDLE_REACH);
        if hi <= lo {
            continue;
        }
        if let Some(found) = first_nonblank(lo, &html.as_bytes()[lo..hi]) {
            return Some(found);
        }
        searched_to = hi;
    }
    None
}

/// Where each needle of [`RuleSet::needles`] starts in `html` (its first [`NEEDLE_TRIES`]
/// occurrences, in page order), from one pass over the page.
pub(super) fn needle_positions(needles: &AhoCorasick, html: &str) -> Vec<Vec<usize>> {
    let mut at: Vec<Vec<usize>> = vec![Vec::new(); needles.patterns_len()];
    for m in needles.find_overlapping_iter(html) {
        if let Some(list) = at.get_mut(m.pattern().as_usize()) {
            if list.len() < NEEDLE_TRIES {
                list.push(m.start());
            }
        }
    }
    at
}

/// (name, category, evidence) for every technology found, implied ones included.
pub(super) fn detect_tech(
    html: &str,
    headers: &[(String, String)],
) -> Vec<(String, String, String)> {
    let rules = &RULES.rules;
    let markup = extract_markup(html);
    let cookies = cookie_names(headers);
    let script_hits = first_hits(
        RULES.script_set.as_ref(),
        rules,
        |r| &r.script_src,
        &markup.script_srcs,
    );
    let resource_hits = first_hits(
        RULES.resource_set.as_ref(),
        rules,
        |r| &r.resource,
        &markup.resources,
    );
    let needles_at = RULES
        .needles
        .as_ref()
        .map(|needles| needle_positions(needles, html));
    let mut found: Vec<(String, String, String)> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let script_hit = script_hits.get(i).copied().flatten();
        let resource_hit = resource_hits.get(i).copied().flatten();
        if let Some(evidence) = match_rule(
            rule,
            &markup,
            script_hit,
            resource_hit,
            html,
            needles_at.as_deref(),
            headers,
            &cookies,
        ) {
            if !evidence.is_empty() {
                found.push((rule.name.clone(), rule.category.clone(), evidence));
            }
        }
    }
    // Implications (Next.js ⇒ React, WooCommerce ⇒ WordPress, …), transitively.
    let by_name: HashMap<&str, &Rule> = rules.iter().map(|r| (r.name.as_str(), r)).collect();
    let mut i = 0;
    while i < found.len() {
        let implier = found[i].0.clone();
        let evidence = found[i].2.clone();
        if let Some(rule) = by_name.get(implier.as_str()) {
            for implied in &rule.implies {
                if found.iter().any(|(n, _, _)| n == implied) {
                    continue;
                }
                if let Some(target) = by_name.get(implied.as_str()) {
                    found.push((
                        target.name.clone(),
                        target.category.clone(),
                        evidence.clone(),
                    ));
                }
            }
        }
        i += 1;
    }
    found
}
