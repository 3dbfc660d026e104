//! Build script of the desktop app: makes sure the embedded UI folder exists, and declares the
//! app's own commands so each one needs an explicit grant in a capability file.

use std::path::Path;

/// Every command the app exposes to the UI. A command missing here cannot be called at all; one
/// listed here still needs `allow-<name>` in src-tauri/capabilities/.
const COMMANDS: &[&str] = &[
    "app_info",
    "get_board",
    "create_lead",
    "get_lead",
    "update_lead",
    "set_lead_tags",
    "move_lead",
    "delete_lead",
    "restore_lead",
    "add_activity",
    "delete_activity",
    "merge_leads",
    "decide_proposals",
    "research_statuses",
    "research_leads",
    "cancel_research",
    "get_settings",
    "update_settings",
    "api_keys",
    "set_api_key",
    "delete_api_key",
    "discover_models",
    "detect_local_models",
    "test_model",
    "context_inspector",
    "prompts",
    "reset_prompt",
    "run_history",
    "cost_ledger",
    "research_estimate",
    "set_online",
    "preview_import",
    "run_import",
    "save_import_report",
    "cancel_import",
    "export_leads",
    "backup_database",
    "restore_database",
    "search",
    "get_stages",
    "create_stage",
    "update_stage",
    "reorder_stages",
    "delete_stage",
    "create_pipeline",
    "rename_pipeline",
    "delete_pipeline",
    "custom_fields",
    "create_custom_field",
    "update_custom_field",
    "reorder_custom_fields",
    "delete_custom_field",
    "set_custom_value",
    "set_follow_up",
    "snooze_follow_up",
    "complete_follow_up",
    "today",
    "mark_today_seen",
    "stale_leads",
    "stale_rules",
    "save_stale_rules",
    "log_activity",
    "set_lost_reason",
    "draft_email",
    "send_email_draft",
    "get_reports",
    "saved_views",
    "save_view",
    "delete_view",
    "custom_matches",
    "open_logs_folder",
    "start_at_login",
    "set_start_at_login",
];

fn main() {
    // `generate_context!` embeds ui/dist and fails to compile when it is missing (a fresh clone
    // before `npm run build`). Write a page that says what to do rather than fail the build.
    let dist = Path::new("ui/dist");
    if !dist.join("index.html").exists() {
        if let Err(err) = std::fs::create_dir_all(dist).and_then(|()| {
            std::fs::write(
                dist.join("index.html"),
                "<!doctype html><meta charset=utf-8><title>Leadscout</title>\
                 <p>The Leadscout UI has not been built. Run <code>make run</code> from the \
                 project folder.</p>\n",
            )
        }) {
            println!("cargo::warning=could not write ui/dist/index.html: {err}");
        }
    }
    println!("cargo::rerun-if-changed=ui/dist");
    println!("cargo::rerun-if-changed=tauri.conf.json");
    println!("cargo::rerun-if-changed=src-tauri/capabilities");

    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri-build failed: {err:#}");
        std::process::exit(1);
    }
}
