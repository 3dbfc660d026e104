//! Column mapping on the exports people bring: Google Contacts' current and legacy formats
//! (label/value pairs), Salesforce's and Zoho's contact exports, and files saved by Excel for
//! the Mac. No value is dropped without the preview counting it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use leadscout_domain::{FieldValue, LeadField};
use leadscout_import::{rows, rows_from_reader, sniff, suggest, unmapped_columns, Row, Target};

fn text(row: &Row, field: LeadField) -> Option<String> {
    row.values.iter().find_map(|v| match v {
        FieldValue::Text(f, t) if *f == field => t.clone(),
        FieldValue::Website(u) if field == LeadField::Website => u.as_ref().map(|u| u.to_string()),
        _ => None,
    })
}

fn read(csv: &str) -> (Vec<String>, leadscout_import::Mapping, Vec<Row>) {
    let sniffed = sniff(csv).unwrap();
    let mapping = suggest(&sniffed.headers);
    let rows = rows(csv, &sniffed, &mapping)
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (sniffed.headers, mapping, rows)
}

/// The header row of Google Contacts' export as of 2024 (contacts.google.com, "Google CSV").
const GOOGLE_HEADERS: &str = "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address,Website 1 - Label,Website 1 - Value";

#[test]
fn google_contacts_current_export_keeps_names_emails_and_phones() {
    let csv = format!(
        "{GOOGLE_HEADERS}\n\
         Ada,King,Lovelace,,,,Lady,,,,Analytical Engines,Countess,Research,,Met in London,,* myContacts,\
         * Work,ada@engines.example,Home,ada@home.example,Mobile,+44 20 7946 0958,Work,+44 20 7946 0000,\
         Work,\"1 Main St\",1 Main St,London,,,N1,UK,,Work,https://engines.example\n"
    );
    let (headers, mapping, rows) = read(&csv);
    assert_eq!(mapping.preset.as_deref(), Some("Google Contacts"));
    let column = |h: &str| mapping.columns[headers.iter().position(|x| x == h).unwrap()];
    assert_eq!(column("Phone 1 - Label"), None);
    assert_eq!(column("Phone 1 - Value"), Some(Target::Phone));
    assert_eq!(column("E-mail 1 - Label"), None);
    assert_eq!(column("Address 1 - Street"), None);
    let ada = &rows[0];
    assert_eq!(ada.full_name, "Ada King Lovelace");
    assert!(ada.warnings.is_empty(), "{:?}", ada.warnings);
    assert_eq!(
        text(ada, LeadField::Email).as_deref(),
        Some("ada@engines.example")
    );
    assert_eq!(
        text(ada, LeadField::Phone).as_deref(),
        Some("+442079460958")
    );
    assert_eq!(
        text(ada, LeadField::CompanyName).as_deref(),
        Some("Analytical Engines")
    );
    assert_eq!(text(ada, LeadField::Title).as_deref(), Some("Countess"));
    // The second address and number are kept in the note, not dropped.
    let note = ada.note.as_deref().unwrap();
    assert!(note.contains("Met in London"), "{note}");
    assert!(note.contains("ada@home.example"), "{note}");
    assert!(note.contains("+44 20 7946 0000"), "{note}");
    // What is not imported is counted: the prefix, the labels of unmapped columns, the address.
    let left: Vec<&str> = ada
        .unmapped
        .iter()
        .map(|(i, _)| headers[*i].as_str())
        .collect();
    assert!(left.contains(&"Name Prefix"), "{left:?}");
    assert!(left.contains(&"Address 1 - Street"), "{left:?}");
    assert!(!left.contains(&"Phone 1 - Label"), "{left:?}");
}

#[test]
fn name_parts_found_by_their_words_go_together() {
    let (_, mapping, rows) =
        read("Given name,Middle,Surname,Mail\nGrace,Brewster,Hopper,g@navy.example\n");
    assert_eq!(mapping.preset, None);
    assert_eq!(
        mapping.columns,
        [
            Some(Target::FirstName),
            Some(Target::MiddleName),
            Some(Target::LastName),
            Some(Target::Email)
        ]
    );
    assert_eq!(rows[0].full_name, "Grace Brewster Hopper");
}

