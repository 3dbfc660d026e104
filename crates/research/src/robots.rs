//! robots.txt: which paths a site lets us read. Groups are matched by user-agent token (ours is
//! "leadscout", else `*`); within a group the longest matching rule wins and Allow wins a tie;
//! `*` matches any run of characters and a trailing `$` anchors the end (RFC 9309).

/// The product token our user agent is matched by.
pub const ROBOTS_TOKEN: &str = "leadscout";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// The rules that apply to us on one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    rules: Vec<Rule>,
}

impl Robots {
    /// Everything allowed (no robots.txt, or a 4xx for it).
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Nothing allowed (the server failed to answer for robots.txt: assume the worst, for now).
    pub fn disallow_all() -> Robots {
        Robots {
            rules: vec![Rule {
                allow: false,
                pattern: "/".into(),
            }],
        }
    }

    pub fn parse(text: &str) -> Robots {
        // Groups: consecutive user-agent lines, then rules until the next user-agent line.
        let mut ours: Vec<Rule> = Vec::new();
        let mut any: Vec<Rule> = Vec::new();
        let mut found_ours = false;
        let mut agents: Vec<String> = Vec::new();
        let mut in_rules = false;
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        agents.clear();
                        in_rules = false;
                    }
                    agents.push(value.to_ascii_lowercase());
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    if value.is_empty() {
                        // "Disallow:" with nothing allows everything; it adds no rule.
                        continue;
                    }
                    let rule = Rule {
                        allow: key == "allow",
                        pattern: value.to_owned(),
                    };
                    if agents
                        .iter()
                        .any(|a| ROBOTS_TOKEN.starts_with(a.as_str()) && !a.is_empty() && a != "*")
                    {
                        found_ours = true;
                        ours.push(rule.clone());
                    }
                    if agents.iter().any(|a| a == "*") {
                        any.push(rule);
                    }
                }
                _ => {}
            }
        }
        Robots {
            rules: if found_ours { ours } else { any },
        }
    }

    /// Whether `path` (with its query) may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for rule in &self.rules {
            if matches(&rule.pattern, path) {
                let len = rule.pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, rule.allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Robots pattern matching: `*` any run, trailing `$` end of path, otherwise a prefix match.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            pos = part.len();
        } else if let Some(found) = path[pos..].find(part) {
            pos += found + part.len();
        } else {
            return false;
        }
    }
    if anchored {
        // The last literal part must end the path.
        let last = parts.last().copied().unwrap_or("");
        return path.ends_with(last) && (parts.len() > 1 || pos == path.len());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_group_wins_over_the_wildcard_group() {
        let robots = Robots::parse(
            "User-agent: *\nDisallow: /\n\nUser-agent: Leadscout\nUser-agent: other\nAllow: /\nDisallow: /private\n",
        );
        assert!(robots.allows("/about"));
        assert!(!robots.allows("/private/x"));
    }

    #[test]
    fn the_wildcard_group_applies_when_we_are_not_named() {
        let robots = Robots::parse("# hi\nUser-agent: *\nDisallow: /admin # staff\nDisallow:\n\nUser-agent: googlebot\nDisallow: /\n");
        assert!(robots.allows("/"));
        assert!(robots.allows("/about"));
        assert!(!robots.allows("/admin/login"));
    }

    #[test]
    fn longest_match_wins_and_allow_wins_ties() {
        let robots = Robots::parse("User-agent: *\nDisallow: /shop\nAllow: /shop/about\nDisallow: /*.pdf$\nAllow: /p\nDisallow: /p\n");
        assert!(!robots.allows("/shop/cart"));
        assert!(robots.allows("/shop/about/team"));
        assert!(!robots.allows("/files/report.pdf"));
        assert!(robots.allows("/files/report.pdf?x=1"));
        assert!(robots.allows("/page"));
    }

    #[test]
    fn empty_garbage_and_failures() {
        assert!(Robots::parse("").allows("/anything"));
        assert!(Robots::parse("<html>not robots</html>\n\u{0}\u{fffd}").allows("/"));
        assert!(!Robots::disallow_all().allows("/"));
        assert!(Robots::allow_all().allows("/"));
    }
}
