//! Custom fields through the use cases against a real data folder: defined, valued (and
//! refused with the field named), and written by every export format as a column or key, next
//! to the expected close date.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use leadscout_application::{open_database, ExportFormat, Leadscout};
use leadscout_domain::{
    CustomFieldEdit, FieldKind, LeadEdit, LeadField, NewCustomField, NewLead, SetCustomValue,
    Timestamp,
};
use leadscout_llm::keys::MemoryKeychain;

async fn app(dir: &std::path::Path) -> Leadscout {
    let store = open_database(dir).await.unwrap();
    Leadscout::new(
        store,
        dir.to_path_buf(),
        Arc::new(MemoryKeychain::default()),
    )
}

fn field(name: &str, kind: FieldKind, choices: &[&str]) -> NewCustomField {
    NewCustomField {
        name: name.into(),
        kind,
        choices: choices.iter().map(|c| (*c).to_owned()).collect(),
    }
}

#[tokio::test]
async fn every_export_format_writes_each_custom_field_and_the_expected_close_date() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let draft = NewLead {
        full_name: "Ada Lovelace".into(),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    let ada = app
        .store()
        .create_lead(&draft, Timestamp::now())
        .await
        .unwrap()
        .id;
    app.update_lead(
        ada,
        LeadEdit {
            field: LeadField::ExpectedClose,
            value: Some("2027-03-31".into()),
        },
    )
    .await
    .unwrap();
    let budget = app
        .create_custom_field(field("Budget", FieldKind::Number, &[]))
        .await
        .unwrap();
    let tier = app
        .create_custom_field(field("Tier", FieldKind::Choice, &["Gold", "Silver"]))
        .await
        .unwrap();
    // A name that is also a built-in column gets its own header.
    let source = app
        .create_custom_field(field("source", FieldKind::Url, &[]))
        .await
        .unwrap();
    app.create_custom_field(field("Referrer", FieldKind::Text, &[]))
        .await
        .unwrap();
    for (field, value) in [
        (budget.id, "12 500.75"),
        (tier.id, "gold"),
        (source.id, "https://fair.example.org/leads?id=7"),
    ] {
        app.set_custom_value(SetCustomValue {
            lead_id: ada,
            field_id: field,
            value: value.into(),
        })
        .await
        .unwrap();
    }

    // Refusals name the field and leave the value as it was.
    let err = app
        .set_custom_value(SetCustomValue {
            lead_id: ada,
            field_id: tier.id,
            value: "Platinum".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("value"));
    assert_eq!(
        err.message,
        "Tier must be one of Gold, Silver; \"Platinum\" is not."
    );
    let err = app
        .create_custom_field(field("  ", FieldKind::Text, &[]))
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("name"));
    let err = app
        .update_custom_field(
            tier.id,
            CustomFieldEdit {
                name: None,
                choices: Some(vec!["Silver".into()]),
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.message.starts_with("1 lead holds Gold in Tier"),
        "{err}"
    );

    for format in [ExportFormat::Csv, ExportFormat::CsvExcel] {
        let (bytes, count) = app.export_bytes(format).await.unwrap();
        assert_eq!(count, 1);
        let text = String::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let row: Vec<String> = reader
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let cell = |name: &str| {
            let at = header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("{format:?}: no column {name} in {header:?}"));
            row[at].clone()
        };
        assert_eq!(
            header[header.len() - 4..],
            ["Budget", "Tier", "source (custom)", "Referrer"]
        );
        assert_eq!(cell("Budget"), "12500.75");
        assert_eq!(cell("Tier"), "Gold");
        assert_eq!(
            cell("source (custom)"),
            "https://fair.example.org/leads?id=7"
        );
        assert_eq!(cell("Referrer"), "");
        assert_eq!(cell("Expected Close"), "2027-03-31");
        assert_eq!(cell("Source"), "");
    }

    let (bytes, _) = app.export_bytes(ExportFormat::Json).await.unwrap();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let lead = &json["leads"][0];
    assert_eq!(
        lead["custom"],
        serde_json::json!({
            "Budget": "12500.75",
            "Tier": "Gold",
            "source": "https://fair.example.org/leads?id=7",
        })
    );
    assert_eq!(lead["lead"]["expectedClose"], "2027-03-31");
    let names: Vec<&str> = json["customFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Budget", "Tier", "source", "Referrer"]);
    assert_eq!(
        json["customFields"][1]["choices"],
        serde_json::json!(["Gold", "Silver"])
    );

    // Values and definitions are still there in the folder opened again.
    drop(app);
    let again = self::app(dir.path()).await;
    let detail = again.lead_detail(ada).await.unwrap();
    assert_eq!(detail.custom_values.len(), 3);
    assert_eq!(again.custom_fields().await.unwrap()[0].lead_count, 1);
}

