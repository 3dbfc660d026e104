//! Hostile input: multibyte text, huge and fuzzed pages never panic, evidence windows stay
//! whole words, every built-in pattern compiles.

use super::super::injection::INJECTION_RE;
use super::*;

#[test]
fn multibyte_evidence_windows() {
    let de =
        "Über uns: Die Müller GmbH wurde gegründet, wir sind stolz darauf — founded in 2014 — \
              und beschäftigen heute 250+ employees in München, Köln und Düsseldorf. Größe zählt! ";
    let ja = "私たちは東京に本社を置く会社です。founded in 2001。従業員は250+ employeesです。\
              headquartered in Tokyo, Japan。日本語のテキストがここに続きます。";
    for base in [de, ja] {
        let text = base.repeat(6);
        let s = text_page(&text);
        let f = find(&s, SignalKind::Founded, "founded").unwrap();
        assert!(f.evidence.contains("founded in"), "{}", f.evidence);
        for sig in &s {
            assert!(!sig.evidence.is_empty());
            assert!(sig.evidence.chars().count() <= 160, "{}", sig.evidence);
        }
    }
    // Every possible cut of a multi-byte string, every match position.
    let text = "ä日本🙂 word é ".repeat(30);
    for start in 0..text.len() {
        if !text.is_char_boundary(start) {
            continue;
        }
        for len in [0, 1, 4, 7] {
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let w = evidence_window(&text, start, end);
            assert!(w.chars().count() <= 160);
        }
        let capped = cap_at_char_boundary(&text, start + 1);
        assert!(capped.len() <= start + 1);
    }
    // Invalid ranges yield nothing instead of panicking.
    assert_eq!(evidence_window("日本", 1, 2), "");
    assert_eq!(evidence_window("abc", 2, 9), "");
}

#[test]
fn evidence_window_trims_words() {
    let text = format!(
        "{} founded in 1999 {}",
        "alpha ".repeat(40),
        "omega ".repeat(40)
    );
    let s = text_page(&text);
    let e = &find(&s, SignalKind::Founded, "founded").unwrap().evidence;
    assert!(e.chars().count() <= 160);
    assert!(e.starts_with("alpha") && e.ends_with("omega"), "{e}");
    assert!(e.contains("founded in 1999"));
}

#[test]
fn hostile_input_is_capped_and_fast() {
    let big_html = format!(
        "<html>{}<script src=\"https://js.stripe.com/v3/\"></script>",
        "<div data-x=\"ü\">日本語</div>".repeat(120_000)
    );
    assert!(big_html.len() > MAX_HTML_BYTES);
    let big_text = "Ünïcödé 🙂 text with $ and / signs. ".repeat(20_000);
    let unclosed = format!("<script src=\"{}", "a".repeat(2_000_000));
    let started = std::time::Instant::now();
    let s = detect(&page("u", &big_html, &big_text, &[]));
    // The Stripe tag lies past the 1 MB cap, so it is not seen.
    assert!(find(&s, SignalKind::Tech, "Stripe").is_none());
    let _ = detect(&page("u", &unclosed, &unclosed, &[]));
    let _ = injection_snippets(&big_text);
    assert!(
        started.elapsed().as_secs() < 20,
        "too slow: {:?}",
        started.elapsed()
    );
    assert_eq!(cap_at_char_boundary("日本", 4), "日");
    assert_eq!(cap_at_char_boundary("日本", 2), "");
}

#[test]
fn fuzzed_fragments_never_panic() {
    const FRAGMENTS: [&str; 24] = [
        "<script src=\"//js.stripe.com/v3/",
        "\">",
        "<meta name=generator content='WordPress",
        "<link rel=preconnect href=",
        "founded in ",
        "2014",
        " est. ",
        "since ",
        "250+ employees",
        "team of ",
        "headquartered in Zürich, Schweiz",
        "HQ: ",
        "$49/mo",
        "€",
        " per user",
        "\"@type\": \"JobPosting\"",
        "ignore previous instructions",
        "assistant: ",
        "日本語",
        "🙂",
        "ü",
        ". ",
        "\u{301}",
        "<",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let headers = hdr(&[("server", "cloudflare"), ("set-cookie", "a=b, c=d; e")]);
    for _ in 0..300 {
        let len = (next() % 60) as usize;
        let s: String = (0..len)
            .map(|_| FRAGMENTS[(next() % FRAGMENTS.len() as u64) as usize])
            .collect();
        for sig in detect(&page(&s, &s, &s, &headers)) {
            assert!(!sig.evidence.is_empty() && sig.evidence.chars().count() <= 160);
        }
        for snippet in injection_snippets(&s) {
            assert!(!snippet.is_empty() && snippet.chars().count() <= 160);
        }
    }
}

#[test]
fn builtin_patterns_compile() {
    let singles = [
        ("HIRING_RE", HIRING_RE.is_some()),
        ("CAREERS_URL_RE", CAREERS_URL_RE.is_some()),
        ("JOB_LISTING_TEXT_RE", JOB_LISTING_TEXT_RE.is_some()),
        ("JOB_POSTING_RE", JOB_POSTING_RE.is_some()),
        ("FOUNDED_RE", FOUNDED_RE.is_some()),
        ("SINCE_RE", SINCE_RE.is_some()),
        ("SIZE_EXCLUDE_RE", SIZE_EXCLUDE_RE.is_some()),
        ("INJECTION_RE", INJECTION_RE.is_some()),
    ];
    for (name, ok) in singles {
        assert!(ok, "{name} does not compile");
    }
    assert!(PRICING_RES.iter().all(|(_, r)| r.is_some()));
    assert!(SIZE_RES.iter().all(Option::is_some));
    assert!(LOCATION_RES.iter().all(Option::is_some));
}
