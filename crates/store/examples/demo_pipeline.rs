//! Fills a data folder with a small, believable pipeline, for screenshots and for trying the
//! app without typing: `cargo run -p leadscout-store --example demo_pipeline -- <data-dir>`,
//! then `LEADSCOUT_DATA_DIR=<data-dir> make run`. Every person and company here is made up.

#![allow(clippy::expect_used)]

use std::path::PathBuf;

use leadscout_domain::{NewLead, Timestamp};
use leadscout_store::{Store, DATABASE_FILE};

const DAY_MS: i64 = 86_400_000;

/// (stage, name, email, company, website, days ago), top of each column first.
const LEADS: &[(&str, &str, &str, &str, &str, i64)] = &[
    (
        "New",
        "Priya Raman",
        "priya@northwind.example",
        "Northwind Logistics",
        "northwind.example",
        0,
    ),
    (
        "New",
        "Tomás Herrera",
        "",
        "Cobalt Robotics",
        "cobaltrobotics.example",
        1,
    ),
    (
        "New",
        "Hannah Becker",
        "h.becker@kestrel.example",
        "Kestrel Analytics",
        "kestrel.example",
        2,
    ),
    (
        "Contacted",
        "Marcus Chen",
        "marcus@lumen.example",
        "Lumen Health",
        "lumen.example",
        3,
    ),
    (
        "Contacted",
        "Sofia Marino",
        "sofia.marino@verdant.example",
        "Verdant Foods",
        "",
        6,
    ),
    (
        "Qualified",
        "James Okafor",
        "james@brightpath.example",
        "Brightpath Learning",
        "brightpath.example",
        9,
    ),
    (
        "Qualified",
        "Elena Petrova",
        "",
        "Halcyon Energy",
        "halcyon-energy.example",
        12,
    ),
    (
        "Proposal",
        "Daniel Kim",
        "dkim@ridgeline.example",
        "Ridgeline Capital",
        "ridgeline.example",
        15,
    ),
    (
        "Won",
        "Aisha Bello",
        "aisha@orbital.example",
        "Orbital Freight",
        "orbital.example",
        24,
    ),
    (
        "Lost",
        "Lucas Weber",
        "",
        "Pinecrest Studios",
        "pinecrest.example",
        30,
    ),
];

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = PathBuf::from(
        std::env::args_os()
            .nth(1)
            .expect("usage: demo_pipeline <data-dir>"),
    );
    std::fs::create_dir_all(&dir).expect("create the data folder");
    let store = Store::open(&dir.join(DATABASE_FILE))
        .await
        .expect("open the database");
    let stages = store.stages().await.expect("read stages");
    let now = Timestamp::now();

    // New leads go on top of their column, so add each column bottom-up.
    for (stage, name, email, company, website, days_ago) in LEADS.iter().rev() {
        let stage = stages
            .iter()
            .find(|s| s.name == *stage)
            .expect("a default stage");
        let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let draft = NewLead {
            full_name: (*name).to_owned(),
            email: optional(email),
            company_name: optional(company),
            website: optional(website),
            stage_id: Some(stage.id),
        }
        .validate()
        .expect("demo data is valid");
        let at = Timestamp(now.0 - days_ago * DAY_MS - 3_600_000);
        store.create_lead(&draft, at).await.expect("create lead");
    }
    store.close().await;
    println!("{} leads written to {}", LEADS.len(), dir.display());
}
