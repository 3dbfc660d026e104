//! What each fuzz target checks, as plain functions of the input bytes: the libFuzzer targets in
//! `fuzz_targets/` call them, and `tests/fuzz_corpus.rs` (stable, no libFuzzer) includes this
//! file and replays every committed corpus file through them, so `make test` catches a
//! regression the fuzzer once found.
//!
//! Each check panics when an invariant breaks; returning means the input was handled well.
//! Every function here calls the crates' public API only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use leadscout_domain::{
    email_company_domain, registrable_domain, FieldValue, LeadDetail, LeadEdit, LeadField, Stage,
};
use leadscout_import::{
    cards, decode, encoding_of, rows, rows_from_reader, sniff, suggest, to_csv, to_vcard, Row,
};
use leadscout_llm::{
    build_http_client, AnthropicClient, AnthropicConfig, AnthropicMode, ApiKey, GeminiClient,
    GeminiConfig, LlmError, OllamaClient, OllamaConfig, OpenAiClient, OpenAiConfig, OutputSchema,
    StructuredRequest, StructuredResponse,
};
use leadscout_research::signals::{detect, injection_snippets, SignalInput};
use leadscout_research::{
    cap_depth, classify, decode as decode_page, plain_text, read, AllowList, Guard, Robots,
    MAX_DEPTH,
};
use serde_json::json;
use url::{Host, Url};

/// A target's check of one input.
pub type Check = fn(&[u8]);

/// The targets, by corpus directory name.
pub const TARGETS: &[(&str, Check)] = &[
    ("csv", csv),
    ("vcard", vcard),
    ("html", html),
    ("urls", urls),
    ("model_output", model_output),
];

// ---------------------------------------------------------------------------------------------
// CSV

/// A CSV file: decoded, sniffed, mapped and read into rows, both from text and streamed from
/// bytes (the two readers agree), and every imported row survives export and import again.
pub fn csv(data: &[u8]) {
    let decoded = decode(data);
    let Some(sniffed) = sniff(&decoded.text) else {
        return;
    };
    assert!(
        sniffed.headers.len() >= 2,
        "a table has two columns or more"
    );
    let mapping = suggest(&sniffed.headers);
    assert_eq!(mapping.columns.len(), sniffed.headers.len());
    let from_text: Vec<Result<Row, _>> = rows(&decoded.text, &sniffed, &mapping).collect();
    for row in &from_text {
        match row {
            Ok(row) => well_formed(row),
            Err(problem) => assert!(!problem.message.is_empty()),
        }
    }
    // The streaming reader (what an import uses) reads what the preview read.
    if encoding_of(data).name() == decoded.encoding {
        let streamed: Vec<Result<Row, _>> =
            rows_from_reader(data, encoding_of(data), &sniffed, &mapping).collect();
        assert_eq!(
            essence(&from_text),
            essence(&streamed),
            "rows from text and streamed rows differ"
        );
    }
    let imported: Vec<Row> = from_text.into_iter().filter_map(Result::ok).collect();
    if imported.is_empty() {
        return;
    }
    // What Leadscout exports, it imports back the same.
    let leads = as_leads(&imported);
    let exported =
        to_csv(&leads, &[], &stages(), &[], false).unwrap_or_else(|e| panic!("export: {e}"));
    let text = decode(&exported).text;
    let sniffed = sniff(&text).unwrap_or_else(|| panic!("an export is not a table: {text:?}"));
    let mapping = suggest(&sniffed.headers);
    let back: Vec<Row> = rows(&text, &sniffed, &mapping)
        .map(|r| r.unwrap_or_else(|p| panic!("an exported row is refused: {p:?}")))
        .collect();
    same_rows(&imported, &back, "CSV");
}