#[test]
fn salesforce_contact_export_never_takes_the_mailing_address_as_email() {
    let csv = "Id,AccountId,LastName,FirstName,Salutation,Name,MailingStreet,MailingCity,MailingState,MailingPostalCode,MailingCountry,Phone,MobilePhone,Email,Title,Department,LeadSource,Description\n\
        003x1,001x1,Lovelace,Ada,Ms.,Ada Lovelace,12 St James's Square,London,,SW1Y 4JH,UK,,+44 7700 900123,ada@engines.example,CTO,R&D,Web,Met at a conference\n";
    let (headers, mapping, rows) = read(csv);
    assert_eq!(mapping.preset.as_deref(), Some("Salesforce"));
    for street in [
        "MailingStreet",
        "MailingCity",
        "MailingPostalCode",
        "MailingCountry",
    ] {
        let i = headers.iter().position(|h| h == street).unwrap();
        assert_eq!(mapping.columns[i], None, "{street}");
    }
    let ada = &rows[0];
    assert!(ada.warnings.is_empty(), "{:?}", ada.warnings);
    assert_eq!(
        text(ada, LeadField::Email).as_deref(),
        Some("ada@engines.example")
    );
    assert_eq!(
        text(ada, LeadField::Phone).as_deref(),
        Some("+447700900123")
    );
    assert_eq!(
        ada.unmapped.len(),
        8,
        "Id, AccountId, Salutation, four address parts, Department"
    );
}

#[test]
fn zoho_export_is_read_with_zohos_preset() {
    // Zoho CRM's Contacts export (Setup > Data Administration > Export).
    let csv = "Record Id,Contact Owner,Lead Source,First Name,Last Name,Account Name,Email,Title,Department,Phone,Mobile,Email Opt Out,Skype ID,Mailing Street,Mailing City,Mailing Zip,Mailing Country,Description\n\
        zcrm_1,Me,Trade Show,Grace,Hopper,Navy Labs,grace@navy.example,Rear Admiral,Research,,+1 202 555 0100,false,,1 Navy Way,Arlington,22202,USA,Compilers\n";
    let (_, mapping, rows) = read(csv);
    assert_eq!(mapping.preset.as_deref(), Some("Zoho CRM"));
    let grace = &rows[0];
    assert_eq!(grace.full_name, "Grace Hopper");
    assert_eq!(
        text(grace, LeadField::CompanyName).as_deref(),
        Some("Navy Labs")
    );
    assert_eq!(
        text(grace, LeadField::Source).as_deref(),
        Some("Trade Show")
    );
    assert_eq!(
        text(grace, LeadField::Phone).as_deref(),
        Some("+12025550100")
    );
}

#[test]
fn common_company_words_name_the_company_and_address_parts_nothing() {
    let headers: Vec<String> = [
        "Name",
        "Business",
        "Business Phone",
        "Business Fax",
        "Business Street",
        "Company Name for Emails",
        "E-mail",
        "Email Type",
    ]
    .map(str::to_owned)
    .to_vec();
    let mapping = suggest(&headers);
    assert_eq!(
        mapping.columns,
        [
            Some(Target::FullName),
            Some(Target::CompanyName),
            Some(Target::Phone),
            None,
            None,
            None,
            Some(Target::Email),
            None
        ]
    );
    // The type of a mapped email is not a lost value; a fax is.
    assert_eq!(unmapped_columns(&headers, &mapping), [3, 4, 5]);
}

