//! Reading everything out for an export, and a consistent backup of the database file.

use std::collections::HashMap;
use std::path::Path;

use leadscout_domain::{CompanyId, LeadDetail};

use crate::{Store, StoreError};

impl Store {
    /// Every live lead with its company, research and timeline, in board order.
    pub async fn export_details(&self) -> Result<Vec<LeadDetail>, StoreError> {
        let board = self.board().await?;
        let mut companies = HashMap::new();
        let mut research = HashMap::new();
        let mut out = Vec::new();
        for column in board.columns {
            // The board's leads are whole, tags included: no second read per lead.
            for lead in column.leads {
                let company = match lead.company_id {
                    Some(id) => {
                        if let std::collections::hash_map::Entry::Vacant(slot) =
                            companies.entry(id.0)
                        {
                            slot.insert(self.company(id).await?);
                            research.insert(id.0, self.company_research(CompanyId(id.0)).await?);
                        }
                        companies.get(&id.0).cloned().flatten()
                    }
                    None => None,
                };
                let research = lead
                    .company_id
                    .and_then(|id| research.get(&id.0).cloned().flatten());
                let activities = self.activities(lead.id).await?;
                let insights = self.lead_insights(lead.id).await?;
                let custom_values = self.custom_values(lead.id).await?;
                // Only the lead page needs to know; exports leave it at its default.
                out.push(LeadDetail {
                    researchable: false,
                    lead,
                    company,
                    research,
                    insights,
                    ai_problem: None,
                    proposals: Vec::new(),
                    activities,
                    custom_values,
                });
            }
        }
        Ok(out)
    }

    /// A consistent copy of the whole database at `path` (SQLite's `VACUUM INTO`), taken while
    /// the app keeps running. An existing file there is replaced only once the copy is whole.
    pub async fn backup_to(&self, path: &Path) -> Result<u64, StoreError> {
        let partial = path.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        sqlx::query("VACUUM INTO ?")
            .bind(partial.to_string_lossy().as_ref())
            .execute(&self.writer)
            .await?;
        std::fs::rename(&partial, path).map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            StoreError::Io(format!("could not write {}: {e}", path.display()))
        })?;
        Ok(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
    }
}
