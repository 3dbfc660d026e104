//! Fills a data folder with a small, believable pipeline, for screenshots and for trying the
//! app without typing: `cargo run -p leadscout-store --example demo_pipeline -- <data-dir>`,
//! then `LEADSCOUT_DATA_DIR=<data-dir> make run`. Every person and company here is made up.

#![allow(clippy::expect_used)]

use std::path::PathBuf;

use leadscout_domain::{ActivityKind, LeadEdit, LeadField, NewActivity, NewLead, Timestamp};
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

type Detail = (
    &'static str,
    &'static str,
    &'static str,
    Option<i64>,
    &'static [&'static str],
    &'static str,
);

/// Title, deal value, next step, due in days from today, tags and a first note.
const DETAILS: &[(&str, Detail)] = &[
    (
        "Priya Raman",
        (
            "Head of Operations",
            "48k",
            "Intro call about route planning",
            Some(2),
            &["Logistics", "EMEA"],
            "Inbound from the webinar; asked about pricing for 40 depots.",
        ),
    ),
    (
        "Tomás Herrera",
        (
            "CTO",
            "120k",
            "Send the security questionnaire",
            Some(-1),
            &["Robotics"],
            "Met at the expo; evaluating two vendors.",
        ),
    ),
    (
        "Marcus Chen",
        (
            "VP Clinical Ops",
            "75k",
            "Follow up on the pilot scope",
            Some(5),
            &["Healthcare", "Pilot"],
            "Wants a pilot in Q1 with one clinic.",
        ),
    ),
    (
        "James Okafor",
        (
            "Director of Learning",
            "32k",
            "Demo for the L&D team",
            Some(1),
            &["Education"],
            "Budget approved for next quarter.",
        ),
    ),
    (
        "Elena Petrova",
        (
            "Procurement Lead",
            "210k",
            "Legal review of the MSA",
            Some(-3),
            &["Energy", "Enterprise"],
            "Procurement needs SOC 2 report.",
        ),
    ),
    (
        "Daniel Kim",
        (
            "Partner",
            "90k",
            "Proposal walkthrough",
            Some(3),
            &["Finance"],
            "Proposal sent; decision by month end.",
        ),
    ),
    (
        "Aisha Bello",
        (
            "COO",
            "64k",
            "Kick-off meeting",
            Some(7),
            &["Logistics"],
            "Signed a one-year contract.",
        ),
    ),
];

/// Days since 1970-01-01 to YYYY-MM-DD.
fn civil(days: i64) -> String {
    leadscout_domain::Timestamp(days * 86_400_000).date()
}

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
    // A demo user past the first-run welcome, who sells something the leads could want.
    let settings = leadscout_domain::Settings {
        onboarded: true,
        profile: leadscout_domain::MyProfile {
            company: "Northwind Ops".into(),
            offering: "Route planning software for regional logistics and field teams".into(),
            ideal_customer: "Operations leaders at companies with 50-500 people".into(),
        },
        ..leadscout_domain::Settings::default()
    };
    store
        .save_settings(&settings, now)
        .await
        .expect("save settings");

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
        let lead = store.create_lead(&draft, at).await.expect("create lead");
        if let Some((title, value, step, due_in_days, tags, note)) =
            DETAILS.iter().find(|d| d.0 == *name).map(|d| d.1)
        {
            let due = due_in_days.map(|d| {
                // A date relative to today, as YYYY-MM-DD (civil-from-days, proleptic Gregorian).
                let days = (now.0 / DAY_MS) + d;
                civil(days)
            });
            for (field, value) in [
                (LeadField::Title, Some(title.to_owned())),
                (LeadField::DealValue, Some(value.to_owned())),
                (LeadField::NextStep, Some(step.to_owned())),
                (LeadField::NextStepDue, due),
            ] {
                let edit = LeadEdit { field, value }.validate().expect("demo edit");
                store.update_lead(lead.id, &edit, at).await.expect("edit");
            }
            let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
            store.set_tags(lead.id, &tags, at).await.expect("tags");
            let note = NewActivity {
                lead_id: lead.id,
                kind: ActivityKind::Note,
                body: note.to_owned(),
                outcome: None,
                occurred_at: Some(at),
            }
            .validate()
            .expect("note");
            store.add_activity(&note, at).await.expect("note");
        }
    }
    store.close().await;
    println!("{} leads written to {}", LEADS.len(), dir.display());
}
