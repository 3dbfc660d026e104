//! Importing a CSV export or a vCard file: a preview (encoding, delimiter, the suggested column
//! mapping, the first rows with their problems), then the import itself in transactional
//! batches. The file is named by the caller (the app's dialog or drop, the command line's
//! argument).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use leadscout_domain::{
    check_custom_value, CustomField, Duplicates, KindGuess, PipelineId, SuggestedField, Timestamp,
};
use leadscout_import::{
    cards_from_bytes, custom_column, encoding_of, region_from_locale, rows_from_reader, sniff,
    suggest, CustomColumn, Mapping, Row, RowProblem,
};
use leadscout_store::{ImportLead, Imported};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{AppError, ErrorCode, Leadscout};

/// Files larger than this are refused before reading: far beyond any CRM export.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Rows per transaction.
const BATCH: usize = 500;
/// Problems and warnings kept for the summary (the counts are always exact).
const MAX_LISTED: usize = 1_000;

/// A file the user chose for import (in the open dialog or by dropping it on the window).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
pub struct ImportId(pub u32);

/// One row of the preview.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    pub line: u32,
    pub full_name: Option<String>,
    /// Why the row cannot be imported, if it cannot.
    pub problem: Option<String>,
    /// Values that will be left out, and why.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    /// What to give `run_import` and `save_import_report` for this file.
    pub id: ImportId,
    pub file_name: String,
    /// `csv` or `vcard` (a vCard's fields need no mapping).
    pub format: String,
    pub encoding: String,
    /// `,`, `;`, tab or `|`.
    pub delimiter: String,
    pub headers: Vec<String>,
    pub mapping: Mapping,
    /// Data rows in the file.
    pub rows: u32,
    /// Rows that cannot be imported.
    pub refused: u32,
    /// Warnings over all rows, each explained in its row: values left out as not valid, and
    /// vCards for a firm imported under the firm's name.
    pub warnings: u32,
    /// Columns whose values the mapping does not import, with how many rows have one.
    pub unmapped: Vec<UnmappedColumn>,
    pub sample: Vec<PreviewRow>,
}

/// A column with values that will not be imported.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UnmappedColumn {
    /// 0-based, as in `headers` and the mapping's `columns`.
    pub column: u32,
    pub header: String,
    /// Rows with a value in it.
    pub rows: u32,
    /// The custom field the column would become: the narrowest kind that takes every one of
    /// its values, with the choices of a choice column.
    pub suggested: SuggestedField,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub created: u32,
    pub merged: u32,
    pub skipped: u32,
    pub refused: u32,
    /// The first problems, by line.
    pub problems: Vec<RowProblem>,
    pub warnings: Vec<String>,
    /// The leads created, for "research the imported leads".
    pub created_ids: Vec<leadscout_domain::LeadId>,
    /// Stopped by the user: the rows before were imported, the rest were not read.
    pub cancelled: bool,
}

/// The file's name without its folder.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn refuse(message: impl Into<String>) -> AppError {
    AppError::field("file", message)
}

/// Bytes read to learn a file's encoding and shape; the rows are then streamed.
const HEAD_BYTES: usize = 64 * 1024;

/// A file ready to be read: its encoding, its first lines as text, and for a vCard the whole
/// file (address books are small; CSV files are streamed). A vCard is kept as bytes: each of its
/// values is decoded by its own charset.
struct Loaded {
    name: String,
    path: PathBuf,
    encoding: &'static encoding_rs::Encoding,
    head: String,
    vcard: Option<Vec<u8>>,
}

