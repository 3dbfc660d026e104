//! The command line against real data folders (SQLite files in temp dirs), a fixture website
//! on 127.0.0.1 and, for research, the real engine: exit codes, JSON that parses, sentences on
//! stderr, and the data folder's lock deciding who researches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use leadscout_application::TEST_ALLOW_ENV;
use leadscout_domain::{LeadId, RunEvent, RunStatus};
use leadscout_store::{Store, DATABASE_FILE};
use leadscout_workflow::{EventSink, Notifier, Outcome};
use serde_json::Value;

struct Ran {
    code: i32,
    out: String,
    err: String,
}

impl Ran {
    fn json(&self) -> Value {
        assert_eq!(self.code, 0, "stderr: {}", self.err);
        serde_json::from_str(&self.out).unwrap_or_else(|e| panic!("{e}: {}", self.out))
    }
}

fn cli(dir: &Path, args: &[&str]) -> Ran {
    let mut argv: Vec<OsString> = vec!["leadscout".into()];
    argv.extend(args.iter().map(OsString::from));
    argv.push("--data-dir".into());
    argv.push(dir.into());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = leadscout_cli::run_with(argv, &mut out, &mut err);
    Ran {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

/// A fixture folder served as a website on 127.0.0.1 (`/about` is `about.html`).
fn serve(root: PathBuf) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let root = root.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0; 8192];
                let n = stream.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let file = match path.as_str() {
                    "/" => root.join("index.html"),
                    "/robots.txt" | "/sitemap.xml" => root.join(path.trim_start_matches('/')),
                    other => root.join(format!("{}.html", other.trim_start_matches('/'))),
                };
                let (status, body) = match std::fs::read(&file) {
                    Ok(body) => ("200 OK", body),
                    Err(_) => ("404 Not Found", b"not found".to_vec()),
                };
                let kind = if path.ends_with(".txt") {
                    "text/plain"
                } else if path.ends_with(".xml") {
                    "application/xml"
                } else {
                    "text/html; charset=utf-8"
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    addr
}

fn acme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../research/tests/fixtures/sites/acme")
}

/// The fixture site every test shares, which the guard reaches under `acme.example` (debug
/// builds only): one server, so the one process-wide allow list is right for every test.
fn site() -> SocketAddr {
    static SITE: std::sync::OnceLock<SocketAddr> = std::sync::OnceLock::new();
    *SITE.get_or_init(|| {
        let addr = serve(acme());
        std::env::set_var(TEST_ALLOW_ENV, format!("acme.example={addr}"));
        addr
    })
}

#[test]
fn leads_are_added_listed_shown_moved_and_found_with_json_that_parses() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let added = cli(
        &data,
        &[
            "lead",
            "add",
            "Ada Lovelace",
            "--email",
            "ada@gmail.com",
            "--company",
            "Analytical Engines",
            "--stage",
            "qualified",
            "--json",
        ],
    )
    .json();
    let id = added["id"].as_i64().unwrap();
    assert_eq!(added["fullName"], "Ada Lovelace");
    assert!(
        data.join(DATABASE_FILE).is_file(),
        "the data folder was made"
    );

    let board = cli(&data, &["lead", "list", "--stage", "Qualified", "--json"]).json();
    let columns = board["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 1, "only the stage asked for");
    assert_eq!(columns[0]["leads"][0]["id"], id);

    let text = cli(&data, &["lead", "list"]);
    assert_eq!(text.code, 0);
    assert!(text.out.contains("Qualified (1)"), "{}", text.out);
    assert!(text.out.contains("Ada Lovelace"), "{}", text.out);

    let detail = cli(&data, &["lead", "show", &id.to_string(), "--json"]).json();
    assert_eq!(detail["lead"]["id"], id);
    assert_eq!(
        detail["researchable"], false,
        "a gmail address names no company to research"
    );
    let shown = cli(&data, &["lead", "show", &id.to_string()]);
    assert!(
        shown.out.contains("No company website or work email"),
        "{}",
        shown.out
    );

    let moved = cli(&data, &["lead", "move", &id.to_string(), "Won", "--json"]).json();
    let won = board_stage_id(&data, "Won");
    assert_eq!(moved["stageId"], won);

    let hits = cli(&data, &["search", "analytical", "--json"]).json();
    assert!(
        hits.as_array().unwrap().iter().any(|h| h["leadId"] == id),
        "{hits}"
    );
}