#[tokio::test]
async fn the_expected_close_date_goes_through_export_and_import_into_a_fresh_folder() {
    use leadscout_application::MappingChoice;
    use leadscout_domain::Duplicates;
    use std::sync::atomic::AtomicBool;

    let first = tempfile::tempdir().unwrap();
    let app = app(first.path()).await;
    let draft = NewLead {
        full_name: "Grace Hopper".into(),
        email: Some("grace@navy.example.org".into()),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    let grace = app
        .store()
        .create_lead(&draft, Timestamp::now())
        .await
        .unwrap()
        .id;
    app.update_lead(
        grace,
        LeadEdit {
            field: LeadField::ExpectedClose,
            value: Some("2027-01-15".into()),
        },
    )
    .await
    .unwrap();
    let (bytes, _) = app.export_bytes(ExportFormat::Csv).await.unwrap();
    let file = first.path().join("leads.csv");
    std::fs::write(&file, bytes).unwrap();

    let fresh = tempfile::tempdir().unwrap();
    let other = self::app(fresh.path()).await;
    let preview = other
        .preview_import(&file, &MappingChoice::Suggested)
        .await
        .unwrap();
    let at = preview
        .headers
        .iter()
        .position(|h| h == "Expected Close")
        .unwrap();
    assert_eq!(
        preview.mapping.columns[at],
        Some(leadscout_import::Target::ExpectedClose)
    );
    let summary = other
        .run_import(
            &file,
            &MappingChoice::Suggested,
            Duplicates::Skip,
            None,
            &AtomicBool::new(false),
        )
        .await
        .unwrap();
    assert_eq!(summary.created, 1);
    let imported = other.lead(summary.created_ids[0]).await.unwrap();
    assert_eq!(imported.expected_close.as_deref(), Some("2027-01-15"));
    let grace = imported.id;

    // A CRM's "Close Date" fills an existing lead's empty date in a merge, and a bad date is
    // left out with a warning naming the line.
    let crm = fresh.path().join("crm.csv");
    std::fs::write(
        &crm,
        "Name,Email,Close Date\nGrace Hopper,grace@navy.example.org,2027-02-01\n\
         Ada Lovelace,ada@example.org,31/12/2027\n",
    )
    .unwrap();
    let summary = other
        .run_import(
            &crm,
            &MappingChoice::Suggested,
            Duplicates::Merge,
            None,
            &AtomicBool::new(false),
        )
        .await
        .unwrap();
    assert_eq!((summary.created, summary.merged), (1, 1));
    assert!(
        summary.warnings.iter().any(|w| w.starts_with("line 3:")),
        "{:?}",
        summary.warnings
    );
    // The merge fills only empty fields: Grace's date from the export stays; Ada's bad date
    // was left out.
    let grace = other.lead(grace).await.unwrap();
    assert_eq!(grace.expected_close.as_deref(), Some("2027-01-15"));
    let ada = other.lead(summary.created_ids[0]).await.unwrap();
    assert_eq!(ada.full_name, "Ada Lovelace");
    assert_eq!(ada.expected_close, None);
}

#[tokio::test]
async fn custom_fields_survive_a_csv_round_trip_into_a_fresh_folder() {
    use leadscout_application::MappingChoice;
    use leadscout_domain::Duplicates;
    use std::sync::atomic::AtomicBool;

    let defs = [
        field("Budget", FieldKind::Number, &[]),
        field("Tier", FieldKind::Choice, &["Gold", "Silver"]),
        field("Source", FieldKind::Url, &[]),
        field("Renewal", FieldKind::Date, &[]),
        field("Referrer", FieldKind::Text, &[]),
    ];
    let first = tempfile::tempdir().unwrap();
    let app = app(first.path()).await;
    let mut ids = Vec::new();
    for def in defs.clone() {
        ids.push(app.create_custom_field(def).await.unwrap().id);
    }
    let values = [
        [
            "1200",
            "Gold",
            "https://a.example.com/x",
            "2027-05-01",
            "Met, at \"the\" fair",
        ],
        [
            "-3.5",
            "Silver",
            "http://b.example.com/",
            "1999-12-31",
            "Ünïcode ✓",
        ],
    ];
    let mut leads = Vec::new();
    for (n, row) in values.iter().enumerate() {
        let draft = NewLead {
            full_name: format!("Lead {n}"),
            email: Some(format!("lead{n}@example.com")),
            ..NewLead::default()
        }
        .validate()
        .unwrap();
        let id = app
            .store()
            .create_lead(&draft, Timestamp::now())
            .await
            .unwrap()
            .id;
        for (field, value) in ids.iter().zip(row) {
            app.set_custom_value(SetCustomValue {
                lead_id: id,
                field_id: *field,
                value: (*value).into(),
            })
            .await
            .unwrap();
        }
        leads.push(id);
    }
    let exported: Vec<Vec<String>> = {
        let mut all = Vec::new();
        for id in &leads {
            let detail = app.lead_detail(*id).await.unwrap();
            all.push(detail.custom_values.into_iter().map(|v| v.value).collect());
        }
        all
    };
    let file = first.path().join("leads.csv");
    let (bytes, _) = app.export_bytes(ExportFormat::CsvExcel).await.unwrap();
    std::fs::write(&file, bytes).unwrap();

    // A fresh folder where the user defined the fields (the import preview offers to create
    // them from the columns): every column maps back by its header, every value comes back.
    let fresh = tempfile::tempdir().unwrap();
    let other = self::app(fresh.path()).await;
    for def in defs {
        other.create_custom_field(def).await.unwrap();
    }
    let preview = other
        .preview_import(&file, &MappingChoice::Suggested)
        .await
        .unwrap();
    assert_eq!(preview.mapping.custom.len(), 5, "{:?}", preview.mapping);
    assert!(preview
        .unmapped
        .iter()
        .all(|u| !u.header.contains("Source")));
    // The built-in Source column stays the lead's source.
    let source = preview.headers.iter().position(|h| h == "Source").unwrap();
    assert_eq!(
        preview.mapping.columns[source],
        Some(leadscout_import::Target::Source)
    );
    assert_eq!(preview.warnings, 0);
    let summary = other
        .run_import(
            &file,
            &MappingChoice::Confirmed(preview.mapping.clone()),
            Duplicates::Skip,
            None,
            &AtomicBool::new(false),
        )
        .await
        .unwrap();
    assert_eq!(summary.created, 2);
    let mut imported = Vec::new();
    for id in &summary.created_ids {
        let detail = other.lead_detail(*id).await.unwrap();
        imported.push((
            detail.lead.full_name.clone(),
            detail
                .custom_values
                .into_iter()
                .map(|v| v.value)
                .collect::<Vec<_>>(),
        ));
    }
    imported.sort();
    assert_eq!(
        imported,
        [
            ("Lead 0".to_owned(), exported[0].clone()),
            ("Lead 1".to_owned(), exported[1].clone())
        ]
    );

    // A value that does not fit its field is left out with the field named; the lead imports.
    let bad = fresh.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Name,Email,Budget,Tier\nZed,zed@example.com,lots,Platinum\n",
    )
    .unwrap();
    let summary = other
        .run_import(
            &bad,
            &MappingChoice::Suggested,
            Duplicates::Skip,
            None,
            &AtomicBool::new(false),
        )
        .await
        .unwrap();
    assert_eq!(summary.created, 1);
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.starts_with("line 2: Budget \"lots\" left out")),
        "{:?}",
        summary.warnings
    );
    assert!(summary
        .warnings
        .iter()
        .any(|w| w.contains("Tier must be one of Gold, Silver")));
    let zed = other.lead_detail(summary.created_ids[0]).await.unwrap();
    assert!(zed.custom_values.is_empty());
}

