//! Leadscout's command line: `leadscout lead add`, `leadscout research 12 --wait`,
//! `leadscout import contacts.csv`... The same use cases as the app (`leadscout_application`),
//! on the same data folder, so scripts and the app never disagree about a rule.
//!
//! The `leadscout` binary hands its arguments here when the first one is a subcommand
//! ([`is_command_line`]), before any window is set up; with no arguments it starts the app.
//!
//! A running app and the command line share the data folder safely: writes go through SQLite
//! (WAL, busy timeout), and the folder's lock decides who runs research. The command line runs
//! it itself when it gets the lock; otherwise it records the request and the app, whose idle
//! workers look for queued runs every few seconds, picks it up.

mod extract;
mod print;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use leadscout_application::{
    default_data_dir, lock_data_dir, open_database, resolve_data_dir, AppError, ExportFormat,
    Leadscout, MappingChoice,
};
use leadscout_domain::{
    Duplicates, LeadId, NewLead, PipelineId, RunEvent, RunStatus, RunSummary, Stage, StageId,
};
use leadscout_workflow::{EventSink, Notifier, Outcome};
use serde_json::json;

/// The first arguments that make `leadscout` a command line instead of the app.
pub const SUBCOMMANDS: &[&str] = &[
    "lead",
    "pipeline",
    "search",
    "research",
    "import",
    "export",
    "backup",
    "restore",
    "extract",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
];

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    fn argv(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn only_a_subcommand_or_a_global_option_makes_the_program_a_command_line() {
        assert!(super::is_command_line(&argv(&[
            "leadscout",
            "lead",
            "list"
        ])));
        assert!(super::is_command_line(&argv(&[
            "leadscout",
            "--data-dir",
            "/x",
            "lead"
        ])));
        assert!(super::is_command_line(&argv(&[
            "leadscout",
            "--json",
            "search",
            "a"
        ])));
        assert!(super::is_command_line(&argv(&["leadscout", "--help"])));
        assert!(!super::is_command_line(&argv(&["leadscout"])), "the app");
        assert!(
            !super::is_command_line(&argv(&["leadscout", "-psn_0_12345"])),
            "what a desktop launcher may pass goes to the app"
        );
    }
}

/// Whether `args` (the whole argv, program name first) asks for the command line.
pub fn is_command_line(args: &[OsString]) -> bool {
    args.get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| SUBCOMMANDS.contains(&a) || a == "--json" || a.starts_with("--data-dir"))
}

const EXAMPLES: &str = "\
Examples:
  leadscout lead add \"Ada Lovelace\" --email ada@analytical.example
  leadscout lead list --stage Qualified
  leadscout lead move 12 Won
  leadscout pipeline add Renewals
  leadscout lead move 12 Renewals/Open
  leadscout research 12 --wait
  leadscout import contacts.csv --dry-run
  leadscout export --format json --output leads.json
  leadscout backup ~/leadscout-backup.sqlite3
  leadscout extract https://example.com/about

Every command works on the same data as the Leadscout app, even while the app is open.
Add --json to any command to get the result as JSON for a script.";

