//! Technology rules: detection on real-looking markup and headers, the rules file itself and
//! how markup is read.

use super::*;

const SAAS_HTML: &str = r#"<!DOCTYPE html><html lang="en"><head>
<meta charset="utf-8"><title>Acme — revenue analytics</title>
<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','GTM-ABC1234');</script>
<script type="text/javascript" id="hs-script-loader" async defer src="//js.hs-scripts.com/4567890.js"></script>
<script src="https://js.stripe.com/v3/"></script>
<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter:wght@400;700&display=swap">
<script src="/_next/static/chunks/main-1a2b3c.js" defer></script>
</head><body>
<div id="__next"><h1>Revenue analytics for B2B teams</h1></div>
<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{}},"page":"/"}</script>
<script>window.intercomSettings = { app_id: "abc123" };</script>
<script async src="https://widget.intercom.io/widget/abc123"></script>
</body></html>"#;

#[test]
fn saas_page_detects_stack_with_categories_and_evidence() {
    let signals = detect(&page(
        "https://acme.test/",
        SAAS_HTML,
        "Revenue analytics",
        &[],
    ));
    let expect = [
        ("Google Tag Manager", "tag_manager", "GTM-ABC1234"),
        (
            "HubSpot",
            "marketing_automation",
            "//js.hs-scripts.com/4567890.js",
        ),
        ("Stripe", "payments", "https://js.stripe.com/v3/"),
        (
            "Intercom",
            "chat",
            "https://widget.intercom.io/widget/abc123",
        ),
        (
            "Next.js",
            "web_framework",
            "/_next/static/chunks/main-1a2b3c.js",
        ),
        (
            "React",
            "web_framework",
            "/_next/static/chunks/main-1a2b3c.js",
        ),
        (
            "Google Fonts",
            "fonts",
            "fonts.googleapis.com/css2?family=Inter",
        ),
    ];
    for (name, category, evidence) in expect {
        let s = find(&signals, SignalKind::Tech, name)
            .unwrap_or_else(|| panic!("{name} missing from {:?}", tech_names(&signals)));
        assert_eq!(s.value.as_deref(), Some(category), "{name}");
        assert!(
            s.evidence.contains(evidence),
            "{name}: evidence {:?} lacks {evidence:?}",
            s.evidence
        );
        assert_eq!(s.url, "https://acme.test/");
    }
    // No tech that is not on the page.
    for absent in [
        "Google Analytics",
        "Segment",
        "WordPress",
        "Vue.js",
        "Drift",
    ] {
        assert!(
            find(&signals, SignalKind::Tech, absent).is_none(),
            "{absent} false positive"
        );
    }
    // Stable order: kind, then name; no duplicates.
    let keys: Vec<(u8, String)> = signals
        .iter()
        .map(|s| (kind_rank(&s.kind), s.name.to_lowercase()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted);
    // Serialises with camelCase names.
    let json = serde_json::to_string(&signals[0]).unwrap();
    assert!(json.contains(r#""kind":"tech""#), "{json}");
}

#[test]
fn headers_only_detection() {
    let headers = hdr(&[
        ("server", "cloudflare"),
        ("cf-ray", "8a1b2c3d4e5f-FRA"),
        (
            "x-vercel-id",
            "fra1::iad1::abcde-1700000000000-0123456789ab",
        ),
        (
            "set-cookie",
            "__cf_bm=xyz; path=/; expires=Wed, 21 Oct 2026 07:28:00 GMT",
        ),
    ]);
    let signals = detect(&page("https://x.test/", "", "", &headers));
    let cf = find(&signals, SignalKind::Tech, "Cloudflare").unwrap();
    assert_eq!(cf.value.as_deref(), Some("hosting_cdn"));
    assert!(cf.evidence.starts_with("server: cloudflare") || cf.evidence.starts_with("cf-ray"));
    let vercel = find(&signals, SignalKind::Tech, "Vercel").unwrap();
    assert_eq!(vercel.value.as_deref(), Some("hosting_cdn"));
    assert!(
        vercel.evidence.starts_with("x-vercel-id: fra1::"),
        "{}",
        vercel.evidence
    );
    assert_eq!(tech_names(&signals), vec!["Cloudflare", "Vercel"]);

    let headers = hdr(&[("x-amz-cf-id", "abc=="), ("x-nf-request-id", "01H")]);
    let names = detect(&page("u", "", "", &headers));
    assert_eq!(tech_names(&names), vec!["Amazon CloudFront", "Netlify"]);
}

#[test]
fn prose_does_not_trigger_tech() {
    let prose = "Our platform helps you react to market changes quickly. The stripe pattern \
                 on our logo is iconic. We love WordPress-style editing, Shopify merchants, \
                 HubSpot users and Google Analytics reports. Segment your audience. \
                 Heap of data, drift away, intercom system.";
    let html =
        format!("<html><body><p>{prose}</p><p>Use jquery or react or vue.</p></body></html>");
    let signals = detect(&page("https://p.test/", &html, prose, &[]));
    assert!(
        tech_names(&signals).is_empty(),
        "false positives: {:?}",
        tech_names(&signals)
    );
}

#[test]
fn implied_and_cms_rules() {
    let html = r#"<meta name="generator" content="WordPress 6.4.2">
<link rel='stylesheet' href='https://shop.test/wp-content/plugins/woocommerce/assets/css/woocommerce.css?ver=8.1' />
<script src="https://shop.test/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"></script>
<div ng-version="17.0.8"></div><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>"#;
    let signals = detect(&page("u", html, "", &[]));
    let wp = find(&signals, SignalKind::Tech, "WordPress").unwrap();
    assert_eq!(wp.evidence, "WordPress 6.4.2");
    assert_eq!(wp.value.as_deref(), Some("cms"));
    for name in ["WooCommerce", "jQuery", "Angular", "YouTube"] {
        assert!(find(&signals, SignalKind::Tech, name).is_some(), "{name}");
    }
    // Nuxt ⇒ Vue.js, evidence carried over.
    let signals = detect(&page("u", "<script>window.__NUXT__={}</script>", "", &[]));
    let vue = find(&signals, SignalKind::Tech, "Vue.js").unwrap();
    assert_eq!(vue.evidence, "window.__NUXT__=");
}

#[test]
fn rules_file_is_valid() {
    assert!(tech_rule_count() >= 70, "only {} rules", tech_rule_count());
    assert!(RULES.errors.is_empty(), "rule errors: {:#?}", RULES.errors);
    assert_eq!(RULES.rules.len(), tech_rule_count());
    // Independently of the loader: every category is known, every regex compiles.
    let v: serde_json::Value = serde_json::from_str(RULES_JSON).unwrap();
    let declared: Vec<&str> = v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(declared, CATEGORIES.to_vec());
    let mut used = HashSet::new();
    for rule in v["technologies"].as_array().unwrap() {
        let name = rule["name"].as_str().unwrap();
        let category = rule["category"].as_str().unwrap();
        assert!(CATEGORIES.contains(&category), "{name}: {category}");
        used.insert(category);
        let patterns = rule["patterns"].as_object().unwrap();
        assert!(!patterns.is_empty(), "{name} has no patterns");
        for (kind, list) in patterns {
            let regexes: Vec<&str> = match list {
                serde_json::Value::Array(a) => a.iter().map(|p| p.as_str().unwrap()).collect(),
                serde_json::Value::Object(o) => o.values().map(|p| p.as_str().unwrap()).collect(),
                other => panic!("{name}.{kind}: {other}"),
            };
            for p in regexes {
                assert!(rule_regex(p).is_ok(), "{name}.{kind}: {p}");
                if kind == "html" {
                    assert!(
                        !rule_regex(p).unwrap().is_match(b""),
                        "{name}: {p} matches empty"
                    );
                }
            }
        }
    }
    assert_eq!(used.len(), CATEGORIES.len(), "every category has a rule");
    // The loader reports problems instead of panicking.
    let bad = load_rules(
        r#"{"technologies":[{"name":"X","category":"nope","patterns":{}},
        {"name":"Y","category":"cms","patterns":{"html":["("]}}]}"#,
    );
    assert_eq!(bad.errors.len(), 3, "{:?}", bad.errors);
    assert!(!load_rules("not json").errors.is_empty());
}

#[test]
fn required_literals_are_conservative() {
    let cases = [
        (r"js\.stripe\.com/v\d", Some("js.stripe.com/v")),
        (r"ab?cdef", Some("cdef")),
        (r"a{0,2}bcd", Some("bcd")),
        (r"x{2}yz", None),
        (r"(?:x|y)Abcd(?i)", Some("abcd")),
        (r"abcd|efgh", None),
        (r"[abc\]]def", Some("def")),
        (r"\sdata-v-[0-9a-f]{8}", Some("data-v-")),
        (r"gtm\.js\?id=GTM-", Some("gtm.js?id=gtm-")),
        (r"\p{L}abc\x{41}", Some("abc")),
        (r"abc+defg", Some("defg")),
        (r"abc*", None),
    ];
    for (pattern, want) in cases {
        assert_eq!(required_literal(pattern).as_deref(), want, "{pattern}");
    }
    // Every html rule pattern has one, so no pattern forces a full scan of the page.
    for rule in &RULES.rules {
        for p in &rule.html {
            let needle = p.needle.as_deref().unwrap_or_default();
            assert!(
                needle.len() >= 4,
                "{}: {} has weak needle {needle:?}",
                rule.name,
                p.re.as_str()
            );
        }
    }
}

#[test]
fn markup_is_read_in_one_scan_in_any_case_and_quoting() {
    let html = r#"<SCRIPT async SRC='https://js.stripe.com/v3/'></SCRIPT><scripts src="x.js">
<link rel=preconnect href=https://fonts.gstatic.com><LINK REL="stylesheet" HREF = "/a.css">
<meta name="generator" content="WordPress 6.4"><meta content="Hugo" name="Generator">
<img data-src=/lazy.png alt="a > b"><form action="/subscribe"><script src="unclosed.js"#;
    let markup = extract_markup(html);
    assert_eq!(markup.script_srcs, ["https://js.stripe.com/v3/"]);
    assert_eq!(markup.resources, ["/a.css", "/lazy.png", "/subscribe"]);
    assert_eq!(markup.generators, ["WordPress 6.4", "Hugo"]);
}

#[test]
fn resource_hints_and_third_party_hosts_do_not_count() {
    let html = r#"<link rel="preconnect" href="https://fonts.gstatic.com/">
<link rel="dns-prefetch" href="//js.hs-scripts.com/">
<link rel="preload stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">"#;
    let signals = detect(&page("u", html, "", &[]));
    assert_eq!(tech_names(&signals), vec!["Google Fonts"]);
    let html = r#"<script src="https://d33wubrfki0l68.cloudfront.net/bundle.js"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/lodash.js/4.17.21/lodash.min.js"></script>"#;
    assert!(tech_names(&detect(&page("u", html, "", &[]))).is_empty());
}
