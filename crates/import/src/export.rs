//! Getting everything out: CSV (every lead field; a UTF-8 BOM on request so Excel reads accents
//! right), JSON (everything, research and timeline included) and vCard 3.0 (for address books).

use std::collections::HashMap;

use leadscout_domain::{CustomField, LeadDetail, Pipeline, Stage, Timestamp};
use serde::Serialize;

/// The CSV header, in column order, before one column per custom field. Importing the file
/// again maps every column back.
pub const CSV_COLUMNS: [&str; 21] = [
    "Full Name",
    "Title",
    "Email",
    "Phone",
    "LinkedIn",
    "Company",
    "Website",
    "Pipeline",
    "Stage",
    "Deal Value",
    "Currency",
    "Next Step",
    "Next Step Due",
    "Expected Close",
    "Tags",
    "Source",
    "Notes",
    "Created",
    "Updated",
    "Closed",
    "Lost Reason",
];

fn iso(t: Timestamp) -> String {
    // Milliseconds since the epoch as an ISO 8601 UTC date-time, without a date library.
    let secs = t.0.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if mo <= 2 { y + 1 } else { y };
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}Z")
}

fn money(minor: Option<i64>) -> String {
    minor.map_or_else(String::new, |v| {
        let sign = if v < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", v.abs() / 100, v.abs() % 100)
    })
}

/// Why a lost deal was lost, as one cell: the reason's label, then the user's words.
fn lost_reason(lead: &leadscout_domain::Lead) -> String {
    match (lead.lost_reason, &lead.lost_note) {
        (Some(reason), Some(note)) => format!("{}: {note}", reason.label()),
        (Some(reason), None) => reason.label().to_owned(),
        (None, _) => String::new(),
    }
}

/// A custom field's column header: its name, unless that is one of the built-in columns
/// (a field called "Source"), which gets ` (custom)` after it. The import maps both back.
pub fn custom_column(field: &CustomField) -> String {
    if CSV_COLUMNS
        .iter()
        .any(|c| c.eq_ignore_ascii_case(&field.name))
    {
        format!("{} (custom)", field.name)
    } else {
        field.name.clone()
    }
}

/// Each lead's custom values by field id.
fn custom_cells(detail: &LeadDetail) -> HashMap<i64, &str> {
    detail
        .custom_values
        .iter()
        .map(|v| (v.field_id.0, v.value.as_str()))
        .collect()
}

/// The leads as CSV text: the built-in columns, then one per custom field in the fields' order.
/// Each lead's pipeline and stage are named (a stage's name is unique within its pipeline).
pub fn to_csv(
    leads: &[LeadDetail],
    pipelines: &[Pipeline],
    stages: &[Stage],
    fields: &[CustomField],
    excel_bom: bool,
) -> Result<Vec<u8>, String> {
    let pipeline_names: HashMap<i64, &str> = pipelines
        .iter()
        .map(|p| (p.id.0, p.name.as_str()))
        .collect();
    let names: HashMap<i64, (&str, &str)> = stages
        .iter()
        .map(|s| {
            let pipeline = pipeline_names.get(&s.pipeline_id.0).copied();
            (s.id.0, (pipeline.unwrap_or_default(), s.name.as_str()))
        })
        .collect();
    let mut out = Vec::new();
    if excel_bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut writer = csv::Writer::from_writer(out);
    let header: Vec<String> = CSV_COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .chain(fields.iter().map(custom_column))
        .collect();
    writer.write_record(&header).map_err(|e| e.to_string())?;
    for detail in leads {
        let l = &detail.lead;
        let notes: Vec<&str> = detail
            .activities
            .iter()
            .filter(|a| a.kind == leadscout_domain::ActivityKind::Note)
            .map(|a| a.body.as_str())
            .collect();
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let custom = custom_cells(detail);
        let mut row: Vec<String> = vec![
            l.full_name.clone(),
            opt(&l.title),
            opt(&l.email),
            opt(&l.phone),
            opt(&l.linkedin_url),
            opt(&l.company_name),
            opt(&l.website),
            names
                .get(&l.stage_id.0)
                .map_or_else(String::new, |(p, _)| (*p).to_owned()),
            names
                .get(&l.stage_id.0)
                .map_or_else(String::new, |(_, n)| (*n).to_owned()),
            money(l.deal_value),
            l.currency.clone(),
            opt(&l.next_step),
            opt(&l.next_step_due),
            opt(&l.expected_close),
            l.tags.join(", "),
            opt(&l.source),
            notes.join("\n\n"),
            iso(l.created_at),
            iso(l.updated_at),
            l.closed_at.map(iso).unwrap_or_default(),
            lost_reason(l),
        ];
        row.extend(fields.iter().map(|f| {
            custom
                .get(&f.id.0)
                .map_or_else(String::new, |v| (*v).to_owned())
        }));
        writer.write_record(&row).map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonExport<'a> {
    format: &'static str,
    version: u32,
    exported_at: String,
    pipelines: &'a [Pipeline],
    stages: &'a [Stage],
    custom_fields: &'a [CustomField],
    leads: Vec<JsonLead<'a>>,
}

/// A lead as [`LeadDetail`] spells it, with `custom`: its custom values keyed by field name.
#[derive(Serialize)]
struct JsonLead<'a> {
    #[serde(flatten)]
    detail: &'a LeadDetail,
    custom: std::collections::BTreeMap<&'a str, &'a str>,
}