/// Checks the file and reads its head off the async threads.
async fn read(path: PathBuf) -> Result<Loaded, AppError> {
    let name = file_name(&path);
    tokio::task::spawn_blocking(move || -> Result<Loaded, String> {
        use std::io::Read;
        let meta =
            std::fs::metadata(&path).map_err(|e| format!("Cannot open {}: {e}", path.display()))?;
        if !meta.is_file() {
            return Err(format!("{} is not a file.", path.display()));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(format!(
                "{} is {} MB; Leadscout imports files up to {} MB.",
                path.display(),
                meta.len() / 1_000_000,
                MAX_FILE_BYTES / 1_000_000
            ));
        }
        let cannot = |e: std::io::Error| format!("Cannot read {}: {e}", path.display());
        let mut head = Vec::with_capacity(HEAD_BYTES);
        std::fs::File::open(&path)
            .map_err(cannot)?
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(cannot)?;
        let encoding = encoding_of(&head);
        let (text, _, _) = encoding.decode(&head);
        let mut text = text.trim_start_matches('\u{feff}').to_owned();
        if is_vcard(&text) {
            let whole = std::fs::read(&path).map_err(cannot)?;
            return Ok(Loaded {
                name,
                vcard: Some(whole),
                path,
                encoding,
                head: text,
            });
        }
        // Only whole lines: the last one may be cut where the head ends.
        if meta.len() > head.len() as u64 {
            if let Some(end) = text.rfind('\n') {
                text.truncate(end + 1);
            }
        }
        Ok(Loaded {
            name,
            path,
            encoding,
            head: text,
            vcard: None,
        })
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(refuse)
}

fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        other => (other as char).to_string(),
    }
}

fn is_vcard(text: &str) -> bool {
    text.trim_start()
        .get(..11)
        .is_some_and(|head| head.eq_ignore_ascii_case("BEGIN:VCARD"))
}

/// The file's rows: a CSV file streamed from disk (memory stays flat), a vCard from its text.
fn file_rows<'a>(
    loaded: &'a Loaded,
    table: Option<&'a (leadscout_import::Sniffed, Mapping)>,
) -> Result<Box<dyn Iterator<Item = Result<Row, RowProblem>> + Send + 'a>, AppError> {
    match (table, &loaded.vcard) {
        (Some((sniffed, mapping)), _) => {
            let file = std::fs::File::open(&loaded.path)
                .map_err(|e| refuse(format!("Cannot read {}: {e}", loaded.path.display())))?;
            Ok(Box::new(rows_from_reader(
                file,
                loaded.encoding,
                sniffed,
                mapping,
            )))
        }
        (None, Some(bytes)) => {
            // National phone numbers on the cards belong to the user's own country.
            let locale = ["LC_ALL", "LC_TELEPHONE", "LANG"]
                .iter()
                .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()));
            let region = locale.as_deref().and_then(region_from_locale);
            Ok(Box::new(
                cards_from_bytes(bytes, region.as_deref()).into_iter(),
            ))
        }
        (None, None) => Ok(Box::new(std::iter::empty())),
    }
}

const NOT_A_TABLE: &str = "This file does not look like a table: no line with two or more columns separated by commas, semicolons, tabs or bars.";

/// Settings key of the mappings the user chose, by header signature.
const SAVED_MAPPINGS: &str = "import_mappings";

