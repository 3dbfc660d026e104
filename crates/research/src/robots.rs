//! robots.txt: which paths a site lets us read, per RFC 9309. Parsing and matching are
//! texting_robots' (it passes Google's robots.txt test suite and its own): groups by product
//! token, our group over `*`, groups naming us merged, the longest match winning with Allow on a
//! tie, `*` and `$`, non-ASCII rules percent-encoded, a byte-order mark and CR-only lines read.
//!
//! Two things are done here before it reads the file: a `User-agent:` line is cut to its product
//! token (RFC 9309 2.2.1: `Leadscout/1.0` and `leadscout bot` name us, a bare `l` does not), and
//! what the site said is kept apart from a robots.txt that could not be fetched, so the fetcher
//! can tell "unreachable" from "disallowed".

use std::sync::Arc;

/// The product token our user agent is matched by.
pub const ROBOTS_TOKEN: &str = "leadscout";

/// What robots.txt says about one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RobotsAccess {
    Allowed,
    /// The site's robots.txt disallows it.
    Disallowed,
    /// The site's robots.txt could not be fetched (the server failed to answer): nothing is read
    /// until it can be.
    Unreachable,
}

#[derive(Debug, Clone)]
enum Rules {
    AllowAll,
    DisallowAll,
    Unreachable,
    File(Arc<texting_robots::Robot>),
}

/// The rules that apply to us on one host.
#[derive(Debug, Clone)]
pub struct Robots {
    rules: Rules,
}

impl Robots {
    /// Everything allowed (no robots.txt, or a 4xx for it).
    pub fn allow_all() -> Robots {
        Robots {
            rules: Rules::AllowAll,
        }
    }

    /// Nothing allowed, by the site's own word.
    pub fn disallow_all() -> Robots {
        Robots {
            rules: Rules::DisallowAll,
        }
    }

    /// robots.txt could not be fetched: nothing is allowed, and [`Robots::access`] says why.
    pub fn unreachable() -> Robots {
        Robots {
            rules: Rules::Unreachable,
        }
    }

    /// The rules for us in a robots.txt file.
    pub fn parse(text: &str) -> Robots {
        Robots::parse_bytes(text.as_bytes())
    }

    /// [`Robots::parse`] on the bytes as served: rules are UTF-8 by the RFC, and a rule that is
    /// not is left out rather than guessed at.
    pub fn parse_bytes(bytes: &[u8]) -> Robots {
        match texting_robots::Robot::new(ROBOTS_TOKEN, &product_tokens(bytes)) {
            Ok(robot) => Robots {
                rules: Rules::File(Arc::new(robot)),
            },
            // Only a rule its matcher cannot compile fails the whole file; a file we cannot
            // read is treated like one that says nothing (RFC 9309 2.2.4: unparseable lines
            // are ignored).
            Err(err) => {
                tracing::info!(error = %err, "robots.txt could not be read; treated as empty");
                Robots::allow_all()
            }
        }
    }

    /// What the rules say about `path` (with its query, percent-encoded as in a URL).
    pub fn access(&self, path: &str) -> RobotsAccess {
        let allowed = match &self.rules {
            Rules::AllowAll => true,
            Rules::DisallowAll => false,
            Rules::Unreachable => return RobotsAccess::Unreachable,
            Rules::File(robot) => robot.allowed(path),
        };
        if allowed {
            RobotsAccess::Allowed
        } else {
            RobotsAccess::Disallowed
        }
    }

    /// Whether `path` (with its query) may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        self.access(path) == RobotsAccess::Allowed
    }
}