#[tokio::test]
async fn each_column_left_out_suggests_the_field_that_takes_all_its_values() {
    use leadscout_application::MappingChoice;
    use leadscout_domain::Duplicates;
    use leadscout_import::CustomColumn;
    use std::sync::atomic::AtomicBool;

    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let file = dir.path().join("leads.csv");
    std::fs::write(
        &file,
        "Name,Email,Seats,Industry,Renewal,Portal,Zip,Remarks\n\
         Ada,ada@a.example,\"1,200\",SaaS,2027-01-31,https://a.example/portal,02134,Met at the fair\n\
         Grace,grace@b.example,40,Retail,2027-02-28,https://b.example,10001,\n\
         Edsger,edsger@c.example,,saas,,,94105,Wants a demo\n\
         Alan,alan@d.example,7.5,SaaS,2027-12-01,http://d.example/x,00501,Call back in May\n\
         Barbara,barbara@e.example,12,Retail,2028-02-29,https://e.example,60601,Referral\n",
    )
    .unwrap();
    let preview = app
        .preview_import(&file, &MappingChoice::Suggested)
        .await
        .unwrap();
    let suggested: Vec<(&str, FieldKind, Vec<String>)> = preview
        .unmapped
        .iter()
        .map(|u| {
            assert_eq!(preview.headers[u.column as usize], u.header);
            (
                u.header.as_str(),
                u.suggested.kind,
                u.suggested.choices.clone(),
            )
        })
        .collect();
    let none = Vec::<String>::new;
    assert_eq!(
        suggested,
        [
            ("Seats", FieldKind::Number, none()),
            (
                "Industry",
                FieldKind::Choice,
                vec!["SaaS".to_owned(), "Retail".to_owned()]
            ),
            ("Renewal", FieldKind::Date, none()),
            ("Portal", FieldKind::Url, none()),
            ("Zip", FieldKind::Text, none()),
            ("Remarks", FieldKind::Text, none()),
        ]
    );

    // Fields made as suggested take every value: nothing is left out.
    let mut mapping = preview.mapping.clone();
    for u in &preview.unmapped {
        let created = app
            .create_custom_field(NewCustomField {
                name: u.header.clone(),
                kind: u.suggested.kind,
                choices: u.suggested.choices.clone(),
            })
            .await
            .unwrap();
        mapping.custom.push(CustomColumn {
            column: u.column,
            field_id: created.id,
        });
    }
    let confirmed = MappingChoice::Confirmed(mapping);
    let again = app.preview_import(&file, &confirmed).await.unwrap();
    assert_eq!(again.warnings, 0, "{:?}", again.sample);
    assert!(again.unmapped.is_empty(), "{:?}", again.unmapped);
    let summary = app
        .run_import(
            &file,
            &confirmed,
            Duplicates::Skip,
            None,
            &AtomicBool::new(false),
        )
        .await
        .unwrap();
    assert_eq!(summary.created, 5);
    let values: usize = {
        let mut n = 0;
        for id in &summary.created_ids {
            n += app.lead_detail(*id).await.unwrap().custom_values.len();
        }
        n
    };
    assert_eq!(values, 5 * 6 - 4, "every value but the four empty cells");
}

