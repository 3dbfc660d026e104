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
    LastName,
    Email,
    Phone,
    Title,
    CompanyName,
    Website,
    LinkedIn,
    Source,
    Notes,
}

/// A target per column (`None`: not imported), and the preset that suggested it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Mapping {
    pub columns: Vec<Option<Target>>,
    pub preset: Option<String>,
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
/// chosen when its headers cover the file's name and email columns best.
pub const PRESETS: &[Preset] = &[
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
            ("Title", Target::Title),
            ("Company", Target::CompanyName),
            ("Website", Target::Website),
            ("LeadSource", Target::Source),
            ("Description", Target::Notes),
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
        "Google Contacts",
        &[
            ("Name", Target::FullName),
            ("Given Name", Target::FirstName),
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
            ("Person Linkedin Url", Target::LinkedIn),
            ("Website", Target::Website),
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

/// A target from header words, for files no preset knows.
fn guess(header: &str) -> Option<Target> {
    let k = key(header);
    let has = |words: &[&str]| words.iter().any(|w| k.contains(w));
    Some(
        if k == "name"
            || k == "fullname"
            || k == "displayname"
            || k == "contactname"
            || k == "personname"
        {
            Target::FullName
        } else if has(&["firstname", "givenname", "forename"]) || k == "first" {
            Target::FirstName
        } else if has(&["lastname", "familyname", "surname"]) || k == "last" {
            Target::LastName
        } else if has(&["linkedin"]) {
            Target::LinkedIn
        } else if has(&["email", "mail"])
            && !has(&["status", "confidence", "verified", "opt", "bounce"])
        {
            Target::Email
        } else if has(&["phone", "mobile", "tel"]) && !has(&["fax"]) {
            Target::Phone
        } else if has(&["jobtitle", "title", "position", "role"]) && !has(&["yomi"]) {
            Target::Title
        } else if (k == "org"
            || has(&[
                "company",
                "organization",
                "organisation",
                "account",
                "employer",
            ]))
            && !has(&["owner", "id", "email"])
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

/// The best mapping for these headers: the preset that maps most of them (when it maps a name
/// and finds at least three columns), else header words. A target is used once, except phone,
/// email and notes where the first non-empty column wins.
pub fn suggest(headers: &[String]) -> Mapping {
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    let mut best: Option<(usize, &str, Vec<Option<Target>>)> = None;
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
        if named && hits >= 3 && best.as_ref().is_none_or(|(b, ..)| hits > *b) {
            best = Some((hits, name, columns));
        }
    }
    let (preset, preset_columns) = match best {
        Some((_, name, columns)) => (Some(name.to_owned()), columns),
        None => (None, vec![None; headers.len()]),
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
            let repeatable = matches!(target, Target::Email | Target::Phone | Target::Notes);
            if !repeatable && used.contains(&target) {
                return None;
            }
            // A full name next to first and last names (or the other way) would double them.
            let names = [Target::FullName, Target::FirstName, Target::LastName];
            if names.contains(&target) && used.iter().any(|u| names.contains(u)) {
                return None;
            }
            used.push(target);
            Some(target)
        })
        .collect();
    Mapping { columns, preset }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
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