/// Everything, as JSON: pipelines, stages (each naming its pipeline), custom field definitions,
/// and each lead with its company, research, timeline and custom values.
pub fn to_json(
    leads: &[LeadDetail],
    pipelines: &[Pipeline],
    stages: &[Stage],
    fields: &[CustomField],
    now: Timestamp,
) -> Result<Vec<u8>, String> {
    let names: HashMap<i64, &str> = fields.iter().map(|f| (f.id.0, f.name.as_str())).collect();
    serde_json::to_vec_pretty(&JsonExport {
        format: "leadscout-export",
        version: 1,
        exported_at: iso(now),
        pipelines,
        stages,
        custom_fields: fields,
        leads: leads
            .iter()
            .map(|detail| JsonLead {
                detail,
                custom: detail
                    .custom_values
                    .iter()
                    .filter_map(|v| Some((*names.get(&v.field_id.0)?, v.value.as_str())))
                    .collect(),
            })
            .collect(),
    })
    .map_err(|e| e.to_string())
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace(',', "\\,")
        .replace(';', "\\;")
        .replace('\r', "")
}

/// Folds a content line at 75 octets (never inside a UTF-8 character), as RFC 2426 asks.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// The leads as vCard 3.0 cards.
pub fn to_vcard(leads: &[LeadDetail]) -> String {
    let mut out = String::new();
    for detail in leads {
        let l = &detail.lead;
        let (given, family) = match l.full_name.rsplit_once(' ') {
            Some((given, family)) => (given, family),
            None => (l.full_name.as_str(), ""),
        };
        out.push_str("BEGIN:VCARD\r\nVERSION:3.0\r\n");
        fold(&format!("FN:{}", escape(&l.full_name)), &mut out);
        fold(
            &format!("N:{};{};;;", escape(family), escape(given)),
            &mut out,
        );
        let mut line = |name: &str, value: &Option<String>| {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                fold(&format!("{name}:{}", escape(v)), &mut out);
            }
        };
        line("ORG", &l.company_name);
        line("TITLE", &l.title);
        line("EMAIL;TYPE=INTERNET,WORK", &l.email);
        line("TEL;TYPE=WORK,VOICE", &l.phone);
        line("URL", &l.website);
        line("URL;TYPE=linkedin", &l.linkedin_url);
        let notes: Vec<&str> = detail
            .activities
            .iter()
            .filter(|a| a.kind == leadscout_domain::ActivityKind::Note)
            .map(|a| a.body.as_str())
            .collect();
        if !notes.is_empty() {
            line("NOTE", &Some(notes.join("\n\n")));
        }
        out.push_str("END:VCARD\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_money_are_written_plainly() {
        assert_eq!(iso(Timestamp(0)), "1970-01-01T00:00:00Z");
        assert_eq!(iso(Timestamp(1_795_000_000_000)), "2026-11-18T11:06:40Z");
        assert_eq!(iso(Timestamp(951_782_400_000)), "2000-02-29T00:00:00Z");
        assert_eq!(money(Some(1_250_050)), "12500.50");
        assert_eq!(money(None), "");
    }

    #[test]
    fn a_closed_deal_exports_its_date_and_lost_reason() {
        let detail: LeadDetail = serde_json::from_value(serde_json::json!({
            "lead": {
                "id": 1, "fullName": "Ada", "title": null, "email": null, "phone": null,
                "linkedinUrl": null, "companyId": null, "companyName": null, "website": null,
                "source": null, "stageId": 6, "position": 0, "dealValue": null, "currency": "USD",
                "nextStep": null, "nextStepDue": null, "tags": [], "researchedFields": [],
                "closedAt": 1_795_000_000_000_i64, "lostReason": "competitor",
                "lostNote": "Chose HubSpot", "createdAt": 0, "updatedAt": 0
            },
            "company": null, "research": null, "activities": []
        }))
        .unwrap();
        let csv = String::from_utf8(to_csv(&[detail], &[], &[], &[], false).unwrap()).unwrap();
        let mut lines = csv.lines();
        assert!(lines.next().unwrap().ends_with(",Closed,Lost Reason"));
        assert!(lines
            .next()
            .unwrap()
            .ends_with(",2026-11-18T11:06:40Z,Went with a competitor: Chose HubSpot"));
    }

    #[test]
    fn vcard_lines_fold_without_splitting_characters() {
        let mut out = String::new();
        fold(&format!("NOTE:{}", "é".repeat(60)), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 76, "{}", line.len());
        }
        assert_eq!(
            out.replace("\r\n ", "").trim_end(),
            format!("NOTE:{}", "é".repeat(60))
        );
    }
}