/// A vCard file: every card is read or refused with a reason, and every imported card survives
/// export to vCard and import again.
pub fn vcard(data: &[u8]) {
    let text = decode(data).text;
    let from_text = cards(&text);
    for card in &from_text {
        match card {
            Ok(row) => well_formed(row),
            Err(problem) => assert!(!problem.message.is_empty()),
        }
    }
    let imported: Vec<Row> = from_text.into_iter().filter_map(Result::ok).collect();
    if imported.is_empty() {
        return;
    }
    let exported = to_vcard(&as_leads(&imported));
    let back: Vec<Row> = cards(&exported)
        .into_iter()
        .map(|r| r.unwrap_or_else(|p| panic!("an exported card is refused: {p:?}")))
        .collect();
    same_rows(&imported, &back, "vCard");
}

fn well_formed(row: &Row) {
    assert!(row.line >= 1);
    assert!(!row.full_name.is_empty());
    assert_eq!(row.full_name.trim(), row.full_name, "names are trimmed");
    for value in &row.values {
        // Every value an import keeps is one the lead page would accept as typed.
        let (field, text) = as_text(value);
        let again = LeadEdit {
            field,
            value: text.clone(),
        }
        .validate()
        .unwrap_or_else(|e| panic!("{field:?} {text:?} was imported but is refused: {e}"));
        assert_eq!(&again, value, "{field:?} changes when validated again");
    }
}

/// What a row is, without where it was in the file (the two readers count lines apart after
/// malformed records, and the warnings quote the line).
fn essence(rows: &[Result<Row, leadscout_import::RowProblem>]) -> Vec<Option<(String, String)>> {
    rows.iter()
        .map(|r| {
            r.as_ref()
                .ok()
                .map(|r| (r.full_name.clone(), format!("{:?} {:?}", r.values, r.note)))
        })
        .collect()
}

fn as_text(value: &FieldValue) -> (LeadField, Option<String>) {
    match value {
        FieldValue::Text(field, text) => (*field, text.clone()),
        FieldValue::Website(url) => (LeadField::Website, url.as_ref().map(Url::to_string)),
        FieldValue::DealValue(v) => (LeadField::DealValue, v.map(|v| v.to_string())),
        FieldValue::Currency(c) => (LeadField::Currency, Some(c.clone())),
    }
}

fn text_of(row: &Row, field: LeadField) -> Option<String> {
    row.values.iter().find_map(|v| match as_text(v) {
        (f, text) if f == field => text,
        _ => None,
    })
}

fn stages() -> Vec<Stage> {
    serde_json::from_value(json!([
        {"id": 1, "pipelineId": 1, "name": "New", "kind": "open", "color": "#64748b", "position": 0, "probability": 10}
    ]))
    .unwrap_or_else(|e| panic!("stage: {e}"))
}

/// The leads an import of these rows would create.
fn as_leads(rows: &[Row]) -> Vec<LeadDetail> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let f = |field| text_of(row, field);
            let activities = match &row.note {
                Some(note) => json!([{"id": i + 1, "leadId": i + 1, "kind": "note", "body": note,
                                      "occurredAt": 0, "createdAt": 0}]),
                None => json!([]),
            };
            serde_json::from_value(json!({
                "lead": {
                    "id": i + 1, "fullName": row.full_name, "title": f(LeadField::Title),
                    "email": f(LeadField::Email), "phone": f(LeadField::Phone),
                    "linkedinUrl": f(LeadField::LinkedinUrl), "companyId": null,
                    "companyName": f(LeadField::CompanyName), "website": f(LeadField::Website),
                    "source": f(LeadField::Source), "stageId": 1, "position": 0,
                    "dealValue": null, "currency": "USD", "nextStep": null, "nextStepDue": null,
                    "tags": [], "researchedFields": [], "createdAt": 0, "updatedAt": 0
                },
                "company": null, "research": null, "activities": activities
            }))
            .unwrap_or_else(|e| panic!("lead: {e}"))
        })
        .collect()
}

