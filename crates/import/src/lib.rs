//! Getting leads in from other tools' exports. A CSV file is decoded (BOM, UTF-8, UTF-16,
//! Windows-1252), its delimiter and any preamble lines (LinkedIn's "Notes:") found, its columns
//! mapped to lead fields (presets for HubSpot, Salesforce, Pipedrive, LinkedIn, Google Contacts,
//! Outlook and Apollo exports, then header words), and each row turned into validated field values
//! or a message saying which field is wrong. No I/O: the caller reads the file and writes leads.

mod export;
mod mapping;
mod sniff;
mod vcard;

pub use export::{custom_column, to_csv, to_json, to_vcard, CSV_COLUMNS};
pub use mapping::{
    preset_mapping, suggest, unmapped_columns, CustomColumn, Mapping, Target, PRESETS,
};
pub use sniff::{decode, encoding_of, sniff, Decoded, Sniffed};
pub use vcard::{cards, cards_from_bytes, count_cards, region_from_locale};

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
    /// Columns (by index) that hold a value in this row which the mapping does not import,
    /// with the value (trimmed): what a new custom field for the column would take.
    pub unmapped: Vec<(usize, String)>,
    /// Values of the columns mapped to custom fields, as written (trimmed, non-empty); the
    /// caller checks them against the fields' definitions.
    pub custom: Vec<(leadscout_domain::CustomFieldId, String)>,
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
    let unmapped = unmapped_columns(&sniffed.headers, mapping);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniffed.delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(sniff::CrToLf::new(body.as_bytes(), sniffed.cr_only));
    let offset = sniffed.header_line as u64;
    let bytes = body.as_bytes();
    // In a CR-only file (Excel's "CSV (Macintosh)") each CR ends a line.
    let newline = if sniffed.cr_only { b'\r' } else { b'\n' };
    // Lines are counted from byte offsets: the reader's own line count is off by one after
    // CRLF line endings.
    let (mut counted_to, mut newlines) = (0usize, 0u64);
    let mut line_at = move |byte: u64| {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        // After a CRLF the reader places a record at the '\n' that ends the line before it.
        if bytes.get(byte) == Some(&newline) {
            byte += 1;
        }
        if byte > counted_to {
            newlines += bytes[counted_to..byte]
                .iter()
                .filter(|b| **b == newline)
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
                return Some(row(&records, mapping, &unmapped, line));
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
        let newline = if sniffed.cr_only { b'\r' } else { b'\n' };
        if buffered.read_until(newline, &mut skip).unwrap_or(0) == 0 {
            break;
        }
    }
    let unmapped = unmapped_columns(&sniffed.headers, mapping);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniffed.delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(sniff::CrToLf::new(buffered, sniffed.cr_only));
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
                return Some(row(&records, mapping, &unmapped, line));
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

fn row(
    record: &csv::StringRecord,
    mapping: &Mapping,
    unmapped: &[usize],
    line: u64,
) -> Result<Row, RowProblem> {
    let get = |target: Target| -> Vec<String> {
        mapping
            .columns_for(target)
            .filter_map(|i| record.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut row = build(line, None, get)?;
    row.unmapped = unmapped
        .iter()
        .filter_map(|&i| {
            let value = record.get(i)?.trim();
            (!value.is_empty()).then(|| (i, value.to_owned()))
        })
        .collect();
    row.custom = mapping
        .custom
        .iter()
        .filter_map(|c| {
            let value = record.get(c.column as usize)?.trim();
            (!value.is_empty()).then(|| (c.field_id, value.to_owned()))
        })
        .collect();
    Ok(row)
}

/// Validates one contact's values, whatever file they came from. `get` gives a target's values
/// in order of preference, one per column or property; `region` is the country national phone
/// numbers belong to, when known.
pub(crate) fn build(
    line: u64,
    region: Option<&str>,
    get: impl Fn(Target) -> Vec<String>,
) -> Result<Row, RowProblem> {
    let joined = |target: Target| {
        let parts = get(target);
        (!parts.is_empty()).then(|| parts.join(" "))
    };
    let problem = |err: FieldError| RowProblem {
        line,
        message: format!("{}: {}", err.field.as_str(), err.message),
    };
    // Every email, in order, with the addresses a cell lists split apart.
    let emails: Vec<String> = get(Target::Email)
        .iter()
        .flat_map(|cell| list(cell))
        .collect();
    let full_name = joined(Target::FullName)
        .or_else(|| {
            let joined = [Target::FirstName, Target::MiddleName, Target::LastName]
                .into_iter()
                .filter_map(joined)
                .collect::<Vec<_>>()
                .join(" ");
            (!joined.is_empty()).then_some(joined)
        })
        // A contact with only an email is still someone: name them by it.
        .or_else(|| emails.first().cloned());
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
    let mut extra = Vec::new();
    let left_out = |err: FieldError, raw: &str| {
        format!(
            "line {line}: {} \"{}\" left out: {}",
            err.field.as_str(),
            raw.chars().take(60).collect::<String>(),
            err.message
        )
    };
    for (target, field) in [
        (Target::Title, LeadField::Title),
        (Target::Email, LeadField::Email),
        (Target::Phone, LeadField::Phone),
        (Target::CompanyName, LeadField::CompanyName),
        (Target::Website, LeadField::Website),
        (Target::LinkedIn, LeadField::LinkedinUrl),
        (Target::Source, LeadField::Source),
        (Target::ExpectedClose, LeadField::ExpectedClose),
    ] {
        let candidates = match target {
            Target::Email => emails.clone(),
            Target::Phone => get(target).iter().flat_map(|cell| list(cell)).collect(),
            _ => joined(target).into_iter().collect(),
        };
        // The first valid value is the field; a bad one costs only itself, never the person,
        // and the next one is tried. Further valid emails and phones go to the note.
        let mut taken = false;
        for raw in candidates {
            let checked = match field {
                LeadField::Phone => leadscout_domain::normalize_phone_in(&raw, region)
                    .map(|phone| FieldValue::Text(LeadField::Phone, phone)),
                _ => edit(field, Some(raw.clone())).validate(),
            };
            match checked {
                Ok(value) if !taken => {
                    values.push(value);
                    taken = true;
                }
                Ok(_) => extra.push(format!(
                    "{}: {raw}",
                    if target == Target::Email {
                        "Other email"
                    } else {
                        "Other phone"
                    }
                )),
                Err(err) => warnings.push(left_out(err, &raw)),
            }
        }
    }
    let notes: Vec<String> = get(Target::Notes).into_iter().chain(extra).collect();
    Ok(Row {
        line,
        full_name,
        values,
        note: (!notes.is_empty()).then(|| notes.join("\n").chars().take(4_000).collect()),
        warnings,
        unmapped: Vec::new(),
        custom: Vec::new(),
    })
}

fn unreachable_name(line: u64) -> Result<String, RowProblem> {
    Err(RowProblem {
        line,
        message: "No name in this row.".into(),
    })
}

/// The values of one cell: exports often hold several emails or phones in one, and Google
/// Contacts joins them with " ::: ".
fn list(raw: &str) -> Vec<String> {
    raw.replace(":::", ";")
        .split([';', '\n'])
        // `"Ada Lovelace" <ada@example.com>`: the address in the angle brackets.
        .map(|part| match (part.rfind('<'), part.rfind('>')) {
            (Some(open), Some(close)) if open < close && part[open..close].contains('@') => {
                &part[open + 1..close]
            }
            _ => part,
        })
        .flat_map(|part| {
            // A comma separates addresses, never the parts of a phone number.
            if part.contains('@') {
                part.split(',').map(str::to_owned).collect::<Vec<_>>()
            } else {
                vec![part.to_owned()]
            }
        })
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}
