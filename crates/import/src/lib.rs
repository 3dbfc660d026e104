//! Getting leads in from other tools' exports. A CSV file is decoded (BOM, UTF-8, UTF-16,
//! Windows-1252), its delimiter and any preamble lines (LinkedIn's "Notes:") found, its columns
//! mapped to lead fields (presets for HubSpot, Salesforce, Pipedrive, LinkedIn, Google Contacts,
//! Outlook and Apollo exports, then header words), and each row turned into validated field values
//! or a message saying which field is wrong. No I/O: the caller reads the file and writes leads.

mod export;
mod mapping;
mod sniff;
mod vcard;

pub use export::{to_csv, to_json, to_vcard, CSV_COLUMNS};
pub use mapping::{suggest, Mapping, Target, PRESETS};
pub use sniff::{decode, encoding_of, sniff, Decoded, Sniffed};
pub use vcard::{cards, count_cards};

use leadscout_domain::{FieldError, FieldValue, LeadEdit, LeadField};
use serde::{Deserialize, Serialize};
use specta::Type;

/// One data row, validated: the name and every other mapped field, or why it cannot be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based line of the record's first line in the file, for messages.
    pub line: u64,
    pub full_name: String,
    pub values: Vec<FieldValue>,
    /// Text for the lead's first timeline note.
    pub note: Option<String>,
    /// Values left out because they were not valid (the lead is imported without them).
    pub warnings: Vec<String>,
}

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RowProblem {
    pub line: u64,
    pub message: String,
}

/// Reads data rows of a sniffed file with a mapping, one at a time (the file is never held as
/// rows in memory).
pub fn rows<'a>(
    text: &'a str,
    sniffed: &'a Sniffed,
    mapping: &'a Mapping,
) -> impl Iterator<Item = Result<Row, RowProblem>> + 'a {
    let body = sniff::body(text, sniffed);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniffed.delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(body.as_bytes());
    let offset = sniffed.header_line as u64;
    let bytes = body.as_bytes();
    // Lines are counted from byte offsets: the reader's own line count is off by one after
    // CRLF line endings.
    let (mut counted_to, mut newlines) = (0usize, 0u64);
    let mut line_at = move |byte: u64| {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        // After a CRLF the reader places a record at the '\n' that ends the line before it.
        if bytes.get(byte) == Some(&b'\n') {
            byte += 1;
        }
        if byte > counted_to {
            newlines += bytes[counted_to..byte]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            counted_to = byte;
        }
        newlines + 1 + offset
    };
    let mut records = csv::StringRecord::new();
    std::iter::from_fn(move || loop {
        match reader.read_record(&mut records) {
            Ok(false) => return None,
            Ok(true) => {
                let line = line_at(records.position().map_or(0, |p| p.byte()));
                if records.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                return Some(row(&records, mapping, line));
            }
            Err(err) => {
                let line = line_at(err.position().map_or(0, |p| p.byte()));
                return Some(Err(RowProblem {
                    line,
                    message: format!("This line is not valid CSV: {err}"),
                }));
            }
        }
    })
}

/// [`rows`] from a byte stream, decoded on the fly: memory stays flat however large the file.
/// `sniffed` comes from the file's first bytes ([`encoding_of`], [`decode`], [`sniff`]).
pub fn rows_from_reader<'a, R: std::io::Read + 'a>(
    reader: R,
    encoding: &'static encoding_rs::Encoding,
    sniffed: &'a Sniffed,
    mapping: &'a Mapping,
) -> impl Iterator<Item = Result<Row, RowProblem>> + 'a {
    use std::io::BufRead;
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .build(reader);
    let mut buffered = std::io::BufReader::with_capacity(64 * 1024, decoded);
    let mut skip = Vec::new();
    for _ in 0..sniffed.header_line {
        skip.clear();
        if buffered.read_until(b'\n', &mut skip).unwrap_or(0) == 0 {
            break;
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniffed.delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(buffered);
    let offset = sniffed.header_line as u64 + u64::from(sniffed.crlf);
    let mut records = csv::StringRecord::new();
    let mut finished = false;
    std::iter::from_fn(move || loop {
        if finished {
            return None;
        }
        match reader.read_record(&mut records) {
            Ok(false) => return None,
            Ok(true) => {
                let line = records.position().map_or(0, |p| p.line()) + offset;
                if records.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                return Some(row(&records, mapping, line));
            }
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line()) + offset;
                // An I/O error ends the stream; a malformed record is one refused row.
                if matches!(err.kind(), csv::ErrorKind::Io(_)) {
                    finished = true;
                    return Some(Err(RowProblem {
                        line,
                        message: format!("The file could not be read past this line: {err}"),
                    }));
                }
                return Some(Err(RowProblem {
                    line,
                    message: format!("This line is not valid CSV: {err}"),
                }));
            }
        }
    })
}

