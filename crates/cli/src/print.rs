//! The command line's words for people (`--json` prints the values themselves instead).

use leadscout_application::{ImportPreview, ImportSummary};
use leadscout_domain::{
    Board, FieldKind, LeadDetail, Pipeline, SearchHit, SearchKind, Stage, MATCH_END, MATCH_START,
};

/// `Ada Lovelace · Analytical Engines · ada@analytical.example`
fn lead_line(lead: &leadscout_domain::Lead) -> String {
    let mut parts = vec![lead.full_name.clone()];
    parts.extend(lead.company_name.clone());
    parts.extend(lead.email.clone());
    format!("  {:>5}  {}", lead.id.0, parts.join(" · "))
}

pub fn board(board: &Board) -> String {
    let mut out = String::new();
    let mut pipeline = None;
    for column in &board.columns {
        // With more than one pipeline, each one's stages come under its name.
        if board.pipelines.len() > 1 && pipeline != Some(column.stage.pipeline_id) {
            pipeline = Some(column.stage.pipeline_id);
            if let Some(p) = board
                .pipelines
                .iter()
                .find(|p| p.id == column.stage.pipeline_id)
            {
                out.push_str(&format!("== {} ==\n", p.name));
            }
        }
        out.push_str(&format!("{} ({})\n", column.stage.name, column.leads.len()));
        for lead in &column.leads {
            out.push_str(&lead_line(lead));
            out.push('\n');
        }
    }
    if board.lead_count() == 0 {
        out.push_str("No leads yet: add one with `leadscout lead add \"Name\"`.\n");
    }
    out
}

/// `Sales: New, Contacted, Qualified, Proposal, Won, Lost`, a pipeline a line.
pub fn pipelines(pipelines: &[Pipeline], stages: &[Stage]) -> String {
    let mut out = String::new();
    for pipeline in pipelines {
        let names: Vec<&str> = stages
            .iter()
            .filter(|s| s.pipeline_id == pipeline.id)
            .map(|s| s.name.as_str())
            .collect();
        out.push_str(&format!(
            "{:>5}  {}: {}\n",
            pipeline.id.0,
            pipeline.name,
            names.join(", ")
        ));
    }
    out
}

pub fn hits(hits: &[SearchHit]) -> String {
    if hits.is_empty() {
        return "Nothing matches.".into();
    }
    let mut out = String::new();
    for hit in hits {
        let kind = match hit.kind {
            SearchKind::Lead => "lead",
            SearchKind::Company => "company",
            SearchKind::Note => "note",
        };
        let lead = hit
            .lead_id
            .map(|id| format!("lead {}", id.0))
            .unwrap_or_default();
        let snippet: String = hit
            .snippet
            .chars()
            .filter(|c| *c != MATCH_START && *c != MATCH_END)
            .collect();
        out.push_str(&format!("{kind:<8} {lead:<10} {}: {snippet}\n", hit.title));
    }
    out
}

pub fn detail(detail: &LeadDetail, stages: &[Stage]) -> String {
    let lead = &detail.lead;
    let mut out = format!("{} (lead {})\n", lead.full_name, lead.id.0);
    let mut field = |label: &str, value: Option<&str>| {
        if let Some(value) = value {
            out.push_str(&format!("  {label:<10} {value}\n"));
        }
    };
    let stage = stages
        .iter()
        .find(|s| s.id == lead.stage_id)
        .map(|s| s.name.as_str());
    field("Stage", stage);
    field("Title", lead.title.as_deref());
    field("Email", lead.email.as_deref());
    field("Phone", lead.phone.as_deref());
    field("Company", lead.company_name.as_deref());
    field("Website", lead.website.as_deref());
    field("Next step", lead.next_step.as_deref());
    if !lead.tags.is_empty() {
        field("Tags", Some(&lead.tags.join(", ")));
    }
    out.push_str(&findings(detail));
    if !detail.activities.is_empty() {
        out.push_str("Timeline:\n");
        for activity in detail.activities.iter().take(10) {
            out.push_str(&format!(
                "  {} {}: {}\n",
                activity.occurred_at.date(),
                activity.kind.as_str(),
                activity.body.lines().next().unwrap_or_default()
            ));
        }
    }
    out
}

/// What research found about the lead's company, or why there is nothing yet.
pub fn findings(detail: &LeadDetail) -> String {
    let mut out = String::new();
    if let Some(company) = &detail.company {
        let name = company
            .name
            .as_deref()
            .or(company.domain_display.as_deref())
            .unwrap_or("The company");
        out.push_str(&format!("Company: {name}\n"));
        for (label, value) in [
            ("Description", &company.description),
            ("Industry", &company.industry),
            ("Size", &company.size_band),
            ("Location", &company.location),
        ] {
            if let Some(value) = value {
                out.push_str(&format!("  {label:<10} {value}\n"));
            }
        }
    }
    if let Some(research) = &detail.research {
        out.push_str(&format!(
            "  Researched {} from {} pages\n",
            research.researched_at.date(),
            research.sources.len()
        ));
    } else if !detail.researchable {
        out.push_str("  No company website or work email to research.\n");
    }
    if let Some(insights) = &detail.insights {
        out.push_str(&format!("Insights: {}\n", insights.summary));
    }
    if let Some(problem) = &detail.ai_problem {
        out.push_str(&format!("The AI step did not finish: {problem}\n"));
    }
    out
}

pub fn preview(preview: &ImportPreview) -> String {
    let mut out = format!(
        "{}: {} rows in {} ({})",
        preview.file_name,
        preview.rows,
        preview.format.to_uppercase(),
        preview.encoding
    );
    if let Some(preset) = &preview.mapping.preset {
        out.push_str(&format!(", read as {preset}"));
    }
    out.push_str(".\n");
    out.push_str(&format!(
        "{} can be imported, {} cannot; {} values would be left out.\n",
        preview.rows - preview.refused,
        preview.refused,
        preview.warnings
    ));
    for column in &preview.unmapped {
        let field = match column.suggested.kind {
            FieldKind::Choice => {
                format!("a choice field ({})", column.suggested.choices.join(", "))
            }
            kind => format!("a {} field", kind.as_str()),
        };
        let rows = match column.rows {
            1 => "1 row has a value".to_owned(),
            n => format!("{n} rows have a value"),
        };
        out.push_str(&format!(
            "Not imported: column \"{}\" ({rows}; it fits {field}).\n",
            column.header
        ));
    }
    for row in &preview.sample {
        match (&row.full_name, &row.problem) {
            (_, Some(problem)) => out.push_str(&format!("  line {}: {problem}\n", row.line)),
            (Some(name), None) => out.push_str(&format!("  line {}: {name}\n", row.line)),
            (None, None) => {}
        }
    }
    out.push_str("Nothing was imported (dry run).\n");
    out
}

pub fn imported(summary: &ImportSummary) -> String {
    let mut out = format!(
        "Imported {} new leads; {} merged into ones you had, {} skipped as duplicates, {} could not be imported.\n",
        summary.created, summary.merged, summary.skipped, summary.refused
    );
    for problem in summary.problems.iter().take(20) {
        out.push_str(&format!("  line {}: {}\n", problem.line, problem.message));
    }
    out
}
