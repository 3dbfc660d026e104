//! Export (CSV, JSON, vCard), backup and restore, to and from files the caller names (the app
//! asks in a dialog; the command line takes them as arguments).

use std::path::{Path, PathBuf};

use leadscout_domain::Timestamp;
use leadscout_import::{to_csv, to_json, to_vcard};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{AppError, ErrorCode, Leadscout};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    Csv,
    /// CSV with a UTF-8 byte-order mark, so Excel shows accents right.
    CsvExcel,
    Json,
    Vcard,
}

impl ExportFormat {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv | ExportFormat::CsvExcel => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Vcard => "vcf",
        }
    }

    /// The name a save dialog suggests: `leadscout-leads-2026-05-01.csv`.
    pub fn suggested_name(self) -> String {
        format!(
            "leadscout-leads-{}.{}",
            Timestamp::now().date(),
            self.extension()
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    /// Where it was written, to tell the user.
    pub path: String,
    /// Leads written (0 for a backup or an import report).
    pub leads: u32,
    pub bytes: u32,
}

/// What a restore staged.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RestoreStaged {
    /// Leads in the backup.
    pub leads: u32,
}

/// The name a backup's save dialog suggests.
pub fn backup_name() -> String {
    format!("leadscout-backup-{}.sqlite3", Timestamp::now().date())
}

/// Checks that a chosen place can take a file.
pub fn destination(path: PathBuf) -> Result<PathBuf, AppError> {
    let parent_ok = path
        .parent()
        .is_some_and(|p| p.as_os_str().is_empty() || p.is_dir());
    if path.as_os_str().is_empty() || !parent_ok || path.is_dir() {
        return Err(AppError::field(
            "file",
            format!("{} is not a place a file can be saved.", path.display()),
        ));
    }
    Ok(path)
}

/// Writes beside the target and renames, so a full disk never leaves half a file.
pub async fn write(path: PathBuf, bytes: Vec<u8>) -> Result<u32, AppError> {
    let len = bytes.len();
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || {
        let partial = path.with_extension("partial");
        std::fs::write(&partial, &bytes)
            .and_then(|()| std::fs::rename(&partial, &path))
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&partial);
            })
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(|e| AppError::field("file", format!("Could not write {shown}: {e}")))?;
    Ok(u32::try_from(len).unwrap_or(u32::MAX))
}

impl Leadscout {
    /// Every lead in `format`, as bytes, with how many leads they hold.
    pub async fn export_bytes(&self, format: ExportFormat) -> Result<(Vec<u8>, u32), AppError> {
        let leads = self.store.export_details().await?;
        let pipelines = self.store.pipelines().await?;
        let stages = self.store.stages().await?;
        let fields = self.store.custom_fields().await?;
        let bytes = match format {
            ExportFormat::Csv => to_csv(&leads, &pipelines, &stages, &fields, false),
            ExportFormat::CsvExcel => to_csv(&leads, &pipelines, &stages, &fields, true),
            ExportFormat::Json => to_json(&leads, &pipelines, &stages, &fields, Timestamp::now()),
            ExportFormat::Vcard => Ok(to_vcard(&leads).into_bytes()),
        }
        .map_err(AppError::internal)?;
        Ok((bytes, u32::try_from(leads.len()).unwrap_or(u32::MAX)))
    }

    /// Writes every lead to `target` in `format` (whole or not at all).
    pub async fn export_leads(
        &self,
        format: ExportFormat,
        target: PathBuf,
    ) -> Result<Written, AppError> {
        let target = destination(target)?;
        let (bytes, leads) = self.export_bytes(format).await?;
        let bytes = write(target.clone(), bytes).await?;
        Ok(Written {
            path: target.display().to_string(),
            leads,
            bytes,
        })
    }

    /// Writes a consistent copy of the whole database to `target`, taken while others use it.
    pub async fn backup(&self, target: PathBuf) -> Result<Written, AppError> {
        let target = destination(target)?;
        let bytes = self.store.backup_to(&target).await.map_err(|e| AppError {
            code: ErrorCode::Storage,
            message: format!("The backup could not be written: {e}"),
            field: Some("file".into()),
        })?;
        Ok(Written {
            path: target.display().to_string(),
            leads: 0,
            bytes: u32::try_from(bytes).unwrap_or(u32::MAX),
        })
    }
}

/// Checks a backup and stages it: it replaces the current data when Leadscout next starts (the
/// app, or the command line holding the folder's lock), and the current data is kept beside
/// it. Needs no open database: a damaged one is what a restore is for.
pub async fn stage_restore(backup: &Path, data_dir: &Path) -> Result<RestoreStaged, AppError> {
    let check = leadscout_store::stage_restore(backup, data_dir)
        .await
        .map_err(|e| AppError::field("file", e.to_string()))?;
    Ok(RestoreStaged {
        leads: u32::try_from(check.leads).unwrap_or(u32::MAX),
    })
}