fn same_rows(imported: &[Row], back: &[Row], format: &str) {
    assert_eq!(back.len(), imported.len(), "{format}: rows lost or added");
    // Source is not exported to vCard; everything else is, in both formats.
    let fields: &[LeadField] = match format {
        "CSV" => &[
            LeadField::Title,
            LeadField::Email,
            LeadField::Phone,
            LeadField::LinkedinUrl,
            LeadField::CompanyName,
            LeadField::Website,
            LeadField::Source,
        ],
        _ => &[
            LeadField::Title,
            LeadField::Email,
            LeadField::Phone,
            LeadField::LinkedinUrl,
            LeadField::CompanyName,
            LeadField::Website,
        ],
    };
    for (a, b) in imported.iter().zip(back) {
        assert_eq!(a.full_name, b.full_name, "{format}: name");
        for field in fields {
            assert_eq!(
                text_of(a, *field),
                text_of(b, *field),
                "{format}: {field:?} of {:?}",
                a.full_name
            );
        }
        assert_eq!(a.note, b.note, "{format}: note of {:?}", a.full_name);
    }
}

// ---------------------------------------------------------------------------------------------
// HTML

const CONTENT_TYPES: [&str; 6] = [
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=ISO-8859-1",
    "text/html;charset=\"Shift_JIS\"",
    "text/html; charset=utf-16le",
    "",
];

