//! Which column holds which lead field: presets for the exports salespeople bring, then a
//! reading of header words for everything else.

use serde::{Deserialize, Serialize};
use specta::Type;

/// What a column can become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Target {
    FullName,
    FirstName,
    MiddleName,
    LastName,
    Email,
    Phone,
    Title,
    CompanyName,
    Website,
    LinkedIn,
    Source,
    Notes,
    /// The deal's expected close date (`YYYY-MM-DD`).
    ExpectedClose,
}

/// A target per column (`None`: not imported), and the preset that suggested it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Mapping {
    pub columns: Vec<Option<Target>>,
    pub preset: Option<String>,
    /// Columns imported into custom fields (their `columns` entry is `None`).
    #[serde(default)]
    pub custom: Vec<CustomColumn>,
}

/// A column whose values go into a custom field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CustomColumn {
    /// 0-based index of the column.
    pub column: u32,
    pub field_id: leadscout_domain::CustomFieldId,
}

impl Mapping {
    pub(crate) fn columns_for(&self, target: Target) -> impl Iterator<Item = usize> + '_ {
        self.columns
            .iter()
            .enumerate()
            .filter(move |(_, t)| **t == Some(target))
            .map(|(i, _)| i)
    }
}

type Preset = (&'static str, &'static [(&'static str, Target)]);

/// Exact headers of known exports (compared ignoring case, spaces and punctuation). A preset is
/// chosen when its headers cover the file's name and email columns best; [`MARKERS`] break ties
/// between exports that share their common headers (HubSpot's and Zoho's `First Name`, `Email`).
pub const PRESETS: &[Preset] = &[
    (
        "Zoho CRM",
        &[
            ("First Name", Target::FirstName),
            ("Last Name", Target::LastName),
            ("Email", Target::Email),
            ("Secondary Email", Target::Email),
            ("Phone", Target::Phone),
            ("Mobile", Target::Phone),
            ("Home Phone", Target::Phone),
            ("Other Phone", Target::Phone),
            ("Title", Target::Title),
            ("Account Name", Target::CompanyName),
            ("Company", Target::CompanyName),
            ("Website", Target::Website),
            ("Lead Source", Target::Source),
            ("Description", Target::Notes),
            ("Closing Date", Target::ExpectedClose),
        ],
    ),
    (
        "Google Contacts",
        &[
            ("First Name", Target::FirstName),
            ("Middle Name", Target::MiddleName),
            ("Last Name", Target::LastName),
            ("Organization Name", Target::CompanyName),
            ("Organization Title", Target::Title),
            ("E-mail 1 - Value", Target::Email),
            ("E-mail 2 - Value", Target::Email),
            ("E-mail 3 - Value", Target::Email),
            ("Phone 1 - Value", Target::Phone),
            ("Phone 2 - Value", Target::Phone),
            ("Phone 3 - Value", Target::Phone),
            ("Website 1 - Value", Target::Website),
            ("Notes", Target::Notes),
        ],
    ),
    (
        "HubSpot",
        &[
            ("First Name", Target::FirstName),
            ("Last Name", Target::LastName),
            ("Email", Target::Email),
            ("Phone Number", Target::Phone),
            ("Job Title", Target::Title),
            ("Company Name", Target::CompanyName),
            ("Website URL", Target::Website),
            ("Original Source", Target::Source),
            ("Close Date", Target::ExpectedClose),
        ],
    ),
    (
        "Salesforce",
        &[
            ("FirstName", Target::FirstName),
            ("LastName", Target::LastName),
            ("Name", Target::FullName),
            ("Email", Target::Email),
            ("Phone", Target::Phone),
            ("MobilePhone", Target::Phone),
            ("HomePhone", Target::Phone),
            ("OtherPhone", Target::Phone),
            ("Title", Target::Title),
            ("Company", Target::CompanyName),
            ("Account.Name", Target::CompanyName),
            ("Website", Target::Website),
            ("LeadSource", Target::Source),
            ("Description", Target::Notes),
            // Data Loader writes `CLOSEDATE`, reports `Close Date`: headers compare without
            // case or punctuation, so this one entry reads all three.
            ("CloseDate", Target::ExpectedClose),
        ],
    ),
    (
        "Pipedrive",
        &[
            ("Person - Name", Target::FullName),
            ("Person - Email", Target::Email),
            ("Person - Phone", Target::Phone),
            ("Person - Job title", Target::Title),
            ("Organization - Name", Target::CompanyName),
            ("Organization - Website", Target::Website),
            ("Deal - Expected close date", Target::ExpectedClose),
        ],
    ),
    (
        "LinkedIn Connections",
        &[
            ("First Name", Target::FirstName),
            ("Last Name", Target::LastName),
            ("URL", Target::LinkedIn),
            ("Email Address", Target::Email),
            ("Company", Target::CompanyName),
            ("Position", Target::Title),
        ],
    ),
    (
        "Google Contacts (legacy)",
        &[
            ("Name", Target::FullName),
            ("Given Name", Target::FirstName),
            ("Additional Name", Target::MiddleName),
            ("Family Name", Target::LastName),
            ("E-mail 1 - Value", Target::Email),
            ("Phone 1 - Value", Target::Phone),
            ("Organization 1 - Name", Target::CompanyName),
            ("Organization 1 - Title", Target::Title),
            ("Website 1 - Value", Target::Website),
            ("Notes", Target::Notes),
        ],
    ),
    (
        "Outlook",
        &[
            ("First Name", Target::FirstName),
            ("Last Name", Target::LastName),
            ("E-mail Address", Target::Email),
            ("Company", Target::CompanyName),
            ("Job Title", Target::Title),
            ("Business Phone", Target::Phone),
            ("Mobile Phone", Target::Phone),
            ("Primary Phone", Target::Phone),
            ("Email Work", Target::Email),
            ("Email Home", Target::Email),
            ("Web Page", Target::Website),
            ("Notes", Target::Notes),
        ],
    ),
    (
        "Thunderbird",
        &[
            ("First Name", Target::FirstName),
            ("Last Name", Target::LastName),
            ("Primary Email", Target::Email),
            ("Work Phone", Target::Phone),
            ("Mobile Number", Target::Phone),
            ("Job Title", Target::Title),
            ("Organization", Target::CompanyName),
            ("Web Page 1", Target::Website),
            ("Notes", Target::Notes),
        ],
    ),
    (
        "Outlook (Japanese)",
        &[
            ("名", Target::FirstName),
            ("姓", Target::LastName),
            ("会社名", Target::CompanyName),
            ("役職", Target::Title),
            ("電子メール アドレス", Target::Email),
            ("会社電話", Target::Phone),
            ("携帯電話", Target::Phone),
            ("Web ページ", Target::Website),
            ("メモ", Target::Notes),
        ],
    ),
    (
        "Apollo",
        &[
            ("First Name", Target::FirstName),
            ("Last Name", Target::LastName),
            ("Title", Target::Title),
            ("Company", Target::CompanyName),
            ("Email", Target::Email),
            ("Work Direct Phone", Target::Phone),
            ("Mobile Phone", Target::Phone),
            ("Corporate Phone", Target::Phone),
            ("Home Phone", Target::Phone),
            ("Other Phone", Target::Phone),
            ("Person Linkedin Url", Target::LinkedIn),
            ("Website", Target::Website),
        ],
    ),
];

/// Headers that name the export they come from without holding a lead field: they break ties
/// between presets whose common headers are the same.
const MARKERS: &[(&str, &[&str])] = &[
    (
        "Zoho CRM",
        &["Email Opt Out", "Skype ID", "Modified By", "Record Id"],
    ),
    (
        "HubSpot",
        &["Lifecycle Stage", "Associated Company", "Contact owner"],
    ),
    (
        "Google Contacts",
        &[
            "File As",
            "Phonetic First Name",
            "Labels",
            "E-mail 1 - Label",
        ],
    ),
    (
        "Apollo",
        &[
            "Email Status",
            "Company Name for Emails",
            "Seniority",
            "Apollo Contact Id",
        ],
    ),
    (
        "Salesforce",
        &[
            "AccountId",
            "OwnerId",
            "IsDeleted",
            "MasterRecordId",
            "MailingStreet",
        ],
    ),
];

fn key(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The label half of a label/value pair (`Phone 1 - Label`, `E-mail 1 - Type`): it says what
/// kind of number or address sits in its value column, and is never the value itself.
fn is_label(header: &str) -> bool {
    let words: Vec<String> = header
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.len() > 1 && matches!(words.last().map(String::as_str), Some("label" | "type"))
}

/// The column whose label `header` is: the same header with `Value` in place of its last word
/// (`Phone 1 - Value`), or without it (`Email` for `Email Type`).
fn value_of_label(headers: &[String], label: usize) -> Option<usize> {
    let header = headers.get(label)?;
    let k = key(header);
    let stem = k.strip_suffix("label").or_else(|| k.strip_suffix("type"))?;
    let value = format!("{stem}value");
    headers
        .iter()
        .position(|h| key(h) == value)
        .or_else(|| headers.iter().position(|h| key(h) == stem))
}

/// A postal address part: never an email (Salesforce's `MailingStreet` holds "mail"), never a
/// company (`Company Address`), never a phone.
fn is_address(k: &str) -> bool {
    let has = |words: &[&str]| words.iter().any(|w| k.contains(w));
    has(&[
        "street",
        "city",
        "postalcode",
        "postcode",
        "zip",
        "country",
        "region",
        "province",
        "mailing",
        "billing",
        "shipping",
        "pobox",
    ]) || k == "state"
        || k.ends_with("state")
        || (has(&["address"]) && !has(&["email", "mailaddress", "web", "url"]))
}

/// A target from header words, for files no preset knows.
fn guess(header: &str) -> Option<Target> {
    if is_label(header) {
        return None;
    }
    let k = key(header);
    let has = |words: &[&str]| words.iter().any(|w| k.contains(w));
    if is_address(&k) {
        return None;
    }
    Some(
        if k == "name"
            || k == "fullname"
            || k == "displayname"
            || k == "contactname"
            || k == "personname"
        {
            Target::FullName
        } else if has(&["closedate", "closingdate"]) || k == "expectedclose" || k == "closes" {
            // "Close Date" (Salesforce, HubSpot), "Expected close date" (Pipedrive, Leadscout's
            // own "Expected Close"), "Closing Date" (Zoho).
            Target::ExpectedClose
        } else if has(&["phonetic", "yomi", "nameprefix", "namesuffix", "nickname"]) {
            // Readings and forms of the name, not parts of it.
            return None;
        } else if has(&["firstname", "givenname", "forename"]) || k == "first" {
            Target::FirstName
        } else if has(&["middlename", "additionalname"]) || k == "middle" {
            Target::MiddleName
        } else if has(&["lastname", "familyname", "surname"]) || k == "last" {
            Target::LastName
        } else if has(&["linkedin"]) {
            Target::LinkedIn
        } else if (has(&["email"]) || k == "mail" || k.starts_with("mailaddress"))
            && !has(&[
                "status",
                "confidence",
                "verified",
                "opt",
                "bounce",
                "company",
                "domain",
            ])
        {
            Target::Email
        } else if (has(&["phone", "mobile", "tel"]) || k.starts_with("cell"))
            && !has(&["fax", "assistant", "manager"])
        {
            Target::Phone
        } else if has(&["jobtitle", "title", "position", "role"]) {
            Target::Title
        } else if (k == "org"
            || has(&[
                "company",
                "organization",
                "organisation",
                "account",
                "employer",
                "business",
                "firm",
                "workplace",
            ]))
            && !has(&[
                "owner",
                "id",
                "email",
                "fax",
                "phone",
                "department",
                "division",
                "website",
                "url",
                "domain",
                "number",
                "type",
                "size",
                "employees",
                "revenue",
                "industry",
            ])
        {
            Target::CompanyName
        } else if has(&["website", "webpage", "domain", "url", "homepage"]) {
            Target::Website
        } else if has(&["leadsource", "source"]) {
            Target::Source
        } else if has(&["notes", "note", "comment", "description", "memo"]) {
            Target::Notes
        } else {
            return None;
        },
    )
}

/// Targets that several columns may feed: the first valid email and phone win (the others go
/// to the note), notes are joined.
fn repeatable(target: Target) -> bool {
    matches!(target, Target::Email | Target::Phone | Target::Notes)
}

/// The best mapping for these headers: the preset that maps most of them (when it maps a name
/// and finds at least three columns), else header words. A target is used once, except phone,
/// email and notes; a full name is never mapped beside first, middle and last names.
pub fn suggest(headers: &[String]) -> Mapping {
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    let mut best: Option<(usize, &str, Vec<Option<Target>>)> = None;
    let mut tied = false;
    for (name, fields) in PRESETS {
        let columns: Vec<Option<Target>> = keys
            .iter()
            .map(|k| fields.iter().find(|(h, _)| key(h) == *k).map(|(_, t)| *t))
            .collect();
        let hits = columns.iter().flatten().count();
        let named = columns.iter().flatten().any(|t| {
            matches!(
                t,
                Target::FullName | Target::FirstName | Target::LastName | Target::Email
            )
        });
        let marked = MARKERS
            .iter()
            .filter(|(preset, _)| preset == name)
            .flat_map(|(_, markers)| markers.iter())
            .filter(|m| keys.contains(&key(m)))
            .count();
        let score = hits * 2 + marked;
        if !named || hits < 3 {
            continue;
        }
        match &best {
            Some((b, ..)) if score < *b => {}
            // Two exports that fit as well: nothing says which tool wrote the file, so no preset
            // is named, and header words map it (the same columns the tied presets would).
            Some((b, ..)) if score == *b => tied = true,
            _ => {
                best = Some((score, name, columns));
                tied = false;
            }
        }
    }
    let (preset, preset_columns) = match best {
        Some((_, name, columns)) if !tied => (Some(name.to_owned()), columns),
        _ => (None, vec![None; headers.len()]),
    };
    // Header words fill what the preset does not know, never a target it already placed
    // (except the repeatable ones).
    let mut used: Vec<Target> = preset_columns.iter().flatten().copied().collect();
    let columns = headers
        .iter()
        .zip(preset_columns)
        .map(|(h, preset)| {
            if preset.is_some() {
                return preset;
            }
            let target = guess(h)?;
            if !repeatable(target) && used.contains(&target) {
                return None;
            }
            // A full name next to name parts (or the other way) would double them; first,
            // middle and last names go together.
            let parts = [Target::FirstName, Target::MiddleName, Target::LastName];
            let clash = if target == Target::FullName {
                used.iter().any(|u| parts.contains(u))
            } else {
                parts.contains(&target) && used.contains(&Target::FullName)
            };
            if clash {
                return None;
            }
            used.push(target);
            Some(target)
        })
        .collect();
    Mapping {
        columns,
        preset,
        custom: Vec::new(),
    }
}

/// The mapping of the preset called `name` (any case), for a user who says which tool wrote
/// the file: its known headers mapped, the rest left out. `None` for a name no preset has.
pub fn preset_mapping(name: &str, headers: &[String]) -> Option<Mapping> {
    let (preset, fields) = PRESETS
        .iter()
        .find(|(preset, _)| preset.eq_ignore_ascii_case(name.trim()))?;
    let columns = headers
        .iter()
        .map(|h| {
            let k = key(h);
            fields.iter().find(|(f, _)| key(f) == k).map(|(_, t)| *t)
        })
        .collect();
    Some(Mapping {
        columns,
        preset: Some((*preset).to_owned()),
        custom: Vec::new(),
    })
}

/// Columns whose values a mapping leaves out: not mapped, and not the label of a mapped value
/// column (`Phone 1 - Label` beside a mapped `Phone 1 - Value` only says "Mobile").
pub fn unmapped_columns(headers: &[String], mapping: &Mapping) -> Vec<usize> {
    (0..headers.len())
        .filter(|&i| mapping.columns.get(i).copied().flatten().is_none())
        .filter(|&i| !mapping.custom.iter().any(|c| c.column as usize == i))
        .filter(|&i| {
            !(is_label(&headers[i])
                && value_of_label(headers, i)
                    .is_some_and(|v| mapping.columns.get(v).copied().flatten().is_some()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_preset_named_by_the_user_maps_only_its_own_headers() {
        let headers: Vec<String> = ["First Name", "Last Name", "Email", "Favourite colour"]
            .iter()
            .map(|h| (*h).to_owned())
            .collect();
        let mapping = super::preset_mapping("zoho crm", &headers).unwrap();
        assert_eq!(mapping.preset.as_deref(), Some("Zoho CRM"));
        assert_eq!(
            mapping.columns,
            vec![
                Some(super::Target::FirstName),
                Some(super::Target::LastName),
                Some(super::Target::Email),
                None
            ]
        );
        assert_eq!(super::preset_mapping("No Such Tool", &headers), None);
    }

    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn close_date_headers_of_crms_and_leadscout_map_to_the_expected_close_date() {
        // Salesforce Data Loader (../shared/eval/csv/salesforce-dataloader-opportunities.csv),
        // a Salesforce report, HubSpot, Pipedrive, Zoho and Leadscout's own export.
        for header in [
            "CLOSEDATE",
            "Close Date",
            "Expected Close Date",
            "Deal - Expected close date",
            "Closing Date",
            "Expected Close",
        ] {
            let mapping = suggest(&headers(&["Name", "Email", header]));
            assert_eq!(mapping.columns[2], Some(Target::ExpectedClose), "{header}");
        }
        // Not every date is the close date.
        let mapping = suggest(&headers(&["Name", "Email", "Closed", "Created Date"]));
        assert_eq!(mapping.columns[2..], [None, None]);
    }

    #[test]
    fn presets_win_and_unknown_headers_are_read_by_their_words() {
        let linkedin = suggest(&headers(&[
            "First Name",
            "Last Name",
            "URL",
            "Email Address",
            "Company",
            "Position",
            "Connected On",
        ]));
        assert_eq!(linkedin.preset.as_deref(), Some("LinkedIn Connections"));
        assert_eq!(linkedin.columns[2], Some(Target::LinkedIn));
        assert_eq!(linkedin.columns[6], None);

        let custom = suggest(&headers(&[
            "Contact name",
            "Work e-mail",
            "Employer",
            "Cell phone",
            "Fax phone",
            "Homepage",
            "Email status",
        ]));
        assert_eq!(custom.preset, None);
        assert_eq!(
            custom.columns,
            [
                Some(Target::FullName),
                Some(Target::Email),
                Some(Target::CompanyName),
                Some(Target::Phone),
                None,
                Some(Target::Website),
                None
            ]
        );
    }
}
