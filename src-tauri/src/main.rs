// Keeps a console window from opening next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `leadscout lead list`, `leadscout research 12 --wait`...: the command line, before any
    // window or GTK set-up. No arguments: the app.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if leadscout_cli::is_command_line(&args) {
        std::process::exit(leadscout_cli::run(args));
    }
    std::process::exit(leadscout_app::run());
}