fn board_stage_id(data: &Path, name: &str) -> i64 {
    let board = cli(data, &["lead", "list", "--json"]).json();
    board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stage"]["name"] == name)
        .unwrap()["stage"]["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn failures_are_one_sentence_on_stderr_with_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let missing = cli(&data, &["lead", "show", "4242"]);
    assert_eq!(missing.code, 1);
    assert!(missing.out.is_empty());
    assert_eq!(
        missing.err.trim(),
        "That lead no longer exists; it may have been deleted in another window."
    );

    let invalid = cli(&data, &["lead", "add", "Ada", "--email", "not an email"]);
    assert_eq!(invalid.code, 1);
    assert!(
        invalid.err.to_lowercase().contains("email"),
        "{}",
        invalid.err
    );
    assert_eq!(invalid.err.trim().lines().count(), 1, "{}", invalid.err);

    let added = cli(&data, &["lead", "add", "Ada", "--json"]).json();
    let stage = cli(
        &data,
        &["lead", "move", &added["id"].to_string(), "Negotiation"],
    );
    assert_eq!(stage.code, 1);
    assert!(
        stage.err.contains("There is no stage called Negotiation")
            && stage.err.contains("Qualified"),
        "{}",
        stage.err
    );

    let unknown = cli(&data, &["lead", "frobnicate"]);
    assert_eq!(unknown.code, 2, "arguments it does not understand");

    let help = cli(&data, &["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.out.contains("research"), "{}", help.out);
    assert!(help.out.contains("Examples:"), "{}", help.out);
}

#[test]
fn a_file_is_previewed_without_changes_then_imported_with_a_named_preset() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("zoho.csv");
    std::fs::write(
        &file,
        "First Name,Last Name,Email,Favourite Colour,Seats\n\
         Grace,Hopper,grace@navy.example,blue,\"1,200\"\n\
         ,,,green,\n\
         Alan,Turing,alan@bletchley.example,,40\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();

    let preview = cli(&data, &["import", path, "--dry-run", "--json"]).json();
    assert_eq!(preview["rows"], 3);
    assert_eq!(preview["refused"], 1, "the row without a name");
    let board = cli(&data, &["lead", "list", "--json"]).json();
    let count: usize = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["leads"].as_array().unwrap().len())
        .sum();
    assert_eq!(count, 0, "a dry run imports nothing");
    // What is left out is named, with the custom field each column would fit.
    let told = cli(&data, &["import", path, "--dry-run"]);
    assert_eq!(told.code, 0, "{}", told.err);
    assert!(
        told.out.contains(
            "Not imported: column \"Seats\" (2 rows have a value; it fits a number field)."
        ),
        "{}",
        told.out
    );
    assert!(
        told.out
            .contains("column \"Favourite Colour\" (1 row has a value; it fits a text field)"),
        "{}",
        told.out
    );
    assert_eq!(preview["unmapped"][1]["suggested"]["kind"], "number");

    let wrong = cli(&data, &["import", path, "--preset", "Lotus Notes"]);
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.err.contains("Zoho CRM"),
        "lists the presets: {}",
        wrong.err
    );

    let named = cli(
        &data,
        &[
            "import",
            path,
            "--dry-run",
            "--preset",
            "zoho crm",
            "--json",
        ],
    )
    .json();
    assert_eq!(named["mapping"]["preset"], "Zoho CRM");

    let summary = cli(&data, &["import", path, "--preset", "Zoho CRM", "--json"]).json();
    assert_eq!(summary["created"], 2);
    assert_eq!(summary["refused"], 1);
    let again = cli(&data, &["import", path]);
    assert_eq!(again.code, 0);
    assert!(
        again.out.contains("2 skipped as duplicates"),
        "{}",
        again.out
    );
}

#[test]
fn pipelines_are_added_and_named_by_import_list_move_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let added = cli(&data, &["pipeline", "add", "Renewals", "--json"]).json();
    assert_eq!(added["name"], "Renewals");
    let copied = cli(
        &data,
        &["pipeline", "add", "Partners", "--copy-stages-from", "sales"],
    );
    assert_eq!(copied.code, 0, "{}", copied.err);
    assert_eq!(copied.out.trim(), "Added the Partners pipeline.");
    let listed = cli(&data, &["pipeline", "list"]);
    assert!(
        listed.out.contains("Renewals: Open, Won, Lost"),
        "{}",
        listed.out
    );
    assert!(
        listed
            .out
            .contains("Partners: New, Contacted, Qualified, Proposal, Won, Lost"),
        "{}",
        listed.out
    );
    let twice = cli(&data, &["pipeline", "add", "renewals"]);
    assert_eq!(twice.code, 1);
    assert!(twice.err.contains("already a pipeline"), "{}", twice.err);

    // Imports go where --pipeline says; a pipeline that is not there is named as such.
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "Name,Email
Grace Hopper,grace@navy.example
",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let nowhere = cli(&data, &["import", path, "--pipeline", "Upsell"]);
    assert_eq!(nowhere.code, 1);
    assert!(
        nowhere
            .err
            .contains("the pipelines are: Sales, Renewals, Partners"),
        "{}",
        nowhere.err
    );
    assert_eq!(
        cli(&data, &["import", path, "--pipeline", "Renewals", "--json"]).json()["created"],
        1
    );
    let board = cli(
        &data,
        &["lead", "list", "--stage", "Renewals/Open", "--json"],
    )
    .json();
    let grace = &board["columns"][0]["leads"][0];
    assert_eq!(grace["fullName"], "Grace Hopper");
    let id = grace["id"].to_string();

    // "Won" is in every pipeline: the command line asks which.
    let vague = cli(&data, &["lead", "move", &id, "won"]);
    assert_eq!(vague.code, 1);
    assert!(
        vague
            .err
            .contains("name one of Sales/Won, Renewals/Won, Partners/Won"),
        "{}",
        vague.err
    );
    let moved = cli(&data, &["lead", "move", &id, "Partners / Won"]);
    assert_eq!(moved.code, 0, "{}", moved.err);
    let text = cli(&data, &["lead", "list"]).out;
    assert!(text.contains("== Partners =="), "{text}");

    let csv = cli(&data, &["export", "--format", "csv"]).out;
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().contains(",Website,Pipeline,Stage,"));
    assert!(
        lines.next().unwrap().contains(",Partners,Won,"),
        "the lead's pipeline and stage: {csv}"
    );
    let json = cli(&data, &["export", "--format", "json"]).json();
    let names: Vec<&str> = json["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Sales", "Renewals", "Partners"]);
}

