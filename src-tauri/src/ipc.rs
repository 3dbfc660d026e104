//! The typed bridge to the UI: one list of commands, from which both the invoke handler and the
//! TypeScript bindings in ui/src/ipc/bindings.ts are generated.

use std::path::Path;

use tauri_specta::{collect_commands, collect_events, Builder};

use crate::commands::{
    activities, app, board, drafts, export, fields, followups, import, keys, lead, logs, models,
    reports, research, search, stages, views,
};
use crate::research::{OpenLead, ResearchProgress};

/// Where the generated bindings live, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/ipc/bindings.ts";

const HEADER: &str = "// Generated from the Rust command signatures by tauri-specta: do not edit.\n\
                      // Regenerate with `make bindings`; `make test` fails when this file drifts.\n";

/// The shape every command's promise resolves to, named so the UI can refer to it.
const RESULT_TYPE: &str = "export type Result<T, E> =\n\t| { status: \"ok\"; data: T }\n\t| { status: \"error\"; error: E };\n";

/// The command list for any runtime: the real window (`Wry`) or Tauri's mock runtime in tests.
pub fn bindings_builder<R: tauri::Runtime>() -> Builder<R> {
    Builder::<R>::new()
        .commands(collect_commands![
            app::app_info,
            app::restore_database,
            board::get_board,
            board::create_lead,
            board::move_lead,
            lead::get_lead,
            lead::update_lead,
            lead::set_lead_tags,
            lead::delete_lead,
            lead::restore_lead,
            lead::add_activity,
            lead::delete_activity,
            lead::merge_leads,
            lead::decide_proposals,
            lead::research_statuses,
            research::research_leads,
            research::cancel_research,
            research::get_settings,
            research::update_settings,
            research::context_inspector,
            research::prompts,
            research::reset_prompt,
            research::run_history,
            research::cost_ledger,
            research::research_estimate,
            research::set_online,
            keys::api_keys,
            keys::set_api_key,
            keys::delete_api_key,
            models::discover_models,
            models::detect_local_models,
            models::test_model,
            import::preview_import,
            import::run_import,
            import::save_import_report,
            import::cancel_import,
            export::export_leads,
            export::backup_database,
            search::search,
            stages::get_stages,
            stages::create_stage,
            stages::update_stage,
            stages::reorder_stages,
            stages::delete_stage,
            stages::create_pipeline,
            stages::rename_pipeline,
            stages::delete_pipeline,
            fields::custom_fields,
            fields::create_custom_field,
            fields::update_custom_field,
            fields::reorder_custom_fields,
            fields::delete_custom_field,
            fields::set_custom_value,
            followups::set_follow_up,
            followups::snooze_follow_up,
            followups::complete_follow_up,
            followups::today,
            followups::mark_today_seen,
            followups::stale_leads,
            followups::stale_rules,
            followups::save_stale_rules,
            activities::log_activity,
            activities::set_lost_reason,
            drafts::draft_email,
            drafts::send_email_draft,
            reports::get_reports,
            views::saved_views,
            views::save_view,
            views::delete_view,
            views::custom_matches,
            // Generic over the runtime; specta only reads its types, which are the same for any.
            logs::open_logs_folder::<tauri::Wry>,
            app::start_at_login::<tauri::Wry>,
            app::set_start_at_login::<tauri::Wry>,
        ])
        .events(collect_events![
            ResearchProgress,
            OpenLead,
            crate::commands::import::ImportProgress,
            crate::commands::import::FileDropped,
            crate::reminders::FollowUpsChanged,
            crate::reminders::OpenToday,
            crate::tray::NewLeadRequested
        ])
        // Row ids and millisecond timestamps stay far below 2^53.
        .dangerously_cast_bigints_to_number()
        // One type per Rust type: the UI reads and writes the same shapes.
        .disable_serde_phases()
}

/// Writes the TypeScript bindings to `path`.
pub fn export_bindings(path: &Path) -> anyhow::Result<()> {
    bindings_builder::<tauri::Wry>()
        .export(
            specta_typescript::Typescript::default()
                .header(HEADER)
                .with_raw(RESULT_TYPE),
            path,
        )
        .map_err(|err| anyhow::anyhow!("could not export the TypeScript bindings: {err}"))
}
