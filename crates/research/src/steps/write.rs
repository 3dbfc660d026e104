use std::collections::BTreeMap;

use leadscout_domain::{CompanyProfile, RunChanges, SignalView, StepKey};
use leadscout_store::{ResearchRecord, SourceRecord, Store};
use leadscout_workflow::{Step, StepError, StepFuture, StepInput};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{output, parse};
use crate::model::{Footprint, Insights, InsightsStep, NO_MODEL};
use crate::Crawl;

/// 4. Write-back: once per run, whatever retries or restarts happen.
pub struct WriteStep {
    store: Store,
}

impl WriteStep {
    pub fn new(store: Store) -> WriteStep {
        WriteStep { store }
    }

    pub fn record(
        crawl: &Crawl,
        profile: &CompanyProfile,
        footprint: &Footprint,
        insights: &Insights,
    ) -> ResearchRecord {
        let sources = crawl
            .pages
            .iter()
            .map(|page| SourceRecord {
                url: page.url.clone(),
                kind: page.kind.as_str().to_owned(),
                status: page.status,
                fetched_at: page.fetched_at,
                content_hash: page.content_hash.clone(),
                title: page.title.clone(),
                text: page.text.clone(),
                metadata: json!({
                    "reader": crate::crawl::READER,
                    "description": page.description,
                    "language": page.language,
                    "headings": page.headings,
                    "truncated": page.truncated,
                    "facts": page.facts,
                }),
                injection: page.injection.clone(),
                etag: page.etag.clone(),
                last_modified: page.last_modified.clone(),
                signals: page
                    .signals
                    .iter()
                    .map(|s| SignalView {
                        kind: s.kind.as_str().to_owned(),
                        name: s.name.clone(),
                        value: s.value.clone(),
                        evidence: s.evidence.clone(),
                        url: s.url.clone(),
                    })
                    .collect(),
            })
            .collect();
        let mut summary = format!(
            "Researched {}: read {} page{}",
            crawl.domain,
            crawl.pages.len(),
            if crawl.pages.len() == 1 { "" } else { "s" }
        );
        if !crawl.skipped.is_empty() {
            summary.push_str(&format!(", skipped {}", crawl.skipped.len()));
        }
        summary.push_str(&format!(".\n{}", profile.headline()));
        // A model step that did not finish leaves the company's earlier facts and insights
        // as they were.
        let facts = (footprint.skipped.is_none() && footprint.failed.is_none())
            .then(|| footprint.facts.clone());
        if let Some(facts) = &facts {
            let verified = facts.iter().filter(|f| f.verified).count();
            summary.push_str(&format!(
                "\n{} stated {} fact{} about the company; {} verified against the pages.",
                footprint.model,
                facts.len(),
                if facts.len() == 1 { "" } else { "s" },
                verified
            ));
        }
        if let Some(reason) = footprint.failed.as_ref().or(insights.failed.as_ref()) {
            summary.push_str(&format!("\nThe AI step did not finish: {reason}"));
        } else if let Some(view) = &insights.insights {
            summary.push_str(&format!("\n{}", InsightsStep::headline(view)));
        } else if let Some(reason) = insights.skipped.as_ref().filter(|r| *r != NO_MODEL) {
            summary.push_str(&format!("\n{reason}"));
        }
        if profile.flagged_pages > 0 {
            summary.push_str(&format!(
                "\n{} page{} contained text aimed at AI assistants; it was treated as plain data.",
                profile.flagged_pages,
                if profile.flagged_pages == 1 { "" } else { "s" }
            ));
        }
        ResearchRecord {
            profile: profile.clone(),
            sources,
            summary,
            facts,
            insights: insights.insights.clone(),
        }
    }
}

/// The write step's output: whether it wrote (a resumed run finds it written) and what it
/// did to the lead's card, for the run's last event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Written {
    pub applied: bool,
    pub changes: RunChanges,
}

impl WriteStep {
    /// What a succeeded run changed, from its write step's output (nothing for an output
    /// written before it said so).
    pub fn changes(outputs: &BTreeMap<StepKey, serde_json::Value>) -> RunChanges {
        outputs
            .get(&StepKey::Write)
            .and_then(|value| serde_json::from_value::<Written>(value.clone()).ok())
            .map(|written| written.changes)
            .unwrap_or_default()
    }
}

impl Step for WriteStep {
    fn key(&self) -> StepKey {
        StepKey::Write
    }

    fn reusable(&self) -> bool {
        false
    }

    fn inputs(&self) -> &'static [StepKey] {
        &[
            StepKey::Crawl,
            StepKey::Profile,
            StepKey::Footprint,
            StepKey::Insights,
        ]
    }

    fn run(&self, input: StepInput) -> StepFuture<'_> {
        Box::pin(async move {
            let crawl: Crawl = parse(&input, StepKey::Crawl)?;
            let profile: CompanyProfile = parse(&input, StepKey::Profile)?;
            let footprint: Footprint = parse(&input, StepKey::Footprint)?;
            let insights: Insights = parse(&input, StepKey::Insights)?;
            let record = Self::record(&crawl, &profile, &footprint, &insights);
            let changes = self
                .store
                .apply_research(input.run, &record, input.now())
                .await
                .map_err(|e| StepError::transient(format!("could not save the research: {e}")))?;
            let written = Written {
                applied: changes.is_some(),
                changes: changes.unwrap_or_default(),
            };
            output(&written)
        })
    }
}