/// A fetched page: decoded by its charset, read into facts, Markdown, headings and links, and
/// scanned for signals and text aimed at AI assistants. The first byte picks the content type.
pub fn html(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(pick) % CONTENT_TYPES.len()];
    let text = decode_page(body, content_type);
    let capped = cap_depth(&text, MAX_DEPTH);
    assert!(text.starts_with(capped.as_ref()), "the depth cap only cuts");
    assert_eq!(
        cap_depth(&capped, MAX_DEPTH),
        capped,
        "capping twice cuts more than once"
    );
    let Ok(base) = Url::parse("https://acme.example/about/") else {
        return;
    };
    let page = read(&text, &base);
    assert!(page.text.chars().count() <= 40_000, "the text is capped");
    assert!(page.headings.len() <= 60);
    assert!(page.headings.iter().all(|h| !h.is_empty() && h.trim() == h));
    for link in &page.links {
        let url = Url::parse(&link.url).unwrap_or_else(|e| panic!("{}: {e}", link.url));
        assert!(matches!(url.scheme(), "http" | "https"), "{}", link.url);
        assert!(url.fragment().is_none(), "{}", link.url);
    }
    let plain = plain_text(&page.text);
    assert!(!plain.contains('\n'));
    let headers = [
        ("server".to_owned(), "nginx".to_owned()),
        ("set-cookie".to_owned(), "hubspotutk=1; Path=/".to_owned()),
    ];
    let signals = detect(&SignalInput {
        url: base.as_str(),
        html: &text,
        text: &plain,
        headers: &headers,
    });
    for (i, s) in signals.iter().enumerate() {
        assert!(!s.evidence.is_empty(), "{s:?} has no evidence");
        assert!(
            !signals[..i]
                .iter()
                .any(|o| o.kind == s.kind && o.name == s.name),
            "{s:?} is reported twice"
        );
    }
    for snippet in injection_snippets(&plain) {
        assert!(!snippet.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// URLs, emails, phones, domains and the SSRF guard

/// One line of text through every normaliser of typed addresses (normalising twice gives what
/// normalising once gave), the domain helpers, the SSRF guard (an IP-literal URL passes only
/// when its address is public) and robots.txt; the first 16 bytes also as two IP addresses
/// in every embedded form the guard knows.
pub fn urls(data: &[u8]) {
    addresses(data);
    let text = String::from_utf8_lossy(data);
    for field in [
        LeadField::Email,
        LeadField::Website,
        LeadField::LinkedinUrl,
        LeadField::Phone,
        LeadField::CompanyName,
    ] {
        let once = LeadEdit {
            field,
            value: Some(text.to_string()),
        }
        .validate();
        if let Ok(value) = &once {
            let (_, stored) = as_text(value);
            let twice = LeadEdit {
                field,
                value: stored.clone(),
            }
            .validate();
            assert_eq!(
                twice.as_ref(),
                Ok(value),
                "{field:?}: {text:?} normalises to {stored:?}, which normalises differently"
            );
        }
        if let (LeadField::Website, Ok(FieldValue::Website(Some(url)))) = (field, &once) {
            let domain = registrable_domain(url);
            if let Some(domain) = &domain {
                assert_eq!(domain, &domain.to_lowercase());
                let again = Url::parse(&format!("https://{domain}/")).ok();
                assert_eq!(
                    again.as_ref().and_then(registrable_domain).as_ref(),
                    Some(domain),
                    "the registrable domain of {url} is not its own"
                );
            }
        }
    }
    if let Some(domain) = email_company_domain(&text) {
        assert_eq!(domain, domain.to_lowercase());
        assert_eq!(
            email_company_domain(&format!("someone@{domain}")).as_ref(),
            Some(&domain)
        );
    }
    if let Ok(url) = Url::parse(&text) {
        let guard = Guard::new(AllowList::none());
        let checked = guard.check_url(&url);
        let ip = match url.host() {
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if let (Some(ip), true) = (ip, matches!(url.scheme(), "http" | "https")) {
            assert_eq!(
                checked.is_ok(),
                classify(ip).is_none(),
                "{url}: the guard and the address classes disagree"
            );
        }
        if let Some(domain) = registrable_domain(&url) {
            assert!(!domain.is_empty());
        }
    }
    let _ = AllowList::parse(&text);
    let robots = Robots::parse(&text);
    for path in ["/", "/about", "/pricing?x=1", "/%E2%82%AC"] {
        let _ = robots.allows(path);
    }
}

fn addresses(data: &[u8]) {
    let Some(bytes) = data.get(..4) else { return };
    let v4 = Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]);
    let [a, b, c, d] = v4.octets();
    let (hi, lo) = (u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d]));
    let kind = classify(IpAddr::V4(v4));
    // The same IPv4 address, written the ways IPv6 can carry it.
    let mapped = v4.to_ipv6_mapped();
    assert_eq!(classify(IpAddr::V6(mapped)), kind, "{mapped}");
    let nat64 = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, hi, lo);
    assert_eq!(classify(IpAddr::V6(nat64)), kind, "{nat64}");
    let six_to_four = Ipv6Addr::new(0x2002, hi, lo, 0, 0, 0, 0, 1);
    assert_eq!(classify(IpAddr::V6(six_to_four)), kind, "{six_to_four}");
    let translated = Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, hi, lo);
    assert_eq!(classify(IpAddr::V6(translated)), kind, "{translated}");
    if kind.is_some() {
        let compatible = Ipv6Addr::new(0, 0, 0, 0, 0, 0, hi, lo);
        assert!(classify(IpAddr::V6(compatible)).is_some(), "{compatible}");
        // Local-use NAT64 (RFC 8215) in the /96 and /64 layouts of RFC 6052.
        let local = Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, hi, lo);
        assert!(classify(IpAddr::V6(local)).is_some(), "{local}");
        let local64 = Ipv6Addr::new(
            0x64,
            0xff9b,
            1,
            0,
            u16::from(a),
            u16::from_be_bytes([b, c]),
            u16::from(d) << 8,
            0,
        );
        assert!(classify(IpAddr::V6(local64)).is_some(), "{local64}");
    }
    if let Some(bytes) = data.get(..16) {
        let mut octets = [0u8; 16];
        octets.copy_from_slice(bytes);
        let v6 = Ipv6Addr::from(octets);
        let guard = Guard::new(AllowList::none());
        if let Ok(url) = Url::parse(&format!("http://[{v6}]/")) {
            assert_eq!(
                guard.check_url(&url).is_ok(),
                classify(IpAddr::V6(v6)).is_none()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Model output

/// A key no provider issues: finding it in an error is a leak.
pub const CANARY_KEY: &str = "sk-fuzz-canary-5d1e0c2b";

const STATUSES: [u16; 12] = [200, 200, 200, 200, 400, 401, 403, 404, 413, 429, 500, 529];

/// The request each reply answers: the settings page's probe, and the research stages' schemas.
static REQUESTS: LazyLock<Vec<StructuredRequest>> = LazyLock::new(|| {
    let probe = json!({
        "type": "object",
        "properties": {"ok": {"type": "boolean"}, "word": {"type": "string"},
                       "note": {"type": "string", "format": "email"}},
        "required": ["ok", "word"],
        "additionalProperties": false
    });
    let schemas = [
        ("connection_check", probe),
        (
            "footprint",
            serde_json::from_str(include_str!("../../prompts/schemas/footprint.json"))
                .unwrap_or_default(),
        ),
        (
            "insights",
            serde_json::from_str(include_str!("../../prompts/schemas/insights.json"))
                .unwrap_or_default(),
        ),
    ];
    schemas
        .into_iter()
        .map(|(name, schema)| {
            let schema = OutputSchema::new(name, schema).unwrap_or_else(|e| panic!("{name}: {e}"));
            StructuredRequest::new(schema).user("Answer.")
        })
        .collect()
});

type Reader = Box<
    dyn Fn(&StructuredRequest, u16, &[u8]) -> Result<StructuredResponse, LlmError> + Send + Sync,
>;

struct Readers(Vec<Reader>);

/// Every adapter (and both Anthropic modes), configured with the canary key.
static READERS: LazyLock<Readers> = LazyLock::new(|| {
    let http = || build_http_client().unwrap_or_else(|e| panic!("http client: {e}"));
    let key = || ApiKey::new(CANARY_KEY);
    let openai = OpenAiClient::new(OpenAiConfig::openai(key(), "gpt-4o-mini"), http());
    let anthropic = AnthropicClient::new(AnthropicConfig::new(key(), "claude-sonnet-4-5"), http());
    let mut tool = AnthropicConfig::new(key(), "claude-sonnet-4-5");
    tool.mode = AnthropicMode::ForcedTool;
    let tool = AnthropicClient::new(tool, http());
    let gemini = GeminiClient::new(GeminiConfig::new(key(), "gemini-2.5-flash"), http());
    let ollama = OllamaClient::new(OllamaConfig::new("qwen2.5:7b").with_api_key(key()), http());
    let readers: Vec<Reader> = vec![
        Box::new(move |r: &StructuredRequest, s: u16, b: &[u8]| openai.read_reply(r, s, b)),
        Box::new(move |r: &StructuredRequest, s: u16, b: &[u8]| anthropic.read_reply(r, s, b)),
        Box::new(move |r: &StructuredRequest, s: u16, b: &[u8]| tool.read_reply(r, s, b)),
        Box::new(move |r: &StructuredRequest, s: u16, b: &[u8]| gemini.read_reply(r, s, b)),
        Box::new(move |r: &StructuredRequest, s: u16, b: &[u8]| ollama.read_reply(r, s, b)),
    ];
    Readers(readers)
});

/// A provider's reply: the first byte picks the adapter, the second the HTTP status, the third
/// the request's schema; the rest is the body. An answer that comes back is valid against the
/// full schema, and no error carries the API key.
pub fn model_output(data: &[u8]) {
    let [adapter, status, schema, body @ ..] = data else {
        return;
    };
    let readers = &READERS.0;
    let reader = &readers[usize::from(*adapter) % readers.len()];
    let status = STATUSES[usize::from(*status) % STATUSES.len()];
    let request = &REQUESTS[usize::from(*schema) % REQUESTS.len()];
    match reader(request, status, body) {
        Ok(answer) => {
            let violations = request.schema.validate(&answer.value);
            assert!(violations.is_empty(), "an accepted answer is invalid");
            assert!(
                !answer.model.contains(CANARY_KEY),
                "the key is the model's name"
            );
        }
        Err(error) => {
            let shown = format!("{error} {error:?}");
            assert!(
                !shown.contains(CANARY_KEY),
                "the key is in an error: {shown}"
            );
        }
    }
}
