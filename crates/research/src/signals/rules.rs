//! The technology rules file (`rules/tech.json`): read, checked and compiled once into the
//! sets and literal needles the matcher in `tech.rs` scans with.

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use super::*;

#[derive(Deserialize)]
pub(super) struct RulesFile {
    pub(super) technologies: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub(super) name: String,
    pub(super) category: String,
    #[serde(default)]
    pub(super) implies: Vec<String>,
    #[serde(default)]
    pub(super) patterns: RawPatterns,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawPatterns {
    pub(super) script_src: Vec<String>,
    pub(super) resource: Vec<String>,
    pub(super) html: Vec<String>,
    pub(super) headers: BTreeMap<String, String>,
    pub(super) cookies: Vec<String>,
    pub(super) meta_generator: Vec<String>,
}

/// A compiled rule. Rule patterns are ASCII-only, case-insensitive byte regexes: markup and
/// URLs are ASCII where it matters, and without Unicode classes or word boundaries the lazy DFA
/// never has to fall back to a slower engine, whatever the page contains.
pub(super) struct Rule {
    pub(super) name: String,
    pub(super) category: String,
    pub(super) implies: Vec<String>,
    pub(super) script_src: Vec<BytesRegex>,
    pub(super) resource: Vec<BytesRegex>,
    pub(super) html: Vec<HtmlPattern>,
    /// Header name (lowercase) and a regex on its value; `None` = presence is enough.
    pub(super) headers: Vec<(String, Option<BytesRegex>)>,
    pub(super) cookies: Vec<BytesRegex>,
    pub(super) meta_generator: Vec<BytesRegex>,
}

/// An `html` pattern and a literal every match must contain (lowercase). The page is only
/// searched with the regex near occurrences of the literal, found by [`RuleSet::needles`].
pub(super) struct HtmlPattern {
    pub(super) re: BytesRegex,
    pub(super) needle: Option<String>,
    /// Index of `needle` in [`RuleSet::needles`].
    pub(super) needle_index: Option<usize>,
}

pub(super) struct RuleSet {
    /// Rules as declared in the file (valid or not).
    pub(super) declared: usize,
    pub(super) rules: Vec<Rule>,
    /// Everything wrong with the file; a test requires this to be empty.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) errors: Vec<String>,
    /// All `script_src` patterns as one set (with the rule index of each), so each script URL
    /// is matched once instead of once per rule; `None` if it could not be built.
    pub(super) script_set: Option<(RegexSet, Vec<usize>)>,
    /// The same for `resource` patterns.
    pub(super) resource_set: Option<(RegexSet, Vec<usize>)>,
    /// Every html pattern's needle in one Aho-Corasick automaton (ASCII case-insensitive), so
    /// one pass over the page finds where each needle occurs; `None` if it could not be built
    /// (then each pattern searches the whole page).
    pub(super) needles: Option<AhoCorasick>,
}

pub(super) static RULES: LazyLock<RuleSet> = LazyLock::new(|| load_rules(RULES_JSON));

pub(super) const RULE_REGEX_SIZE_LIMIT: usize = 2 * 1024 * 1024;

pub(super) fn rule_regex(pattern: &str) -> Result<BytesRegex, regex::Error> {
    BytesRegexBuilder::new(pattern)
        .case_insensitive(true)
        .unicode(false)
        .size_limit(RULE_REGEX_SIZE_LIMIT)
        .build()
}

pub(super) fn load_rules(json: &str) -> RuleSet {
    let file: RulesFile = match serde_json::from_str(json) {
        Ok(f) => f,
        Err(e) => {
            return RuleSet {
                declared: 0,
                rules: Vec::new(),
                errors: vec![format!("rules file does not parse: {e}")],
                script_set: None,
                resource_set: None,
                needles: None,
            }
        }
    };
    let mut errors = Vec::new();
    let mut rules: Vec<Rule> = Vec::new();
    let mut names = HashSet::new();
    let declared = file.technologies.len();
    for raw in file.technologies {
        if !CATEGORIES.contains(&raw.category.as_str()) {
            errors.push(format!("{}: unknown category {:?}", raw.name, raw.category));
            continue;
        }
        if raw.name.trim().is_empty() || !names.insert(raw.name.clone()) {
            errors.push(format!("empty or duplicate rule name {:?}", raw.name));
            continue;
        }
        let mut compile = |list: &[String]| -> Vec<BytesRegex> {
            list.iter()
                .filter_map(|p| match rule_regex(p) {
                    Ok(re) => Some(re),
                    Err(e) => {
                        errors.push(format!("{}: bad regex {p:?}: {e}", raw.name));
                        None
                    }
                })
                .collect()
        };
        let p = &raw.patterns;
        let script_src = compile(&p.script_src);
        let resource = compile(&p.resource);
        let html: Vec<HtmlPattern> = compile(&p.html)
            .into_iter()
            .map(|re| HtmlPattern {
                needle: required_literal(re.as_str()),
                needle_index: None,
                re,
            })
            .collect();
        let cookies = compile(&p.cookies);
        let meta_generator = compile(&p.meta_generator);
        let mut headers = Vec::new();
        for (name, pattern) in &p.headers {
            if pattern.is_empty() {
                headers.push((name.to_ascii_lowercase(), None));
            } else {
                match rule_regex(pattern) {
                    Ok(re) => headers.push((name.to_ascii_lowercase(), Some(re))),
                    Err(e) => errors.push(format!("{}: bad regex {pattern:?}: {e}", raw.name)),
                }
            }
        }
        let pattern_count = script_src.len()
            + resource.len()
            + html.len()
            + cookies.len()
            + meta_generator.len()
            + headers.len();
        if pattern_count == 0 {
            errors.push(format!("{}: no usable patterns", raw.name));
        }
        rules.push(Rule {
            name: raw.name,
            category: raw.category,
            implies: raw.implies,
            script_src,
            resource,
            html,
            headers,
            cookies,
            meta_generator,
        });
    }
    let known: HashSet<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    for rule in &rules {
        for implied in &rule.implies {
            if !known.contains(implied.as_str()) {
                errors.push(format!("{} implies unknown {implied:?}", rule.name));
            }
        }
    }
    let script_set = pattern_set(&rules, |r| &r.script_src, &mut errors);
    let resource_set = pattern_set(&rules, |r| &r.resource, &mut errors);
    let mut needles = Vec::new();
    for rule in &mut rules {
        for p in &mut rule.html {
            if let Some(needle) = &p.needle {
                p.needle_index = Some(needles.len());
                needles.push(needle.clone());
            }
        }
    }
    // A DFA: the page is searched for every needle with overlapping matches, where the
    // default (an NFA) runs several times slower per byte.
    let needles = match AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&needles)
    {
        Ok(automaton) => Some(automaton),
        Err(e) => {
            errors.push(format!("needles do not build as one automaton: {e}"));
            None
        }
    };
    RuleSet {
        declared,
        rules,
        errors,
        script_set,
        resource_set,
        needles,
    }
}

