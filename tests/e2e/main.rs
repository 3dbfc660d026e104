//! End to end: the real app in a real WebKit window under Xvfb, driven over WebDriver.
//!
//! One test per user journey, grouped by feature: the board, the lead drawer, research and its
//! review, Settings (first run, your data), Today, reports and the tray. Every test starts the
//! app through the one fixture, [`harness::App`].

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod board;
mod drawer;
mod fields;
mod pipelines;
mod reports;
mod research;
mod review;
mod settings;
mod today;
mod tray;

use leadscout_testkit::e2e as harness;

use harness::{app_binary, find, Setup};

/// The app built for this test run on the data folder `data_dir`.
fn setup(data_dir: &std::path::Path) -> Setup {
    Setup::new(app_binary(env!("CARGO_BIN_EXE_leadscout")), data_dir)
}

const DEFAULT_STAGES: [&str; 6] = ["New", "Contacted", "Qualified", "Proposal", "Won", "Lost"];

async fn fill(client: &fantoccini::Client, name: &str, text: &str) {
    let input = find(
        client,
        &format!("[data-testid=new-lead-dialog] [name={name}]"),
    )
    .await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

async fn text_of(client: &fantoccini::Client, css: &str) -> String {
    find(client, css)
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Adds a lead through the new-lead dialog.
async fn add_lead_in_ui(client: &fantoccini::Client, name: &str, website: &str) {
    find(client, "[data-testid=new-lead]")
        .await
        .click()
        .await
        .unwrap();
    find(client, "[data-testid=new-lead-dialog]").await;
    fill(client, "fullName", name).await;
    fill(client, "website", website).await;
    find(client, "[data-testid=create-lead-submit]")
        .await
        .click()
        .await
        .unwrap();
}