#[test]
fn a_refused_email_gives_way_to_the_next_valid_one() {
    let (_, _, rows) = read("Name,Email Work,Email Home\nAda,not an address,ada@home.example\n");
    let ada = &rows[0];
    assert_eq!(
        text(ada, LeadField::Email).as_deref(),
        Some("ada@home.example")
    );
    assert_eq!(ada.warnings.len(), 1, "{:?}", ada.warnings);
    let (_, _, rows) = read("Name,Email\nAda,\"\"\"Ada Lovelace\"\" <ada@engines.example>\"\n");
    assert_eq!(
        text(&rows[0], LeadField::Email).as_deref(),
        Some("ada@engines.example")
    );
}

#[test]
fn cr_only_files_report_each_rows_own_line() {
    // Excel's "CSV (Macintosh)" ends lines with a bare CR.
    let csv = "Name,Email\rAda,ada@example.com\r,\rGrace,\"two\rlines\"\rLinus,not-an-email\r";
    let sniffed = sniff(csv).unwrap();
    assert!(sniffed.cr_only);
    assert_eq!(sniffed.headers, ["Name", "Email"]);
    let mapping = suggest(&sniffed.headers);
    let lines = |rows: Vec<Result<Row, leadscout_import::RowProblem>>| -> Vec<u64> {
        rows.into_iter()
            .map(|r| r.map_or_else(|p| p.line, |r| r.line))
            .collect()
    };
    let whole = lines(rows(csv, &sniffed, &mapping).collect());
    assert_eq!(whole, [2, 4, 6]);
    let streamed =
        lines(rows_from_reader(csv.as_bytes(), encoding_rs::UTF_8, &sniffed, &mapping).collect());
    assert_eq!(streamed, [2, 4, 6]);
}

#[test]
fn google_legacy_export_takes_values_not_their_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/csv");
    let Ok(csv) = std::fs::read_to_string(root.join("google-contacts-legacy-export.roundcube.csv"))
    else {
        println!("../shared/eval/csv is not here: skipping the Google legacy export check");
        return;
    };
    let (headers, mapping, rows) = read(&csv);
    assert_eq!(mapping.preset.as_deref(), Some("Google Contacts (legacy)"));
    let row = &rows[0];
    assert_eq!(row.full_name, "Prefix Firstname Middle Lastname Suffix");
    assert_eq!(text(row, LeadField::Email).as_deref(), Some("home@aaa.pl"));
    assert_eq!(
        text(row, LeadField::CompanyName).as_deref(),
        Some("company")
    );
    assert_eq!(text(row, LeadField::Title).as_deref(), Some("jobtitle"));
    // The phone values of this file are words ("pager"): each is refused on its own, and no
    // type ("Pager", "Main") is ever read as a number.
    for warning in &row.warnings {
        assert!(
            !warning.contains("\"Pager\"") && !warning.contains("\"Main\""),
            "{warning}"
        );
    }
    let note = row.note.as_deref().unwrap();
    for other in ["work@email.pl", "unknown@email.com", "other@email.com"] {
        assert!(note.contains(other), "{note}");
    }
    let left: Vec<&str> = row
        .unmapped
        .iter()
        .map(|(i, _)| headers[*i].as_str())
        .collect();
    assert!(left.contains(&"Address 1 - Street"), "{left:?}");
    assert!(!left.contains(&"E-mail 2 - Type"), "{left:?}");
}

#[test]
fn common_headers_alone_name_no_preset() {
    // First Name, Last Name and Email are in half the presets: nothing says which tool wrote it.
    let (_, mapping, rows) =
        read("id,first_name,last_name,email\n1,Ada,Lovelace,ada@engines.example\n");
    assert_eq!(mapping.preset, None);
    assert_eq!(rows[0].full_name, "Ada Lovelace");
    let apollo = suggest(
        &[
            "First Name",
            "Last Name",
            "Title",
            "Company",
            "Company Name for Emails",
            "Email",
            "Email Status",
            "Mobile Phone",
            "Person Linkedin Url",
        ]
        .map(str::to_owned),
    );
    assert_eq!(apollo.preset.as_deref(), Some("Apollo"));
}
