//! Follow-up commands and the tray menu's handlers through Tauri's mock runtime: the JSON the
//! UI sends, against a real database file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use leadscout_app::tray::{self, NewLeadRequested, TrayCommand};
use serde_json::{json, Value};
use tauri::Manager;
use tauri_specta::Event;

mod mock_app;

use mock_app::App;

#[test]
fn a_follow_up_is_set_listed_in_today_snoozed_and_done_through_the_commands() {
    let app = App::start();
    let lead = app.ok(
        "create_lead",
        json!({ "input": { "fullName": "Ada Lovelace", "companyName": "Analytical" } }),
    );
    let id = lead["id"].as_i64().unwrap();

    // A time without a date is refused with a sentence aimed at the date field.
    let err = app.err(
        "set_follow_up",
        json!({ "id": id, "input": { "nextStep": "Call", "date": null, "time": "10:00" } }),
    );
    assert_eq!(err["code"], "validation");
    assert_eq!(err["field"], "nextStepDue");

    // Due yesterday (whatever the machine's zone): overdue in Today.
    let yesterday =
        leadscout_domain::add_days(&leadscout_domain::Timestamp::now().date(), -2).unwrap();
    let updated = app.ok(
        "set_follow_up",
        json!({ "id": id, "input": { "nextStep": "Send the pilot terms", "date": yesterday, "time": "14:30" } }),
    );
    assert_eq!(updated["nextStepTime"], "14:30");
    assert!(updated["followUpAt"].is_i64());
    let today = app.ok("today", json!({}));
    assert_eq!(today["overdue"][0]["fullName"], "Ada Lovelace");
    assert_eq!(today["overdue"][0]["nextStep"], "Send the pilot terms");

    // Snoozed to next week: no longer overdue, listed in the week ahead.
    let snoozed = app.ok(
        "snooze_follow_up",
        json!({ "id": id, "snooze": "nextWeek" }),
    );
    assert!(snoozed["dueAt"].as_i64().unwrap() > updated["followUpAt"].as_i64().unwrap());
    let today = app.ok("today", json!({}));
    assert_eq!(today["overdue"], json!([]));
    assert_eq!(today["upcoming"][0]["fullName"], "Ada Lovelace");

    // Done: cleared, on the timeline, and a second Done answers null.
    let done = app.ok("complete_follow_up", json!({ "id": id }));
    assert_eq!(done["nextStep"], Value::Null);
    assert_eq!(
        app.ok("complete_follow_up", json!({ "id": id })),
        Value::Null
    );
    let detail = app.ok("get_lead", json!({ "id": id }));
    assert_eq!(
        detail["activities"][0]["body"],
        "Follow-up done: Send the pilot terms"
    );
    assert_eq!(app.ok("today", json!({}))["upcoming"], json!([]));

    // Stale rules: saved per stage, refused out of range.
    let board = app.ok("get_board", json!({}));
    let new = board["columns"][0]["stage"]["id"].as_i64().unwrap();
    app.ok(
        "save_stale_rules",
        json!({ "rules": [{ "stageId": new, "days": 14 }] }),
    );
    assert_eq!(
        app.ok("stale_rules", json!({})),
        json!([{ "stageId": new, "days": 14 }])
    );
    let err = app.err(
        "save_stale_rules",
        json!({ "rules": [{ "stageId": new, "days": 0 }] }),
    );
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("between 1 and 365"));
    assert_eq!(app.ok("stale_leads", json!({})), json!([]), "edited today");
}

#[test]
fn the_tray_menu_maps_every_item_and_new_lead_asks_the_window_for_the_form() {
    let app = App::start();
    let handle = app.window.app_handle().clone();
    let asked = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&asked);
    NewLeadRequested::listen(&handle, move |_| *counter.lock().unwrap() += 1);

    let commands: Vec<_> = TrayCommand::IDS
        .iter()
        .map(|id| TrayCommand::from_id(id, true))
        .collect();
    assert_eq!(
        commands,
        [
            Some(TrayCommand::Open),
            Some(TrayCommand::NewLead),
            Some(TrayCommand::PauseResearch(true)),
            Some(TrayCommand::Quit)
        ]
    );
    tray::run(&handle, TrayCommand::Open);
    tray::run(&handle, TrayCommand::NewLead);
    assert_eq!(*asked.lock().unwrap(), 1);
    // No research engine in the mock runtime: pausing is a no-op, not a failure.
    tray::run(&handle, TrayCommand::PauseResearch(true));
    tray::run(&handle, TrayCommand::PauseResearch(false));
}
