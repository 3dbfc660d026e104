//! The cases of RFC 9309 (the Robots Exclusion Protocol), each checked as Leadscout reads
//! robots.txt. The example files and paths are those of the RFC's text (section numbers
//! beside each); RFC 9309 is Copyright (c) 2022 IETF Trust and the persons identified as its
//! authors, and its code components are under the Revised BSD License
//! (https://trustee.ietf.org/license-info). Our product token stands where the RFC writes
//! "foobot" or "ExampleBot".

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_research::{Robots, ROBOTS_TOKEN};

/// Section 5.1, "Simple Example", read as `bot`.
fn simple_example(bot: &str) -> Robots {
    let text = "User-Agent: *\nDisallow: *.gif$\nDisallow: /example/\nAllow: /publications/\n\n\
                User-Agent: foobot\nDisallow:/\nAllow:/example/page.html\nAllow:/example/allowed.gif\n\n\
                User-Agent: barbot\nUser-Agent: bazbot\nDisallow: /example/page.html\n\n\
                User-Agent: quxbot\n\nEOF\n";
    Robots::parse(&text.replace(bot, ROBOTS_TOKEN))
}

#[test]
fn section_5_1_simple_example() {
    // foobot: everything disallowed but the two allowed pages.
    let foo = simple_example("foobot");
    assert!(foo.allows("/example/page.html"));
    assert!(foo.allows("/example/allowed.gif"));
    assert!(!foo.allows("/"));
    assert!(!foo.allows("/publications/"));
    // barbot and bazbot share a group.
    for bot in ["barbot", "bazbot"] {
        let robots = simple_example(bot);
        assert!(!robots.allows("/example/page.html"), "{bot}");
        assert!(robots.allows("/example/other.html"), "{bot}");
        assert!(robots.allows("/picture.gif"), "{bot}");
    }
    // quxbot's group has no rules: everything is allowed, and `*` does not apply to it.
    let qux = simple_example("quxbot");
    assert!(qux.allows("/example/page.html"));
    assert!(qux.allows("/picture.gif"));
    // Anyone else falls to `*`.
    let other = Robots::parse(
        "User-Agent: *\nDisallow: *.gif$\nDisallow: /example/\nAllow: /publications/\n\n\
         User-Agent: foobot\nDisallow:/\n",
    );
    assert!(!other.allows("/picture.gif"));
    assert!(other.allows("/picture.gif?size=2"));
    assert!(!other.allows("/example/page.html"));
    assert!(other.allows("/publications/"));
    assert!(other.allows("/"));
}

#[test]
fn section_2_2_1_the_product_token_is_matched_case_insensitively() {
    for line in [
        "User-agent: LeadScout",
        "user-agent: leadscout",
        "USER-AGENT:LEADSCOUT",
    ] {
        let robots = Robots::parse(&format!("{line}\nDisallow: /\n\nUser-agent: *\nAllow: /\n"));
        assert!(!robots.allows("/x"), "{line}");
    }
    // A user-agent line's value beyond the token (a version, a comment) does not hide it.
    let robots = Robots::parse("User-agent: Leadscout/1.0 (+https://leadscout.app)\nDisallow: /\n");
    assert!(!robots.allows("/x"));
}

#[test]
fn section_2_2_1_groups_naming_us_are_combined() {
    let robots = Robots::parse(
        "User-agent: leadscout\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n\nUser-agent: leadscout\nDisallow: /b\n",
    );
    assert!(!robots.allows("/a"));
    assert!(!robots.allows("/b"));
    assert!(robots.allows("/c"));
}

#[test]
fn section_2_2_1_no_matching_group_and_no_wildcard_allows_everything() {
    let robots = Robots::parse("User-agent: otherbot\nDisallow: /\n");
    assert!(robots.allows("/anything"));
}

#[test]
fn section_2_2_2_the_most_specific_match_wins_and_allow_wins_a_tie() {
    let robots = Robots::parse(
        "User-agent: *\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\nAllow: /x\nDisallow: /x\n",
    );
    assert!(robots.allows("/example/page/"));
    assert!(robots.allows("/example/page/allowed.html"));
    assert!(!robots.allows("/example/page/disallowed.gif"));
    assert!(robots.allows("/x"));
}

#[test]
fn section_2_2_2_an_empty_disallow_allows_everything() {
    let robots = Robots::parse("User-agent: *\nDisallow: /\n\nUser-agent: leadscout\nDisallow:\n");
    assert!(robots.allows("/"));
    assert!(robots.allows("/any/path"));
}

#[test]
fn section_2_2_2_paths_are_compared_percent_encoded() {
    // The RFC's table: a UTF-8 character in a rule matches its percent-encoded form in the URL,
    // and an encoded ASCII character in the rule matches it encoded in the URL.
    let robots = Robots::parse(
        "User-agent: *\nDisallow: /foo/bar/ツ\nDisallow: /über-uns\nDisallow: /foo/bar/%E3%83%84/x\n",
    );
    assert!(!robots.allows("/foo/bar/%E3%83%84"));
    assert!(!robots.allows("/%C3%BCber-uns"));
    assert!(!robots.allows("/foo/bar/%E3%83%84/x"));
    assert!(robots.allows("/foo/baz"));
}

#[test]
fn section_2_2_3_special_characters() {
    let robots = Robots::parse(
        "User-agent: *\nDisallow: /path/*/file\nDisallow: /*.php$\nAllow: /this/exactly$\nDisallow: /this\n",
    );
    assert!(!robots.allows("/path/to/the/file"));
    assert!(robots.allows("/path/file"));
    assert!(!robots.allows("/index.php"));
    assert!(robots.allows("/index.php?page=2"));
    assert!(robots.allows("/this/exactly"));
    assert!(!robots.allows("/this/exactly/not"));
}

#[test]
fn section_2_2_4_unknown_lines_and_comments_are_ignored() {
    let robots = Robots::parse(
        "# comment\nUser-agent: * # everyone\nCrawl-delay: 5\nSitemap: https://example.com/s.xml\nFoo: bar\nDisallow: /private # staff only\n",
    );
    assert!(!robots.allows("/private/x"));
    assert!(robots.allows("/public"));
}

#[test]
fn section_2_3_robots_txt_itself_is_always_allowed() {
    assert!(Robots::parse("User-agent: *\nDisallow: /\n").allows("/robots.txt"));
}

#[test]
fn section_2_2_line_endings_and_a_byte_order_mark() {
    for text in [
        "\u{feff}User-agent: *\nDisallow: /a\n",
        "User-agent: *\r\nDisallow: /a\r\n",
        "User-agent: *\rDisallow: /a\r",
    ] {
        let robots = Robots::parse(text);
        assert!(!robots.allows("/a"), "{text:?}");
        assert!(robots.allows("/b"), "{text:?}");
    }
}