#[test]
fn leads_are_exported_backed_up_and_a_backup_staged_for_restore() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    cli(&data, &["lead", "add", "Grace Hopper", "--json"]).json();

    let printed = cli(&data, &["export", "--format", "json"]);
    assert_eq!(printed.code, 0);
    let export: Value = serde_json::from_str(&printed.out).unwrap();
    assert!(printed.out.contains("Grace Hopper"), "{export}");

    let target = dir.path().join("leads.csv");
    let written = cli(
        &data,
        &["export", "--output", target.to_str().unwrap(), "--json"],
    )
    .json();
    assert_eq!(written["leads"], 1);
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("Grace Hopper"));

    let nowhere = cli(&data, &["export", "--output", "/no/such/folder/leads.csv"]);
    assert_eq!(nowhere.code, 1);
    assert!(
        nowhere.err.contains("is not a place a file can be saved"),
        "{}",
        nowhere.err
    );

    let backup = dir.path().join("backup.sqlite3");
    cli(&data, &["backup", backup.to_str().unwrap(), "--json"]).json();
    assert!(backup.is_file());

    let staged = cli(&data, &["restore", backup.to_str().unwrap(), "--json"]).json();
    assert_eq!(staged["leads"], 1);
    let not_a_backup = cli(&data, &["restore", target.to_str().unwrap()]);
    assert_eq!(not_a_backup.code, 1);
    assert!(!not_a_backup.err.is_empty());
}