fn row(record: &csv::StringRecord, mapping: &Mapping, line: u64) -> Result<Row, RowProblem> {
    let get = |target: Target| -> Option<String> {
        let parts: Vec<&str> = mapping
            .columns_for(target)
            .filter_map(|i| record.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        (!parts.is_empty()).then(|| match target {
            Target::Notes => parts.join("\n"),
            // Several email or phone columns (work, home, mobile): the first filled one.
            Target::Email | Target::Phone => parts[0].to_owned(),
            _ => parts.join(" "),
        })
    };
    build(line, get)
}

/// Validates one contact's values, whatever file they came from.
pub(crate) fn build(line: u64, get: impl Fn(Target) -> Option<String>) -> Result<Row, RowProblem> {
    let problem = |err: FieldError| RowProblem {
        line,
        message: format!("{}: {}", err.field.as_str(), err.message),
    };
    let full_name = get(Target::FullName)
        .or_else(|| {
            let joined = [get(Target::FirstName), get(Target::LastName)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            (!joined.is_empty()).then_some(joined)
        })
        // A contact with only an email is still someone: name them by it.
        .or_else(|| get(Target::Email));
    let Some(full_name) = full_name else {
        return Err(RowProblem {
            line,
            message: "No name or email in this row.".into(),
        });
    };
    let edit = |field: LeadField, value: Option<String>| LeadEdit { field, value };
    let name = edit(LeadField::FullName, Some(full_name))
        .validate()
        .map_err(problem)?;
    let full_name = match name {
        FieldValue::Text(_, Some(name)) => name,
        _ => unreachable_name(line)?,
    };
    let mut values = Vec::new();
    let mut warnings = Vec::new();
    for (target, field) in [
        (Target::Title, LeadField::Title),
        (Target::Email, LeadField::Email),
        (Target::Phone, LeadField::Phone),
        (Target::CompanyName, LeadField::CompanyName),
        (Target::Website, LeadField::Website),
        (Target::LinkedIn, LeadField::LinkedinUrl),
        (Target::Source, LeadField::Source),
    ] {
        if let Some(raw) = get(target) {
            // Exports often hold several emails or phones in one cell; the first one counts.
            let raw = match target {
                Target::Email | Target::Phone => first_of_list(&raw),
                _ => raw,
            };
            // A bad optional value costs only that value, never the person.
            match edit(field, Some(raw.clone())).validate() {
                Ok(value) => values.push(value),
                Err(err) => warnings.push(format!(
                    "line {line}: {} \"{}\" left out: {}",
                    err.field.as_str(),
                    raw.chars().take(60).collect::<String>(),
                    err.message
                )),
            }
        }
    }
    Ok(Row {
        line,
        full_name,
        values,
        note: get(Target::Notes).map(|n| n.chars().take(4_000).collect()),
        warnings,
    })
}

fn unreachable_name(line: u64) -> Result<String, RowProblem> {
    Err(RowProblem {
        line,
        message: "No name in this row.".into(),
    })
}

fn first_of_list(raw: &str) -> String {
    // Google Contacts joins several values with " ::: ".
    raw.replace(":::", ";")
        .split([';', ',', '\n'])
        .map(str::trim)
        .find(|p| !p.is_empty())
        .map_or_else(|| raw.to_owned(), str::to_owned)
}
