//! What Leadscout exports, Leadscout imports back the same: leads with awkward text (commas,
//! semicolons, quotes, line breaks, accents, CJK, emoji) survive CSV and vCard round trips.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_domain::{FieldValue, LeadDetail, LeadField, Pipeline, Stage};
use leadscout_import::{cards, decode, rows, sniff, suggest, to_csv, to_vcard, Row};
use serde_json::json;

/// Deterministic variety: a small generator, so a failure names a reproducible case.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[usize::try_from(self.next()).unwrap() % from.len()]
    }
    fn words(&mut self, n: usize) -> String {
        const WORDS: &[&str] = &[
            "Ada",
            "Zoë",
            "O'Brien",
            "Smith, Jr.",
            "Ünal",
            "李",
            "Ñandú",
            "semi;colon",
            "\"quoted\"",
            "back\\slash",
            "Ω",
            "🚀",
            "Müller-Lüdenscheidt",
            "van der Berg",
        ];
        (0..n)
            .map(|_| self.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn leads(count: usize) -> Vec<LeadDetail> {
    let mut g = Gen(42);
    (0..count)
        .map(|i| {
            let name = g.words(2);
            let company = g.words(2);
            let detail = json!({
                "lead": {
                    "id": i + 1, "fullName": name, "title": if i % 3 == 0 { None } else { Some(g.words(3)) },
                    "email": format!("person{i}@company{}.example", i % 7),
                    "phone": if i % 2 == 0 { Some(format!("+4420794{:05}", i)) } else { None },
                    "linkedinUrl": null, "companyId": null, "companyName": company,
                    "website": format!("https://company{}.example/", i % 7),
                    "source": null, "stageId": 1, "position": 0, "dealValue": null, "currency": "USD",
                    "nextStep": null, "nextStepDue": null, "tags": [], "researchedFields": [],
                    "createdAt": 0, "updatedAt": 0
                },
                "company": null, "research": null,
                "activities": [{"id": i + 1, "leadId": i + 1, "kind": "note",
                                "body": format!("Met at {},\nsecond line; \"quoted\"", g.words(2)),
                                "occurredAt": 0, "createdAt": 0}]
            });
            serde_json::from_value(detail).unwrap()
        })
        .collect()
}

fn text(row: &Row, field: LeadField) -> Option<String> {
    row.values.iter().find_map(|v| match v {
        FieldValue::Text(f, t) if *f == field => t.clone(),
        FieldValue::Website(u) if field == LeadField::Website => u.as_ref().map(|u| u.to_string()),
        _ => None,
    })
}

fn same(original: &LeadDetail, row: &Row, what: &str) {
    let l = &original.lead;
    assert_eq!(row.full_name, l.full_name, "{what}: name");
    assert_eq!(text(row, LeadField::Email), l.email, "{what}: email");
    assert_eq!(text(row, LeadField::Phone), l.phone, "{what}: phone");
    assert_eq!(text(row, LeadField::Title), l.title, "{what}: title");
    assert_eq!(
        text(row, LeadField::CompanyName),
        l.company_name,
        "{what}: company"
    );
    assert_eq!(text(row, LeadField::Website), l.website, "{what}: website");
    assert_eq!(
        row.note.as_deref(),
        Some(original.activities[0].body.as_str()),
        "{what}: note"
    );
}

#[test]
fn csv_and_vcard_exports_import_back_unchanged() {
    let leads = leads(200);
    let stages: Vec<Stage> = serde_json::from_value(json!([
        {"id": 1, "pipelineId": 1, "name": "New", "kind": "open", "color": "#64748b", "position": 0, "probability": 10}
    ]))
    .unwrap();
    let pipelines: Vec<Pipeline> =
        serde_json::from_value(json!([{"id": 1, "name": "Sales", "position": 0}])).unwrap();

    for bom in [false, true] {
        let bytes = to_csv(&leads, &pipelines, &stages, &[], bom).unwrap();
        let decoded = decode(&bytes);
        let sniffed = sniff(&decoded.text).unwrap();
        let mapping = suggest(&sniffed.headers);
        let back: Vec<Row> = rows(&decoded.text, &sniffed, &mapping)
            .map(Result::unwrap)
            .collect();
        assert_eq!(back.len(), leads.len());
        for (original, row) in leads.iter().zip(&back) {
            same(original, row, &format!("csv (bom {bom}) line {}", row.line));
        }
    }

    let vcf = to_vcard(&leads);
    let back: Vec<Row> = cards(&vcf).into_iter().map(Result::unwrap).collect();
    assert_eq!(back.len(), leads.len());
    for (original, row) in leads.iter().zip(&back) {
        same(original, row, &format!("vcard card at line {}", row.line));
    }
}
