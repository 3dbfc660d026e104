//! Writes recorded figures into the benchmark document. Each section's block sits between
//! `<!-- bench:ID -->` and `<!-- /bench:ID -->`; a block is replaced only when this run measured
//! that section, so the prose around it and the sections not re-run are kept as they are. A
//! section the document has no place for yet is added at the end.

use std::collections::BTreeMap;

use crate::Record;

/// One section's figures from a run.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Measured {
    pub title: String,
    pub command: String,
    pub about: String,
    pub machine: String,
    pub date: String,
    /// (what, result, goal, met)
    pub figures: Vec<(String, String, Option<String>, Option<bool>)>,
    pub notes: Vec<String>,
}

/// Groups the results file's lines by section, keeping the sections' first-seen order. A section
/// started twice keeps only its last run.
pub fn collect(lines: &str) -> Result<Vec<(String, Measured)>, String> {
    let mut order: Vec<String> = Vec::new();
    let mut sections: BTreeMap<String, Measured> = BTreeMap::new();
    for (number, line) in lines.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(line)
            .map_err(|err| format!("line {} of the results is not a record: {err}", number + 1))?;
        match record {
            Record::Start {
                section,
                title,
                command,
                about,
                machine,
                date,
            } => {
                if !order.contains(&section) {
                    order.push(section.clone());
                }
                sections.insert(
                    section,
                    Measured {
                        title,
                        command,
                        about,
                        machine,
                        date,
                        ..Measured::default()
                    },
                );
            }
            Record::Figure {
                section,
                what,
                result,
                goal,
                met,
            } => sections
                .get_mut(&section)
                .ok_or_else(|| format!("line {}: a figure before its section started", number + 1))?
                .figures
                .push((what, result, goal, met)),
            Record::Note { section, text } => sections
                .get_mut(&section)
                .ok_or_else(|| format!("line {}: a note before its section started", number + 1))?
                .notes
                .push(text),
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|id| sections.remove(&id).map(|m| (id, m)))
        .collect())
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown between a section's markers.
pub fn render(measured: &Measured) -> String {
    let mut out = format!(
        "`{}` · {} · {}\n\n",
        measured.command, measured.date, measured.machine
    );
    if !measured.about.is_empty() {
        out.push_str(&measured.about);
        out.push_str("\n\n");
    }
    if measured.figures.is_empty() {
        out.push_str("This run measured nothing (see the notes).\n");
    } else {
        out.push_str("| What | Result | Goal |\n|------|--------|------|\n");
        for (what, result, goal, met) in &measured.figures {
            let goal = match (goal, met) {
                (Some(goal), Some(true)) => format!("{}: met", cell(goal)),
                (Some(goal), Some(false)) => format!("{}: **not met**", cell(goal)),
                (Some(goal), None) => cell(goal),
                (None, _) => String::new(),
            };
            let goal = if goal.is_empty() {
                " ".to_owned()
            } else {
                format!(" {goal} ")
            };
            out.push_str(&format!("| {} | {} |{goal}|\n", cell(what), cell(result)));
        }
    }
    for note in &measured.notes {
        out.push('\n');
        out.push_str(note);
        out.push('\n');
    }
    out
}

/// `document` with every measured section's block replaced (or added at the end).
pub fn rewrite(document: &str, measured: &[(String, Measured)]) -> String {
    let mut document = document.to_owned();
    for (id, section) in measured {
        let open = format!("<!-- bench:{id} -->");
        let close = format!("<!-- /bench:{id} -->");
        let block = format!("{open}\n{}{close}", render(section));
        match (document.find(&open), document.find(&close)) {
            (Some(start), Some(end)) if end > start => {
                document.replace_range(start..end + close.len(), &block);
            }
            _ => {
                if !document.ends_with('\n') {
                    document.push('\n');
                }
                document.push_str(&format!("\n## {}\n\n{block}\n", section.title));
            }
        }
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(records: &[Record]) -> String {
        records
            .iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect()
    }

    fn start(section: &str, date: &str) -> Record {
        Record::Start {
            section: section.into(),
            title: format!("Title of {section}"),
            command: format!("cargo bench -- {section}"),
            about: String::new(),
            machine: "2 × CPU".into(),
            date: date.into(),
        }
    }

    fn figure(section: &str, what: &str, result: &str) -> Record {
        Record::Figure {
            section: section.into(),
            what: what.into(),
            result: result.into(),
            goal: Some("under 10 ms".into()),
            met: Some(result.starts_with('1')),
        }
    }

    #[test]
    fn a_run_replaces_only_the_blocks_it_measured() {
        let document = "# Benchmarks\n\n## A\n\n<!-- bench:a -->\nold a\n<!-- /bench:a -->\n\nProse about A.\n\n## B\n\n<!-- bench:b -->\nold b\n<!-- /bench:b -->\n";
        let results = collect(&lines(&[
            start("a", "2026-11-30"),
            figure("a", "p95", "1 ms"),
        ]))
        .unwrap();
        let out = rewrite(document, &results);
        assert!(out.contains("| p95 | 1 ms | under 10 ms: met |"), "{out}");
        assert!(!out.contains("old a"));
        assert!(out.contains("Prose about A."));
        assert!(
            out.contains("old b"),
            "a section this run did not measure is kept"
        );
        assert!(out.contains("`cargo bench -- a` · 2026-11-30 · 2 × CPU"));
    }

    #[test]
    fn a_new_section_is_added_at_the_end_and_the_last_run_wins() {
        let results = collect(&lines(&[
            start("c", "2026-11-29"),
            figure("c", "p95", "20 ms"),
            start("c", "2026-11-30"),
            figure("c", "p95", "12 ms | fast"),
        ]))
        .unwrap();
        let out = rewrite("# Benchmarks\n", &results);
        assert!(out.contains("## Title of c"));
        assert!(
            out.contains("| p95 | 12 ms \\| fast | under 10 ms: met |"),
            "{out}"
        );
        assert!(!out.contains("20 ms"));
        assert!(!out.contains("2026-11-29"));
    }

    #[test]
    fn a_missed_goal_stands_out_and_broken_lines_are_refused() {
        let results = collect(&lines(&[
            start("d", "2026-11-30"),
            figure("d", "p95", "25 ms"),
        ]))
        .unwrap();
        assert!(render(&results[0].1).contains("under 10 ms: **not met**"));
        let err = collect("{\"kind\":\"figure\"").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
        let err = collect(&lines(&[figure("e", "p95", "1 ms")])).unwrap_err();
        assert!(err.contains("before its section"), "{err}");
    }
}