/// The real exports in ../shared/eval/csv: every column an import leaves out, made into the
/// custom field its values suggest, takes every one of its values (no new warning, nothing
/// left out). Prints what each file's columns would become.
#[tokio::test]
async fn fields_suggested_for_real_exports_take_every_value() {
    use leadscout_application::MappingChoice;
    use leadscout_import::CustomColumn;

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/csv");
    let Ok(entries) = std::fs::read_dir(&root) else {
        println!("../shared/eval/csv is not here: skipping the real-export check");
        return;
    };
    let mut files: Vec<_> = entries
        .chain(std::fs::read_dir(root.join("encoding")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    let mut kinds = std::collections::BTreeMap::<&str, u32>::new();
    for file in files {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path()).await;
        let preview = app
            .preview_import(&file, &MappingChoice::Suggested)
            .await
            .unwrap();
        let mut mapping = preview.mapping.clone();
        let mut made = Vec::new();
        for (n, u) in preview.unmapped.iter().enumerate() {
            // Headers can repeat or be too long for a field's name; the values are the point.
            let created = app
                .create_custom_field(NewCustomField {
                    name: format!("Column {n}"),
                    kind: u.suggested.kind,
                    choices: u.suggested.choices.clone(),
                })
                .await
                .unwrap_or_else(|e| panic!("{}: {}: {e}", file.display(), u.header));
            mapping.custom.push(CustomColumn {
                column: u.column,
                field_id: created.id,
            });
            *kinds.entry(u.suggested.kind.as_str()).or_default() += 1;
            made.push(format!("{} as {}", u.header, u.suggested.kind.as_str()));
        }
        let again = app
            .preview_import(&file, &MappingChoice::Confirmed(mapping))
            .await
            .unwrap();
        println!("{}: {}", file.display(), made.join(", "));
        let before: Vec<&String> = preview.sample.iter().flat_map(|r| &r.warnings).collect();
        let new: Vec<&String> = again
            .sample
            .iter()
            .flat_map(|r| &r.warnings)
            .filter(|w| !before.contains(w))
            .collect();
        assert_eq!(
            again.warnings,
            preview.warnings,
            "{}: {new:?}",
            file.display()
        );
        assert!(again.unmapped.is_empty(), "{}", file.display());
    }
    println!("columns by suggested kind: {kinds:?}");
}