/// Leadscout from the command line: your leads, research, import and export, on the same
/// data as the app.
#[derive(Debug, Parser)]
#[command(name = "leadscout", version, after_help = EXAMPLES)]
struct Cli {
    /// Print the result as JSON, for scripts.
    #[arg(long, global = true)]
    json: bool,
    /// Use the data in this folder instead of the app's own (also: LEADSCOUT_DATA_DIR).
    #[arg(long, global = true, value_name = "FOLDER")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Add, list, show or move leads.
    #[command(subcommand)]
    Lead(LeadCommand),
    /// List or add pipelines (boards of their own stages, such as renewals).
    #[command(subcommand)]
    Pipeline(PipelineCommand),
    /// Find leads, companies and notes by any word in them.
    Search {
        /// What to look for, e.g. a name, a company or a word from a note.
        #[arg(required = true)]
        words: Vec<String>,
    },
    /// Research a lead's company on the web (and with your AI model, if one is set up).
    Research {
        /// The lead's number (see `leadscout lead list`).
        lead: i64,
        /// Wait until the research is done and show what it found.
        #[arg(long)]
        wait: bool,
        /// Redo every step, even ones whose results are still fresh.
        #[arg(long)]
        again: bool,
    },
    /// Import contacts from a CSV export or a vCard (.vcf) file.
    Import {
        /// The file to import.
        file: PathBuf,
        /// Only show what would be imported; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// The tool that wrote the file (e.g. "HubSpot", "LinkedIn Connections"), when the
        /// guess is wrong.
        #[arg(long, value_name = "NAME")]
        preset: Option<String>,
        /// What to do with a contact you already have.
        #[arg(long, value_enum, default_value_t = DuplicatesArg::Skip)]
        duplicates: DuplicatesArg,
        /// The pipeline whose first stage the new leads go to (its name or number); the first
        /// pipeline when left out.
        #[arg(long, value_name = "NAME")]
        pipeline: Option<String>,
    },
    /// Export every lead as CSV, JSON or vCard.
    Export {
        #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
        format: FormatArg,
        /// The file to write; without it the export is printed.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Save a copy of all your data to a file.
    Backup {
        /// Where to save the backup.
        file: PathBuf,
    },
    /// Bring your data back from a backup: it is checked now and replaces your current data
    /// the next time the Leadscout app starts (your current data is kept beside it).
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Show what research reads from one web page or saved HTML file: text, details,
    /// structured data, social profiles, contacts and signals.
    Extract {
        /// A web address (https://...) or an .html file.
        source: String,
    },
}

#[derive(Debug, Subcommand)]
enum LeadCommand {
    /// Add a lead.
    Add {
        /// The person's full name.
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// The company they work for.
        #[arg(long)]
        company: Option<String>,
        /// The company's website.
        #[arg(long)]
        website: Option<String>,
        /// The stage to put the lead in (its name or number); the first one when left out.
        #[arg(long)]
        stage: Option<String>,
    },
    /// List your leads, stage by stage.
    List {
        /// Only this stage (its name or number).
        #[arg(long)]
        stage: Option<String>,
    },
    /// Show one lead with its company, research and timeline.
    Show {
        /// The lead's number.
        lead: i64,
    },
    /// Move a lead to another stage (to the bottom of it).
    Move {
        /// The lead's number.
        lead: i64,
        /// The stage's name or number.
        stage: String,
    },
}

#[derive(Debug, Subcommand)]
enum PipelineCommand {
    /// List the pipelines with their stages.
    List,
    /// Add a pipeline, with "Open", "Won" and "Lost" or the stages of another one.
    Add {
        /// Its name, e.g. "Renewals".
        name: String,
        /// Start with the stages of this pipeline (its name or number).
        #[arg(long, value_name = "PIPELINE")]
        copy_stages_from: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DuplicatesArg {
    /// Leave the contact you have as it is.
    Skip,
    /// Fill the empty fields of the contact you have.
    Merge,
    /// Add it again as a new lead.
    Create,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    /// CSV that Excel opens with accents intact.
    CsvExcel,
    Json,
    Vcard,
}

/// What a command prints: words for a person, or JSON; `failed` makes the exit code 1.
struct Reply {
    text: String,
    json: serde_json::Value,
    failed: bool,
    /// Bytes printed as they are (an export without `--output`).
    raw: Option<Vec<u8>>,
}

impl Reply {
    fn ok(text: impl Into<String>, json: serde_json::Value) -> Reply {
        Reply {
            text: text.into(),
            json,
            failed: false,
            raw: None,
        }
    }
}

/// A failure, in one sentence for stderr.
#[derive(Debug)]
struct Failure(String);

impl From<AppError> for Failure {
    fn from(err: AppError) -> Self {
        Failure(err.message)
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure(message)
    }
}

type Outcomes<T> = Result<T, Failure>;

/// Runs the command line on `args` (program name first) and returns the exit code: 0 when
/// it worked, 1 when it failed (the reason on stderr), 2 for arguments it did not understand.
pub fn run(args: Vec<OsString>) -> i32 {
    run_with(args, &mut std::io::stdout(), &mut std::io::stderr())
}

/// [`run`], printing to `out` and `err`.
pub fn run_with(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(parse) => {
            let text = parse.render().to_string();
            return if parse.use_stderr() {
                let _ = write!(err, "{text}");
                2
            } else {
                let _ = write!(out, "{text}");
                0
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = writeln!(err, "Leadscout could not start: {e}.");
            return 1;
        }
    };
    let json = cli.json;
    let printed = match runtime.block_on(execute(cli)) {
        Ok(reply) => {
            let written = if let Some(raw) = &reply.raw {
                out.write_all(raw)
            } else if json {
                writeln!(out, "{}", reply.json)
            } else if reply.failed {
                writeln!(err, "{}", reply.text.trim_end())
            } else {
                writeln!(out, "{}", reply.text.trim_end())
            };
            written.map(|()| i32::from(reply.failed))
        }
        Err(Failure(message)) => writeln!(err, "{message}").map(|()| 1),
    };
    // Output that cannot be written (a closed pipe) is a failure too.
    printed.unwrap_or(1)
}

async fn open(data_dir: Option<PathBuf>) -> Outcomes<Leadscout> {
    let dir = match data_dir {
        Some(dir) => dir,
        None => resolve_data_dir(default_data_dir())?,
    };
    // The command line leaves a restore staged for the app's next start: applying it here
    // could replace the database under a running app.
    let store = open_database(&dir).await.map_err(|reason| {
        format!(
            "Leadscout could not open its data in {}: {reason}",
            dir.display()
        )
    })?;
    Ok(Leadscout::new(
        store,
        dir,
        Arc::new(leadscout_llm::keys::OsKeychain),
    ))
}

async fn execute(cli: Cli) -> Outcomes<Reply> {
    // Reading a page needs no data folder.
    if let Command::Extract { source } = &cli.command {
        return extract::extract(source).await;
    }
    let app = open(cli.data_dir).await?;
    match cli.command {
        Command::Lead(command) => lead(&app, command).await,
        Command::Pipeline(PipelineCommand::List) => {
            let pipelines = app.pipelines().await?;
            let stages = app.stages().await?;
            Ok(Reply::ok(
                print::pipelines(&pipelines, &stages),
                json!({ "pipelines": pipelines, "stages": stages }),
            ))
        }
        Command::Pipeline(PipelineCommand::Add {
            name,
            copy_stages_from,
        }) => {
            let copy = match copy_stages_from {
                Some(wanted) => Some(pipeline(&app, &wanted).await?),
                None => None,
            };
            let created = app
                .create_pipeline(leadscout_domain::NewPipeline {
                    name,
                    copy_stages_from: copy,
                })
                .await?;
            Ok(Reply::ok(
                format!("Added the {} pipeline.", created.name),
                json!(created),
            ))
        }
        Command::Search { words } => {
            let hits = app.search(&words.join(" ")).await?;
            Ok(Reply::ok(print::hits(&hits), json!(hits)))
        }
        Command::Research { lead, wait, again } => research(app, LeadId(lead), wait, again).await,
        Command::Import {
            file,
            dry_run,
            preset,
            duplicates,
            pipeline: wanted,
        } => {
            let pipeline = match wanted {
                Some(wanted) => Some(pipeline(&app, &wanted).await?),
                None => None,
            };
            let choice = preset.map_or(MappingChoice::Suggested, MappingChoice::Preset);
            if dry_run {
                let preview = app.preview_import(&file, &choice).await?;
                return Ok(Reply::ok(print::preview(&preview), json!(preview)));
            }
            let duplicates = match duplicates {
                DuplicatesArg::Skip => Duplicates::Skip,
                DuplicatesArg::Merge => Duplicates::Merge,
                DuplicatesArg::Create => Duplicates::Create,
            };
            let cancel = AtomicBool::new(false);
            let summary = app
                .run_import_into(&file, &choice, duplicates, pipeline, None, &cancel)
                .await?;
            Ok(Reply::ok(print::imported(&summary), json!(summary)))
        }
        Command::Export { format, output } => {
            let format = match format {
                FormatArg::Csv => ExportFormat::Csv,
                FormatArg::CsvExcel => ExportFormat::CsvExcel,
                FormatArg::Json => ExportFormat::Json,
                FormatArg::Vcard => ExportFormat::Vcard,
            };
            match output {
                Some(path) => {
                    let written = app.export_leads(format, path).await?;
                    Ok(Reply::ok(
                        format!("Exported {} leads to {}.", written.leads, written.path),
                        json!(written),
                    ))
                }
                None => {
                    let (bytes, _) = app.export_bytes(format).await?;
                    Ok(Reply {
                        raw: Some(bytes),
                        ..Reply::ok("", json!(null))
                    })
                }
            }
        }
        Command::Backup { file } => {
            let written = app.backup(file).await?;
            Ok(Reply::ok(
                format!("Backed up all your data to {}.", written.path),
                json!(written),
            ))
        }
        Command::Restore { file } => {
            let staged = leadscout_application::stage_restore(&file, app.data_dir()).await?;
            Ok(Reply::ok(
                format!(
                    "The backup is good ({} leads). It replaces your current data the next time \
                     the Leadscout app starts; your current data is kept beside it.",
                    staged.leads
                ),
                json!(staged),
            ))
        }
        Command::Extract { source } => extract::extract(&source).await,
    }
}

/// A pipeline by its name (any case) or number.
async fn pipeline(app: &Leadscout, wanted: &str) -> Outcomes<PipelineId> {
    let pipelines = app.pipelines().await?;
    let wanted = wanted.trim();
    pipelines
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(wanted) || p.id.0.to_string() == wanted)
        .map(|p| p.id)
        .ok_or_else(|| {
            let names: Vec<&str> = pipelines.iter().map(|p| p.name.as_str()).collect();
            Failure(format!(
                "There is no pipeline called {wanted}; the pipelines are: {}.",
                names.join(", ")
            ))
        })
}

/// A stage by its name (any case) or number. A name several pipelines share ("Won") needs its
/// pipeline in front, as `Renewals/Won`.
async fn stage(app: &Leadscout, wanted: &str) -> Outcomes<StageId> {
    let pipelines = app.pipelines().await?;
    let stages = app.stages().await?;
    let wanted = wanted.trim();
    let pipeline_name = |stage: &Stage| {
        pipelines
            .iter()
            .find(|p| p.id == stage.pipeline_id)
            .map_or("", |p| p.name.as_str())
    };
    let full = |stage: &Stage| format!("{}/{}", pipeline_name(stage), stage.name);
    if let Some(stage) = stages.iter().find(|s| s.id.0.to_string() == wanted) {
        return Ok(stage.id);
    }
    let matches: Vec<&Stage> = match wanted.split_once('/') {
        Some((p, name)) => stages
            .iter()
            .filter(|s| {
                pipeline_name(s).eq_ignore_ascii_case(p.trim())
                    && s.name.eq_ignore_ascii_case(name.trim())
            })
            .collect(),
        None => stages
            .iter()
            .filter(|s| s.name.eq_ignore_ascii_case(wanted))
            .collect(),
    };
    match matches.as_slice() {
        [one] => Ok(one.id),
        [] => {
            let names: Vec<String> = if pipelines.len() > 1 {
                stages.iter().map(full).collect()
            } else {
                stages.iter().map(|s| s.name.clone()).collect()
            };
            Err(Failure(format!(
                "There is no stage called {wanted}; the stages are: {}.",
                names.join(", ")
            )))
        }
        several => {
            let names: Vec<String> = several.iter().map(|s| full(s)).collect();
            Err(Failure(format!(
                "More than one pipeline has a stage called {wanted}; name one of {}.",
                names.join(", ")
            )))
        }
    }
}

async fn lead(app: &Leadscout, command: LeadCommand) -> Outcomes<Reply> {
    match command {
        LeadCommand::Add {
            name,
            email,
            company,
            website,
            stage: wanted,
        } => {
            let stage_id = match wanted {
                Some(wanted) => Some(stage(app, &wanted).await?),
                None => None,
            };
            let lead = app
                .create_lead(NewLead {
                    full_name: name,
                    email,
                    company_name: company,
                    website,
                    stage_id,
                })
                .await?;
            let queued = app.latest_run(lead.id).await?.is_some();
            let mut text = format!("Added {} as lead {}.", lead.full_name, lead.id.0);
            if queued {
                text.push_str(
                    " Its research is queued: the Leadscout app runs it, or `leadscout research ",
                );
                text.push_str(&format!("{} --wait` does now.", lead.id.0));
            }
            Ok(Reply::ok(text, json!(lead)))
        }
        LeadCommand::List { stage: wanted } => {
            let mut board = app.board().await?;
            if let Some(wanted) = wanted {
                let id = stage(app, &wanted).await?;
                board.columns.retain(|c| c.stage.id == id);
            }
            Ok(Reply::ok(print::board(&board), json!(board)))
        }
        LeadCommand::Show { lead } => {
            let detail = app.lead_detail(LeadId(lead)).await?;
            let stages = app.stages().await?;
            Ok(Reply::ok(print::detail(&detail, &stages), json!(detail)))
        }
        LeadCommand::Move {
            lead,
            stage: wanted,
        } => {
            let to = stage(app, &wanted).await?;
            let moved = app.move_lead(LeadId(lead), to, None).await?;
            Ok(Reply::ok(
                format!("Moved {} to {wanted}.", moved.full_name),
                json!(moved),
            ))
        }
    }
}

/// Research events are not shown: the command prints the outcome.
struct Quiet;

impl EventSink for Quiet {
    fn emit(&self, _event: RunEvent) {}
}

impl Notifier for Quiet {
    fn notify(&self, _outcome: &Outcome) {}
}

/// How often a waiting command looks at its run.
const POLL: Duration = Duration::from_millis(250);

async fn research(app: Leadscout, lead: LeadId, wait: bool, again: bool) -> Outcomes<Reply> {
    let name = app.lead(lead).await?.full_name;
    let lock = lock_data_dir(app.data_dir());
    let runner = match &lock {
        Some(_) => Some(Arc::new(
            leadscout_application::research::start(
                app.store().clone(),
                app.keychain(),
                app.prompts_dir(),
                Arc::new(Quiet),
                Arc::new(Quiet),
            )
            .await
            .map_err(|e| format!("Research could not start: {e}."))?,
        )),
        None => None,
    };
    let app = app.with_research(runner.clone());
    let request = app.request_research(&[lead], again).await?;
    if let Some(skipped) = request.skipped.first() {
        return Err(Failure(skipped.reason.clone()));
    }
    if runner.is_none() && !wait {
        let run = app.latest_run(lead).await?;
        return Ok(Reply::ok(
            format!(
                "Research of {name} is queued; the Leadscout app that is open runs it. Add --wait \
                 to wait for the result."
            ),
            json!({ "run": run, "runner": "app" }),
        ));
    }
    // This process runs the research (it holds the lock) or the open app does: either way the
    // run is followed in the database until it ends.
    let run = loop {
        if let Some(run) = app.latest_run(lead).await? {
            if matches!(
                run.status,
                RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled
            ) {
                break run;
            }
        }
        tokio::time::sleep(POLL).await;
    };
    if let Some(runner) = &runner {
        runner.stop();
    }
    drop(lock);
    outcome(&app, &name, run, runner.is_some()).await
}

async fn outcome(app: &Leadscout, name: &str, run: RunSummary, here: bool) -> Outcomes<Reply> {
    let detail = app.lead_detail(run.lead_id).await?;
    let runner = if here { "command line" } else { "app" };
    let json = json!({ "run": run, "runner": runner, "lead": detail });
    match run.status {
        RunStatus::Succeeded => Ok(Reply::ok(
            format!("Research of {name} finished.\n{}", print::findings(&detail)),
            json,
        )),
        status => Ok(Reply {
            text: format!(
                "Research of {name} {}: {}",
                if status == RunStatus::Cancelled {
                    "was cancelled"
                } else {
                    "failed"
                },
                run.error.as_deref().unwrap_or("no reason was recorded.")
            ),
            json,
            failed: true,
            raw: None,
        }),
    }
}