/// The same export from the same tool has the same headers: that is the key.
fn signature(headers: &[String]) -> String {
    headers
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

async fn saved_mappings(
    store: &leadscout_store::Store,
) -> Result<std::collections::BTreeMap<String, Mapping>, AppError> {
    Ok(store
        .setting(SAVED_MAPPINGS)
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// How the rows of an import are mapped: the caller's confirmed mapping, a preset the user
/// named, or the suggestion (a saved mapping for these headers first).
#[derive(Debug, Clone)]
pub enum MappingChoice {
    /// What the preview suggested (or the user saved for these headers before).
    Suggested,
    /// The preset of this name (`leadscout_import::PRESETS`).
    Preset(String),
    /// The mapping the user confirmed in the preview.
    Confirmed(Mapping),
}

/// Maps each column whose header is a custom field's export header (its name, or `Name
/// (custom)` where the name is a built-in column's) to that field: a file Leadscout exported
/// comes back whole. Such a header wins over a guess from its words.
fn map_custom_headers(mapping: &mut Mapping, headers: &[String], fields: &[CustomField]) {
    for (i, header) in headers.iter().enumerate() {
        let Some(field) = fields
            .iter()
            .find(|f| custom_column(f).eq_ignore_ascii_case(header.trim()))
        else {
            continue;
        };
        if let Some(slot) = mapping.columns.get_mut(i) {
            *slot = None;
        }
        mapping.custom.push(CustomColumn {
            column: u32::try_from(i).unwrap_or(u32::MAX),
            field_id: field.id,
        });
    }
}

/// Checks a row's custom values against the fields as they are now: a valid one is kept in its
/// stored form, a bad one is left out with a warning naming the field (the row still imports).
fn check_custom(row: &mut Row, fields: &[CustomField]) {
    for (id, raw) in std::mem::take(&mut row.custom) {
        let Some(field) = fields.iter().find(|f| f.id == id) else {
            continue;
        };
        match check_custom_value(field, &raw) {
            Ok(Some(value)) => row.custom.push((id, value)),
            Ok(None) => {}
            Err(err) => row.warnings.push(format!(
                "line {}: {} \"{}\" left out: {}",
                row.line,
                field.name,
                raw.chars().take(60).collect::<String>(),
                err.message
            )),
        }
    }
}

impl Leadscout {
    /// The mapping for a table: a preset the user names, else the one the user saved for these
    /// very headers, else the suggestion.
    async fn mapping_for(
        &self,
        headers: &[String],
        choice: &MappingChoice,
    ) -> Result<Mapping, AppError> {
        match choice {
            MappingChoice::Preset(name) => leadscout_import::preset_mapping(name, headers)
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        leadscout_import::PRESETS.iter().map(|(n, _)| *n).collect();
                    AppError::field(
                        "preset",
                        format!(
                            "{name} is not a preset Leadscout knows; use one of: {}.",
                            known.join(", ")
                        ),
                    )
                }),
            MappingChoice::Confirmed(mapping) => {
                let fields = self.store.custom_fields().await?;
                for custom in &mapping.custom {
                    if custom.column as usize >= headers.len() {
                        return Err(refuse("The file changed since the preview; open it again."));
                    }
                    if !fields.iter().any(|f| f.id == custom.field_id) {
                        return Err(AppError::field(
                            "mapping",
                            "A column is mapped to a custom field that no longer exists; \
                             choose again.",
                        ));
                    }
                }
                Ok(mapping.clone())
            }
            MappingChoice::Suggested => {
                // A mapping the user chose for these very headers before wins over any guess.
                let saved = saved_mappings(&self.store)
                    .await?
                    .remove(&signature(headers))
                    .filter(|m| m.columns.len() == headers.len());
                match saved {
                    Some(saved) => Ok(saved),
                    None => {
                        let mut mapping = suggest(headers);
                        let fields = self.store.custom_fields().await?;
                        map_custom_headers(&mut mapping, headers, &fields);
                        Ok(mapping)
                    }
                }
            }
        }
    }

    /// Looks at a CSV or vCard file: how it is written and what would be imported. The
    /// preview's `id` is the default; the app sets the handle its window will use.
    pub async fn preview_import(
        &self,
        path: &Path,
        choice: &MappingChoice,
    ) -> Result<ImportPreview, AppError> {
        let loaded = read(path.to_owned()).await?;
        let vcard = loaded.vcard.is_some();
        let table = if vcard {
            None
        } else {
            let sniffed = sniff(&loaded.head).ok_or_else(|| refuse(NOT_A_TABLE))?;
            let mapping = self.mapping_for(&sniffed.headers, choice).await?;
            Some((sniffed, mapping))
        };
        let (mut total, mut refused, mut sample) = (0u32, 0u32, Vec::new());
        let mut left_out = 0u32;
        let mut unmapped = std::collections::BTreeMap::<usize, (u32, KindGuess)>::new();
        let fields = self.store.custom_fields().await?;
        for row in file_rows(&loaded, table.as_ref())? {
            total += 1;
            let row = row.map(|mut row| {
                check_custom(&mut row, &fields);
                row
            });
            let preview = match row {
                Ok(Row {
                    line,
                    full_name,
                    warnings,
                    unmapped: columns,
                    ..
                }) => {
                    left_out += u32::try_from(warnings.len()).unwrap_or(u32::MAX);
                    for (column, value) in columns {
                        let (rows, guess) = unmapped.entry(column).or_insert_with(|| {
                            let header = table.as_ref().and_then(|(s, _)| s.headers.get(column));
                            (0, KindGuess::for_header(header.map_or("", String::as_str)))
                        });
                        *rows += 1;
                        guess.add(&value);
                    }
                    PreviewRow {
                        line: u32::try_from(line).unwrap_or(u32::MAX),
                        full_name: Some(full_name),
                        problem: None,
                        warnings,
                    }
                }
                Err(problem) => {
                    refused += 1;
                    PreviewRow {
                        line: u32::try_from(problem.line).unwrap_or(u32::MAX),
                        full_name: None,
                        problem: Some(problem.message),
                        warnings: Vec::new(),
                    }
                }
            };
            if sample.len() < 20 {
                sample.push(preview);
            }
        }
        let (delimiter, headers, mapping) = match table {
            Some((sniffed, mapping)) => {
                (delimiter_name(sniffed.delimiter), sniffed.headers, mapping)
            }
            None => (
                String::new(),
                Vec::new(),
                Mapping {
                    columns: Vec::new(),
                    preset: Some("vCard".into()),
                    custom: Vec::new(),
                },
            ),
        };
        Ok(ImportPreview {
            id: ImportId::default(),
            file_name: loaded.name.clone(),
            format: if vcard { "vcard" } else { "csv" }.into(),
            encoding: loaded.encoding.name().to_owned(),
            delimiter,
            unmapped: unmapped
                .into_iter()
                .filter_map(|(column, (rows, guess))| {
                    Some(UnmappedColumn {
                        column: u32::try_from(column).ok()?,
                        header: headers.get(column)?.clone(),
                        rows,
                        suggested: guess.suggest(),
                    })
                })
                .collect(),
            headers,
            mapping,
            rows: total,
            refused,
            warnings: left_out,
            sample,
        })
    }

    /// Imports the file. Each batch of rows is one transaction; bad rows are listed and never
    /// stop the good ones. A confirmed mapping that differs from the suggestion is remembered
    /// for the next file with these headers. `progress` hears the rows read after each batch;
    /// setting `cancel` stops after the current batch (and is cleared).
    pub async fn run_import(
        &self,
        path: &Path,
        choice: &MappingChoice,
        duplicates: Duplicates,
        progress: Option<&(dyn Fn(u32) + Send + Sync)>,
        cancel: &AtomicBool,
    ) -> Result<ImportSummary, AppError> {
        self.run_import_into(path, choice, duplicates, None, progress, cancel)
            .await
    }

    /// [`Leadscout::run_import`] into `pipeline`'s first stage (the first pipeline's when
    /// `None`).
    pub async fn run_import_into(
        &self,
        path: &Path,
        choice: &MappingChoice,
        duplicates: Duplicates,
        pipeline: Option<PipelineId>,
        progress: Option<&(dyn Fn(u32) + Send + Sync)>,
        cancel: &AtomicBool,
    ) -> Result<ImportSummary, AppError> {
        let store = &self.store;
        if let Some(pipeline) = pipeline {
            // A pipeline deleted since the dialog opened: say so before reading any row.
            if !store.pipelines().await?.iter().any(|p| p.id == pipeline) {
                return Err(leadscout_store::StoreError::PipelineNotFound(pipeline).into());
            }
        }
        let loaded = read(path.to_owned()).await?;
        let table = if loaded.vcard.is_some() {
            None
        } else {
            let sniffed = sniff(&loaded.head).ok_or_else(|| refuse(NOT_A_TABLE))?;
            let mapping = self.mapping_for(&sniffed.headers, choice).await?;
            if mapping.columns.len() != sniffed.headers.len() {
                return Err(refuse("The file changed since the preview; open it again."));
            }
            // Remember a mapping the user changed, for the next file with these headers.
            if matches!(choice, MappingChoice::Confirmed(_))
                && mapping.columns != suggest(&sniffed.headers).columns
            {
                let mut saved = saved_mappings(store).await?;
                let mut chosen = mapping.clone();
                chosen.preset = Some("your saved mapping".into());
                saved.insert(signature(&sniffed.headers), chosen);
                if let Ok(value) = serde_json::to_value(&saved) {
                    store
                        .save_setting(SAVED_MAPPINGS, &value, Timestamp::now())
                        .await?;
                }
            }
            Some((sniffed, mapping))
        };
        let mut summary = ImportSummary {
            created: 0,
            merged: 0,
            skipped: 0,
            refused: 0,
            problems: Vec::new(),
            warnings: Vec::new(),
            created_ids: Vec::new(),
            cancelled: false,
        };
        let mut read = 0u32;
        let mut batch: Vec<ImportLead> = Vec::with_capacity(BATCH);
        let flush =
            |batch: &mut Vec<ImportLead>, outcomes: Vec<Imported>, summary: &mut ImportSummary| {
                for outcome in outcomes {
                    match outcome {
                        Imported::Created(id) => {
                            summary.created += 1;
                            summary.created_ids.push(id);
                        }
                        Imported::Merged(_) => summary.merged += 1,
                        Imported::Skipped(_) => summary.skipped += 1,
                    }
                }
                batch.clear();
            };
        let fields = store.custom_fields().await?;
        for row in file_rows(&loaded, table.as_ref())? {
            read += 1;
            match row {
                Ok(mut row) => {
                    check_custom(&mut row, &fields);
                    for warning in row.warnings {
                        if summary.warnings.len() < MAX_LISTED {
                            summary.warnings.push(warning);
                        }
                    }
                    batch.push(ImportLead {
                        full_name: row.full_name,
                        values: row.values,
                        note: row.note,
                        custom: row.custom,
                    });
                }
                Err(problem) => {
                    summary.refused += 1;
                    if summary.problems.len() < MAX_LISTED {
                        summary.problems.push(problem);
                    }
                }
            }
            if batch.len() == BATCH {
                let outcomes = store
                    .import_leads_into(&batch, duplicates, pipeline, Timestamp::now())
                    .await?;
                flush(&mut batch, outcomes, &mut summary);
                if let Some(progress) = progress {
                    progress(read);
                }
                if cancel.swap(false, Ordering::SeqCst) {
                    summary.cancelled = true;
                    break;
                }
            }
        }
        if !batch.is_empty() {
            let outcomes = store
                .import_leads_into(&batch, duplicates, pipeline, Timestamp::now())
                .await?;
            flush(&mut batch, outcomes, &mut summary);
        }
        // A cancel that came after the last batch must not stop the next import.
        cancel.store(false, Ordering::SeqCst);
        tracing::info!(
            created = summary.created,
            merged = summary.merged,
            skipped = summary.skipped,
            refused = summary.refused,
            "import finished"
        );
        Ok(summary)
    }
}

/// The report's CSV: a header, then each refused row and each left-out value.
pub fn import_report(summary: &ImportSummary) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::new(ErrorCode::Internal, e.to_string());
    writer
        .write_record(["Line", "Kind", "Message"])
        .map_err(fail)?;
    for p in &summary.problems {
        writer
            .write_record([
                p.line.to_string().as_str(),
                "not imported",
                p.message.as_str(),
            ])
            .map_err(fail)?;
    }
    for w in &summary.warnings {
        let line = w
            .strip_prefix("line ")
            .and_then(|rest| rest.split(':').next())
            .unwrap_or("");
        writer
            .write_record([line, "value left out", w.as_str()])
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
}