pub(super) fn pattern_set(
    rules: &[Rule],
    field: impl Fn(&Rule) -> &Vec<BytesRegex>,
    errors: &mut Vec<String>,
) -> Option<(RegexSet, Vec<usize>)> {
    let mut patterns = Vec::new();
    let mut owners = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        for re in field(rule) {
            patterns.push(re.as_str().to_string());
            owners.push(i);
        }
    }
    match RegexSetBuilder::new(&patterns)
        .case_insensitive(true)
        .unicode(false)
        .size_limit(32 * 1024 * 1024)
        .build()
    {
        Ok(set) => Some((set, owners)),
        Err(e) => {
            errors.push(format!("patterns do not build as one set: {e}"));
            None
        }
    }
}

/// For each rule, the first of `values` (in page order) that one of its patterns matches.
pub(super) fn first_hits<'v>(
    set: Option<&(RegexSet, Vec<usize>)>,
    rules: &[Rule],
    field: impl Fn(&Rule) -> &Vec<BytesRegex>,
    values: &[&'v str],
) -> Vec<Option<&'v str>> {
    let mut hits: Vec<Option<&'v str>> = vec![None; rules.len()];
    match set {
        Some((set, owners)) => {
            for value in values {
                for pattern in set.matches(value.as_bytes()).iter() {
                    if let Some(hit) = owners.get(pattern).and_then(|&o| hits.get_mut(o)) {
                        hit.get_or_insert(value);
                    }
                }
            }
        }
        None => {
            for (hit, rule) in hits.iter_mut().zip(rules) {
                *hit = first_match(field(rule), values);
            }
        }
    }
    hits
}

/// The longest literal (≥ 3 chars, lowercase) that every match of `pattern` must contain, read
/// conservatively from the pattern's top level: groups, classes, escapes like `\s` and
/// optional atoms break a run; a top-level `|` means there is none.
pub(super) fn required_literal(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut runs: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let next = chars.get(i + 1).copied();
                i += 1;
                match next {
                    Some(n) if depth == 0 && n.is_ascii_punctuation() => {
                        cur.push(n.to_ascii_lowercase());
                    }
                    Some('p' | 'P' | 'x') if chars.get(i + 1) == Some(&'{') => {
                        runs.push(std::mem::take(&mut cur));
                        while i < chars.len() && chars[i] != '}' {
                            i += 1;
                        }
                    }
                    _ => runs.push(std::mem::take(&mut cur)),
                }
            }
            '[' => {
                runs.push(std::mem::take(&mut cur));
                i += 1;
                // A ']' right after '[' or '[^' is a literal member.
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    i += 1;
                }
                while i < chars.len() && chars[i] != ']' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '(' => {
                runs.push(std::mem::take(&mut cur));
                depth += 1;
            }
            ')' => {
                runs.push(std::mem::take(&mut cur));
                depth = depth.saturating_sub(1);
            }
            '|' if depth == 0 => return None,
            '?' | '*' => {
                cur.pop();
                runs.push(std::mem::take(&mut cur));
            }
            '{' => {
                let close = chars[i..].iter().position(|&ch| ch == '}').map(|p| i + p);
                let body: String =
                    close.map_or(String::new(), |e| chars[i + 1..e].iter().collect());
                if body.starts_with('0') || body.starts_with(',') {
                    cur.pop();
                }
                runs.push(std::mem::take(&mut cur));
                i = close.unwrap_or(chars.len());
            }
            '+' | '.' | '^' | '$' | '|' => runs.push(std::mem::take(&mut cur)),
            _ if depth == 0 => cur.push(c.to_ascii_lowercase()),
            _ => {}
        }
        i += 1;
    }
    runs.push(cur);
    // The longest run; the earliest of equally long ones.
    runs.into_iter()
        .filter(|r| r.chars().count() >= 3)
        .fold(None, |best: Option<String>, r| match best {
            Some(b) if b.len() >= r.len() => Some(b),
            _ => Some(r),
        })
}