#[test]
fn a_page_is_extracted_from_a_file_and_from_the_web_through_the_guard() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let about = acme().join("about.html");

    let page = cli(&data, &["extract", about.to_str().unwrap(), "--json"]).json();
    assert!(page["facts"]["title"].is_string(), "{page}");
    assert!(!page["text"].as_str().unwrap().is_empty());
    assert!(page["signals"].is_array());
    assert!(page["links"].is_array());

    // The guard refuses loopback addresses: research never reads the user's own network.
    let local = serve(acme());
    let refused = cli(&data, &["extract", &format!("http://{local}/about")]);
    assert_eq!(refused.code, 1);
    assert!(refused.err.starts_with("Could not read"), "{}", refused.err);

    let addr = site();
    let url = format!("http://acme.example:{}/about", addr.port());
    let fetched = cli(&data, &["extract", &url, "--json"]).json();
    // Served from its own domain, the title loses the "| Acme" site suffix; read from a file
    // there is no site to recognise, so the title stays as written.
    assert_eq!(fetched["facts"]["title"], "About");
    assert_eq!(page["facts"]["title"], "About | Acme");
    assert!(fetched["url"]
        .as_str()
        .unwrap()
        .starts_with("http://acme.example"));
}

/// Research events, unheard: the test follows the database.
struct Quiet;

impl EventSink for Quiet {
    fn emit(&self, _event: RunEvent) {}
}

impl Notifier for Quiet {
    fn notify(&self, _outcome: &Outcome) {}
}

fn add_acme_lead(data: &Path, addr: SocketAddr) -> i64 {
    let website = format!("http://acme.example:{}/", addr.port());
    let lead = cli(
        data,
        &[
            "lead",
            "add",
            "Wile E. Coyote",
            "--website",
            &website,
            "--json",
        ],
    )
    .json();
    lead["id"].as_i64().unwrap()
}

#[test]
fn without_the_app_the_command_line_researches_the_lead_itself() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let addr = site();
    let id = add_acme_lead(&data, addr);

    let outcome = cli(&data, &["research", &id.to_string(), "--wait", "--json"]).json();
    assert_eq!(outcome["run"]["status"], "succeeded", "{outcome}");
    assert_eq!(outcome["runner"], "command line");
    assert!(
        outcome["lead"]["research"]["sources"]
            .as_array()
            .unwrap()
            .len()
            > 1,
        "the company's pages were read: {outcome}"
    );
    assert!(
        !data.join("leadscout.lock").exists()
            || leadscout_application::lock_data_dir(&data).is_some(),
        "the lock is free again"
    );

    let gmail = cli(
        &data,
        &["lead", "add", "Ada", "--email", "ada@gmail.com", "--json"],
    )
    .json();
    let skipped = cli(&data, &["research", &gmail["id"].to_string()]);
    assert_eq!(skipped.code, 1);
    assert_eq!(
        skipped.err.trim(),
        "Ada has no company website or work email to research."
    );
}

#[test]
fn while_the_app_holds_the_lock_the_command_line_only_queues_and_the_app_researches() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let addr = site();
    let id = add_acme_lead(&data, addr);

    // "The app": this test holds the data folder's lock, as a running app does.
    let lock = leadscout_application::lock_data_dir(&data).unwrap();
    let queued = cli(&data, &["research", &id.to_string(), "--json"]).json();
    assert_eq!(queued["runner"], "app");
    assert_eq!(queued["run"]["status"], "queued", "{queued}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = Store::open(&data.join(DATABASE_FILE)).await.unwrap();
        let lead = LeadId(id);
        let before = store.latest_runs(Some(lead)).await.unwrap();
        assert_eq!(before[0].status, RunStatus::Queued, "nobody researched it");
        // The app's engine, started after the run was queued and never woken for it: its idle
        // workers find what another process queued.
        let research = leadscout_application::research::start(
            store.clone(),
            Arc::new(leadscout_llm::keys::OsKeychain),
            data.join("prompts"),
            Arc::new(Quiet),
            Arc::new(Quiet),
        )
        .await
        .unwrap();
        // `--wait` while the app researches: the command line follows the run to its end.
        let follow = {
            let data = data.clone();
            tokio::task::spawn_blocking(move || {
                cli(&data, &["research", &id.to_string(), "--wait", "--json"])
            })
        };
        let waited = follow.await.unwrap().json();
        assert_eq!(waited["runner"], "app", "{waited}");
        assert_eq!(waited["run"]["status"], "succeeded", "{waited}");
        let runs = store.lead_run_history(lead).await.unwrap();
        assert!(
            runs.iter().all(|r| r.status == RunStatus::Succeeded),
            "the queued run and the one --wait asked for both ran in the app: {runs:?}"
        );
        research.stop();
    });
    drop(lock);
}