/// The file with every `User-agent:` value cut to its product token: the leading run of
/// letters, `_` and `-` (RFC 9309 2.2.1), as Google's parser reads it. Lines end in LF after
/// this whatever they ended in; a byte-order mark is dropped.
fn product_tokens(bytes: &[u8]) -> Vec<u8> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' || bytes[i] == b'\n' {
            lines.push(&bytes[start..i]);
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    lines.push(&bytes[start.min(bytes.len())..]);
    for line in lines {
        let trimmed = line.trim_ascii_start();
        let key_len = trimmed.iter().position(|b| *b == b':').filter(|at| {
            trimmed[..*at]
                .trim_ascii()
                .eq_ignore_ascii_case(b"user-agent")
        });
        match key_len {
            Some(at) => {
                let value = trimmed[at + 1..].trim_ascii_start();
                let token_len = value
                    .iter()
                    .position(|b| {
                        !(b.is_ascii_alphabetic() || *b == b'_' || *b == b'-' || *b == b'*')
                    })
                    .unwrap_or(value.len());
                out.extend_from_slice(b"User-agent: ");
                out.extend_from_slice(&value[..token_len]);
            }
            None => out.extend_from_slice(line),
        }
        out.push(b'\n');
    }
    out
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

    #[test]
    fn unreachable_is_told_apart_from_disallowed() {
        assert_eq!(Robots::unreachable().access("/"), RobotsAccess::Unreachable);
        assert!(!Robots::unreachable().allows("/"));
        assert_eq!(Robots::disallow_all().access("/"), RobotsAccess::Disallowed);
        let robots = Robots::parse("User-agent: *\nDisallow: /private\n");
        assert_eq!(robots.access("/private"), RobotsAccess::Disallowed);
        assert_eq!(robots.access("/"), RobotsAccess::Allowed);
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_first_group() {
        let robots = Robots::parse_bytes(b"\xEF\xBB\xBFUser-agent: *\nDisallow: /private\n");
        assert!(!robots.allows("/private"));
        let robots = Robots::parse("\u{feff}User-agent: leadscout\nDisallow: /\n");
        assert!(!robots.allows("/about"));
    }

    #[test]
    fn cr_only_line_endings_are_lines() {
        let robots = Robots::parse("User-agent: *\rDisallow: /private\rAllow: /private/ok\r");
        assert!(!robots.allows("/private/x"));
        assert!(robots.allows("/private/ok"));
        assert!(robots.allows("/public"));
    }

    #[test]
    fn non_ascii_rules_match_percent_encoded_paths() {
        let robots = Robots::parse("User-agent: *\nDisallow: /über-uns\nDisallow: /%E2%82%AC/\n");
        // The path as a URL carries it.
        assert!(!robots.allows("/%C3%BCber-uns"));
        assert!(!robots.allows("/%E2%82%AC/preise"));
        assert!(robots.allows("/ueber-uns"));
    }

    #[test]
    fn we_are_named_by_our_product_token_only() {
        for named in [
            "User-agent: Leadscout/1.0",
            "User-agent: leadscout bot",
            "user-agent:LEADSCOUT",
        ] {
            let robots = Robots::parse(&format!(
                "User-agent: *\nAllow: /\n\n{named}\nDisallow: /\n"
            ));
            assert!(!robots.allows("/about"), "{named}");
        }
        for other in [
            "User-agent: l",
            "User-agent: lead",
            "User-agent: leadscoutbot",
        ] {
            let robots = Robots::parse(&format!(
                "User-agent: *\nAllow: /\n\n{other}\nDisallow: /\n"
            ));
            assert!(robots.allows("/about"), "{other}");
        }
    }

    #[test]
    fn a_group_naming_us_with_an_empty_disallow_allows_everything() {
        // The usual way to let one crawler in while keeping the rest out.
        let robots =
            Robots::parse("User-agent: *\nDisallow: /\n\nUser-agent: leadscout\nDisallow:\n");
        assert!(robots.allows("/"));
        assert!(robots.allows("/pricing"));
    }

    #[test]
    fn groups_naming_us_are_merged_and_robots_txt_is_always_allowed() {
        let robots = Robots::parse(
            "User-agent: leadscout\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n\nUser-agent: leadscout\nDisallow: /b\n",
        );
        assert!(!robots.allows("/a"));
        assert!(!robots.allows("/b"));
        assert!(robots.allows("/c"));
        assert!(Robots::parse("User-agent: *\nDisallow: /\n").allows("/robots.txt"));
    }
}
