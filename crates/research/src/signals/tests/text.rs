//! Text signals: pricing, hiring, founding year, headcount and headquarters.

use super::*;

#[test]
fn pricing_signals() {
    let s = text_page(
        "Start your free trial today. Plans from $49/month per seat. Talk to sales for Enterprise.",
    );
    assert!(find(&s, SignalKind::Pricing, "free_trial").is_some());
    assert!(find(&s, SignalKind::Pricing, "self_serve_pricing").is_some());
    assert!(find(&s, SignalKind::Pricing, "contact_sales").is_some());
    assert!(find(&s, SignalKind::Pricing, "free_plan").is_none());
    let s = text_page(
        "Free forever for up to 3 users. Pro: €12 per user. Get started with a 14-day free trial.",
    );
    assert!(find(&s, SignalKind::Pricing, "free_plan").is_some());
    assert!(find(&s, SignalKind::Pricing, "self_serve_pricing").is_some());
    let trial = find(&s, SignalKind::Pricing, "free_trial").unwrap();
    assert!(
        trial.evidence.contains("14-day free trial"),
        "{}",
        trial.evidence
    );
    assert_eq!(trial.value, None);
    let s = text_page("Book a demo with our team. Priced 29 € / mo for small teams.");
    assert!(find(&s, SignalKind::Pricing, "contact_sales").is_some());
    assert!(find(&s, SignalKind::Pricing, "self_serve_pricing").is_some());
    // Money without a period is not subscription pricing; "free" alone is not a plan.
    let s = text_page("We raised $20 million. Shipping is free. Our monthly newsletter is great.");
    assert!(s.iter().all(|x| x.kind != SignalKind::Pricing), "{s:?}");
}

#[test]
fn hiring_signals() {
    let s = text_page("We're hiring! Join our team of builders.");
    let h = find(&s, SignalKind::Hiring, "hiring").unwrap();
    assert_eq!(h.value, None);
    assert!(h.evidence.contains("We're hiring"));
    let html = r#"<script type="application/ld+json">[{"@context":"https://schema.org","@type": "JobPosting","title":"Engineer"},
{"@context":"https://schema.org","@type":"JobPosting","title":"Designer"},{"@type":"Organization"}]</script>"#;
    let s = detect(&page(
        "https://a.test/careers",
        html,
        "Engineer Designer",
        &[],
    ));
    let h = find(&s, SignalKind::Hiring, "hiring").unwrap();
    assert_eq!(h.value.as_deref(), Some("2"));
    assert!(h.evidence.contains("JobPosting"));
    // A careers URL with listings counts; the same words elsewhere do not.
    let s = detect(&page(
        "https://a.test/careers/",
        "",
        "Senior Engineer, Berlin, Full-time. Apply now",
        &[],
    ));
    assert!(find(&s, SignalKind::Hiring, "hiring").is_some());
    let s = detect(&page(
        "https://a.test/blog/",
        "",
        "Careers. Full-time support included",
        &[],
    ));
    assert!(find(&s, SignalKind::Hiring, "hiring").is_none());
}

#[test]
fn founded_signals() {
    let cases = [
        ("Acme was founded in 2014 by two engineers.", Some("2014")),
        ("Family business, serving Ohio since 1998.", Some("1998")),
        ("Smith & Sons, est. 2001", Some("2001")),
        (
            "Founded by Jane Doe and John Roe in 2009, we build tools.",
            Some("2009"),
        ),
        ("The company was founded in March 2011.", Some("2011")),
        ("Founded: 1887", Some("1887")),
        ("Our vision: founded in 2099 on the moon.", None),
        ("Established in 1650 as a guild.", None),
        ("We established relationships with 300 clients.", None),
        ("Since 2020, remote work has changed sales.", None),
        ("The best CRM since 2019, trusted by teams.", None),
    ];
    for (text, want) in cases {
        let s = text_page(text);
        let got = find(&s, SignalKind::Founded, "founded").and_then(|x| x.value.as_deref());
        assert_eq!(got, want, "{text}");
    }
    // A future year is skipped, a later valid one still found.
    let s = text_page("Founded in 2099? No: founded in 2012.");
    assert_eq!(
        find(&s, SignalKind::Founded, "founded")
            .unwrap()
            .value
            .as_deref(),
        Some("2012")
    );
}

#[test]
fn size_signals() {
    let cases = [
        ("We are 250+ employees across Europe.", Some("250+")),
        ("A team of 40 engineers and designers.", Some("40")),
        ("Company size: 11-50 employees", Some("11-50")),
        (
            "Today we employ over 1,200 people worldwide.",
            Some("1,200"),
        ),
        ("Built for companies with 50+ employees.", None),
        ("Trusted by 10,000 teams and 2 million users.", None),
    ];
    for (text, want) in cases {
        let s = text_page(text);
        let got = find(&s, SignalKind::Size, "employees").and_then(|x| x.value.as_deref());
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn location_signals() {
    let cases = [
        (
            "Acme is headquartered in Berlin, Germany and has offices in Paris.",
            Some("Berlin, Germany"),
        ),
        ("HQ: Austin, TX", Some("Austin, TX")),
        (
            "We are a small studio based in London. We design brands.",
            Some("London"),
        ),
        (
            "Headquartered in Frankfurt am Main, we serve banks.",
            Some("Frankfurt am Main"),
        ),
        (
            "Pricing based in part on usage. Cloud-based in minutes.",
            None,
        ),
    ];
    for (text, want) in cases {
        let s = text_page(text);
        let got = find(&s, SignalKind::Location, "headquarters").and_then(|x| x.value.as_deref());
        assert_eq!(got, want, "{text}");
    }
}
