//! The CRM core against real SQLite files: companies, edits, moves, tags, timeline, stages and
//! search.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_domain::{
    ActivityKind, FieldValue, LeadEdit, LeadField, LeadId, NewActivity, NewLead, SearchKind,
    StageId, StageKind, Timestamp, MATCH_END, MATCH_START,
};
use leadscout_store::{Placement, Store, StoreError, DATABASE_FILE};

const NOW: Timestamp = Timestamp(1_764_000_000_000);

struct Db {
    store: Store,
    _dir: tempfile::TempDir,
}

async fn open() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    Db { store, _dir: dir }
}

async fn add(
    store: &Store,
    name: &str,
    email: Option<&str>,
    company: Option<&str>,
    website: Option<&str>,
) -> LeadId {
    let draft = NewLead {
        full_name: name.into(),
        email: email.map(Into::into),
        company_name: company.map(Into::into),
        website: website.map(Into::into),
        stage_id: None,
    }
    .validate()
    .unwrap();
    store.create_lead(&draft, NOW).await.unwrap().id
}

fn edit(field: LeadField, value: &str) -> FieldValue {
    LeadEdit {
        field,
        value: Some(value.into()),
    }
    .validate()
    .unwrap()
}

async fn stage(store: &Store, name: &str) -> StageId {
    store
        .stages()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
        .id
}

async fn names_in(store: &Store, stage_name: &str) -> Vec<String> {
    let board = store.board().await.unwrap();
    board
        .columns
        .into_iter()
        .find(|c| c.stage.name == stage_name)
        .unwrap()
        .leads
        .into_iter()
        .map(|l| l.full_name)
        .collect()
}

#[tokio::test]
async fn leads_at_the_same_registrable_domain_share_one_company() {
    let db = open().await;
    let s = &db.store;
    let ada = add(
        s,
        "Ada",
        None,
        Some("Acme Inc"),
        Some("https://www.acme.co.uk/about"),
    )
    .await;
    let bob = add(s, "Bob", None, None, Some("shop.acme.co.uk")).await;
    let eve = add(s, "Eve", Some("eve@mail.acme.co.uk"), None, None).await;
    let gus = add(s, "Gus", Some("gus@gmail.com"), None, None).await;
    let ida = add(s, "Ida", None, Some("Globex"), None).await;
    let jon = add(s, "Jon", None, Some("globex"), None).await;

    let lead = |id| async move { s.lead(id).await.unwrap().unwrap() };
    let company = lead(ada).await.company_id.unwrap();
    assert_eq!(lead(bob).await.company_id, Some(company));
    assert_eq!(lead(eve).await.company_id, Some(company));
    assert_eq!(
        lead(bob).await.company_name.as_deref(),
        Some("Acme Inc"),
        "the shared name shows on every lead"
    );
    assert_eq!(
        lead(gus).await.company_id,
        None,
        "a mailbox provider is not an employer"
    );
    assert_eq!(
        lead(ida).await.company_id,
        lead(jon).await.company_id,
        "name-only companies match ignoring case"
    );
    assert_ne!(lead(ida).await.company_id, Some(company));

    let acme = s.company(company).await.unwrap().unwrap();
    assert_eq!(acme.domain.as_deref(), Some("acme.co.uk"));
    assert_eq!(
        acme.website.as_deref(),
        Some("https://www.acme.co.uk/about")
    );

    // Renaming the company on one lead renames it for all.
    s.update_lead(bob, &edit(LeadField::CompanyName, "ACME Group"), NOW)
        .await
        .unwrap();
    assert_eq!(lead(ada).await.company_name.as_deref(), Some("ACME Group"));
    assert_eq!(
        s.company(company).await.unwrap().unwrap().name.as_deref(),
        Some("ACME Group")
    );

    // Changing the website moves the lead to another company.
    s.update_lead(bob, &edit(LeadField::Website, "initech.com"), NOW)
        .await
        .unwrap();
    let bob_now = lead(bob).await;
    assert_ne!(bob_now.company_id, Some(company));
    assert_eq!(
        s.company(bob_now.company_id.unwrap())
            .await
            .unwrap()
            .unwrap()
            .domain
            .as_deref(),
        Some("initech.com")
    );
}

#[tokio::test]
async fn every_field_can_be_edited_and_a_typed_value_clears_its_research_marker() {
    let db = open().await;
    let s = &db.store;
    let id = add(s, "Ada Lovelace", None, None, None).await;
    let cases = [
        (LeadField::Title, "VP Sales"),
        (LeadField::Phone, "+44 20 7946 0958"),
        (LeadField::LinkedinUrl, "linkedin.com/in/ada"),
        (LeadField::Source, "Referral"),
        (LeadField::DealValue, "12.5k"),
        (LeadField::Currency, "eur"),
        (LeadField::NextStep, "Send the proposal"),
        (LeadField::NextStepDue, "2026-12-03"),
        (LeadField::Email, "ada@analytical.example"),
    ];
    for (field, value) in cases {
        s.update_lead(id, &edit(field, value), Timestamp(NOW.0 + 1))
            .await
            .unwrap();
    }
    let lead = s.lead(id).await.unwrap().unwrap();
    assert_eq!(lead.title.as_deref(), Some("VP Sales"));
    assert_eq!(lead.phone.as_deref(), Some("+442079460958"));
    assert_eq!(
        lead.linkedin_url.as_deref(),
        Some("https://www.linkedin.com/in/ada")
    );
    assert_eq!(lead.deal_value, Some(1_250_000));
    assert_eq!(lead.currency, "EUR");
    assert_eq!(lead.next_step_due.as_deref(), Some("2026-12-03"));
    assert_eq!(lead.updated_at, Timestamp(NOW.0 + 1));

    // Research wrote the title; the user then types over it.
    let pool = sqlx::SqlitePool::connect_with(leadscout_store::connect_options(s.path()))
        .await
        .unwrap();
    sqlx::query("UPDATE leads SET researched_fields = '[\"title\",\"phone\"]' WHERE id = ?")
        .bind(id.0)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        s.lead(id).await.unwrap().unwrap().researched_fields,
        [LeadField::Title, LeadField::Phone]
    );
    s.update_lead(id, &edit(LeadField::Title, "CEO"), NOW)
        .await
        .unwrap();
    assert_eq!(
        s.lead(id).await.unwrap().unwrap().researched_fields,
        [LeadField::Phone]
    );

    // Clearing works, and a required field cannot be cleared.
    let cleared = LeadEdit {
        field: LeadField::Phone,
        value: None,
    }
    .validate()
    .unwrap();
    assert_eq!(s.update_lead(id, &cleared, NOW).await.unwrap().phone, None);
    assert!(LeadEdit {
        field: LeadField::FullName,
        value: Some(" ".into())
    }
    .validate()
    .is_err());
    assert!(matches!(
        s.update_lead(LeadId(999), &edit(LeadField::Title, "x"), NOW)
            .await,
        Err(StoreError::LeadNotFound(_))
    ));
}

#[tokio::test]
async fn cards_move_within_and_across_columns_and_stage_changes_reach_the_timeline() {
    let db = open().await;
    let s = &db.store;
    let c = add(s, "C", None, None, None).await;
    let b = add(s, "B", None, None, None).await;
    let a = add(s, "A", None, None, None).await;
    let new = stage(s, "New").await;
    let qualified = stage(s, "Qualified").await;
    assert_eq!(names_in(s, "New").await, ["A", "B", "C"]);

    s.move_lead(
        a,
        Placement {
            stage_id: new,
            before: None,
        },
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(names_in(s, "New").await, ["B", "C", "A"]);
    s.move_lead(
        a,
        Placement {
            stage_id: new,
            before: Some(c),
        },
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(names_in(s, "New").await, ["B", "A", "C"]);
    assert!(
        s.activities(a).await.unwrap().is_empty(),
        "a move within a column is not news"
    );

    s.move_lead(
        b,
        Placement {
            stage_id: qualified,
            before: None,
        },
        NOW,
    )
    .await
    .unwrap();
    s.move_lead(
        c,
        Placement {
            stage_id: qualified,
            before: Some(b),
        },
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(names_in(s, "New").await, ["A"]);
    assert_eq!(names_in(s, "Qualified").await, ["C", "B"]);
    let timeline = s.activities(b).await.unwrap();
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0].kind, ActivityKind::StageChange);
    assert_eq!(timeline[0].body, "Moved from New to Qualified");

    // Placing next to a card of another column is refused, not guessed.
    assert!(matches!(
        s.move_lead(
            a,
            Placement {
                stage_id: new,
                before: Some(b)
            },
            NOW
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.move_lead(
            a,
            Placement {
                stage_id: StageId(999),
                before: None
            },
            NOW
        )
        .await,
        Err(StoreError::StageNotFound(_))
    ));
}

#[tokio::test]
async fn a_column_without_room_between_two_cards_is_respaced() {
    let db = open().await;
    let s = &db.store;
    let ids = [
        add(s, "D", None, None, None).await,
        add(s, "C", None, None, None).await,
        add(s, "B", None, None, None).await,
        add(s, "A", None, None, None).await,
    ];
    let pool = sqlx::SqlitePool::connect_with(leadscout_store::connect_options(s.path()))
        .await
        .unwrap();
    for (i, id) in ids.iter().rev().enumerate() {
        sqlx::query("UPDATE leads SET position = ? WHERE id = ?")
            .bind(i as i64)
            .bind(id.0)
            .execute(&pool)
            .await
            .unwrap();
    }
    // Positions are now 0,1,2,3 (A,B,C,D): no integer between B and C.
    let new = stage(s, "New").await;
    s.move_lead(
        ids[0],
        Placement {
            stage_id: new,
            before: Some(ids[1]),
        },
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(names_in(s, "New").await, ["A", "B", "D", "C"]);
    // Many moves into the same slot keep the order right.
    for _ in 0..40 {
        s.move_lead(
            ids[3],
            Placement {
                stage_id: new,
                before: Some(ids[0]),
            },
            NOW,
        )
        .await
        .unwrap();
        s.move_lead(
            ids[3],
            Placement {
                stage_id: new,
                before: Some(ids[1]),
            },
            NOW,
        )
        .await
        .unwrap();
    }
    assert_eq!(names_in(s, "New").await, ["B", "D", "A", "C"]);
}

#[tokio::test]
async fn a_deleted_lead_leaves_board_and_search_and_comes_back_where_it_was() {
    let db = open().await;
    let s = &db.store;
    let b = add(s, "Grace Hopper", None, None, None).await;
    let a = add(s, "Ada Lovelace", None, None, None).await;
    let _ = a;
    s.add_activity(&note(b, "Compiler budget approved"), NOW)
        .await
        .unwrap();
    s.delete_lead(b, NOW).await.unwrap();
    assert_eq!(names_in(s, "New").await, ["Ada Lovelace"]);
    assert!(s.lead(b).await.unwrap().is_none());
    assert!(s.search("grace", 10).await.unwrap().is_empty());
    assert!(
        s.search("compiler", 10).await.unwrap().is_empty(),
        "its notes are hidden too"
    );
    assert!(matches!(
        s.delete_lead(b, NOW).await,
        Err(StoreError::LeadNotFound(_))
    ));

    s.restore_lead(b, NOW).await.unwrap();
    assert_eq!(names_in(s, "New").await, ["Ada Lovelace", "Grace Hopper"]);
    assert_eq!(s.search("grace", 10).await.unwrap()[0].lead_id, Some(b));
    assert_eq!(s.search("compiler", 10).await.unwrap()[0].lead_id, Some(b));
    assert!(matches!(
        s.restore_lead(b, NOW).await,
        Err(StoreError::LeadNotFound(_))
    ));
}

fn note(lead: LeadId, body: &str) -> leadscout_domain::ActivityDraft {
    NewActivity {
        lead_id: lead,
        kind: ActivityKind::Note,
        body: body.into(),
        outcome: None,
        occurred_at: None,
    }
    .validate()
    .unwrap()
}

#[tokio::test]
async fn the_timeline_is_newest_first_and_only_logged_entries_can_be_removed() {
    let db = open().await;
    let s = &db.store;
    let id = add(s, "Ada", None, None, None).await;
    let first = s
        .add_activity(&note(id, "first"), Timestamp(NOW.0))
        .await
        .unwrap();
    let mut call = note(id, "called, left a voicemail");
    call.kind = ActivityKind::Call;
    call.occurred_at = Some(Timestamp(NOW.0 - 86_400_000));
    s.add_activity(&call, NOW).await.unwrap();
    let second = s
        .add_activity(&note(id, "second"), Timestamp(NOW.0 + 5))
        .await
        .unwrap();
    let qualified = stage(s, "Qualified").await;
    s.move_lead(
        id,
        Placement {
            stage_id: qualified,
            before: None,
        },
        Timestamp(NOW.0 + 10),
    )
    .await
    .unwrap();

    let bodies: Vec<String> = s
        .activities(id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.body)
        .collect();
    assert_eq!(
        bodies,
        [
            "Moved from New to Qualified",
            "second",
            "first",
            "called, left a voicemail"
        ]
    );
    let auto = s.activities(id).await.unwrap()[0].id;
    assert!(matches!(
        s.delete_activity(auto, NOW).await,
        Err(StoreError::ActivityNotFound(_))
    ));
    s.delete_activity(first.id, NOW).await.unwrap();
    assert_eq!(s.activities(id).await.unwrap().len(), 3);
    assert!(s.search("first", 10).await.unwrap().is_empty());
    assert_eq!(
        s.search("second", 10).await.unwrap()[0].kind,
        SearchKind::Note
    );
    let _ = second;
    assert!(matches!(
        s.add_activity(&note(LeadId(404), "x"), NOW).await,
        Err(StoreError::LeadNotFound(_))
    ));
}

#[tokio::test]
async fn search_finds_leads_companies_notes_and_tags_as_you_type() {
    let db = open().await;
    let s = &db.store;
    let jose = add(
        s,
        "José Álvarez",
        Some("jose@initech.com"),
        Some("Initech"),
        None,
    )
    .await;
    let ada = add(
        s,
        "Ada Lovelace",
        None,
        Some("Analytical Engines"),
        Some("analytical.example"),
    )
    .await;
    s.add_activity(
        &note(ada, "Wants a pilot for the difference engine in Q3"),
        NOW,
    )
    .await
    .unwrap();
    s.set_tags(ada, &["EMEA".into(), "Enterprise".into()], NOW)
        .await
        .unwrap();

    let hits = s.search("jos", 10).await.unwrap();
    assert_eq!(
        hits[0].lead_id,
        Some(jose),
        "prefix, accents ignored: {hits:?}"
    );
    assert_eq!(hits[0].kind, SearchKind::Lead);
    assert!(hits[0].title.contains("José"));

    let hits = s.search("difference eng", 10).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].kind, hits[0].lead_id),
        (SearchKind::Note, Some(ada))
    );
    assert_eq!(
        hits[0].title, "Ada Lovelace",
        "a note is titled by its lead"
    );
    assert!(
        hits[0]
            .snippet
            .contains(&format!("{MATCH_START}difference{MATCH_END}")),
        "{:?}",
        hits[0].snippet
    );

    let hits = s.search("analytical", 10).await.unwrap();
    assert!(hits
        .iter()
        .any(|h| h.kind == SearchKind::Company && h.lead_id == Some(ada)));
    assert!(hits
        .iter()
        .any(|h| h.kind == SearchKind::Lead && h.lead_id == Some(ada)));

    assert_eq!(
        s.search("emea", 10).await.unwrap()[0].lead_id,
        Some(ada),
        "tags are searchable"
    );

    // Renames are reflected at once; hostile input is just text.
    s.update_lead(jose, &edit(LeadField::FullName, "Joseph Alvarez"), NOW)
        .await
        .unwrap();
    assert!(s
        .search("José", 10)
        .await
        .unwrap()
        .iter()
        .all(|h| h.kind != SearchKind::Lead || h.title == "Joseph Alvarez"));
    for hostile in [
        "\"",
        "AND",
        "ada OR",
        "*",
        "NEAR(",
        "-ada",
        "ada\"*",
        "'; DROP TABLE leads; --",
        "𝔄",
    ] {
        s.search(hostile, 10).await.unwrap();
    }
    assert!(s.search("   ", 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn tags_are_kept_in_order_without_duplicates() {
    let db = open().await;
    let s = &db.store;
    let id = add(s, "Ada", None, None, None).await;
    let lead = s
        .set_tags(id, &["SaaS".into(), "#emea".into(), "saas".into()], NOW)
        .await
        .unwrap();
    assert_eq!(lead.tags, ["SaaS", "emea"]);
    let lead = s.set_tags(id, &[], NOW).await.unwrap();
    assert!(lead.tags.is_empty());
}

#[tokio::test]
async fn the_pipeline_can_be_edited_and_deleting_a_stage_keeps_its_leads() {
    let db = open().await;
    let s = &db.store;
    let demo = s
        .create_stage("Demo booked", StageKind::Open, None, NOW)
        .await
        .unwrap();
    assert_eq!(demo.position, 6);
    assert!(matches!(
        s.create_stage("demo BOOKED", StageKind::Open, None, NOW)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let demo = s
        .update_stage(demo.id, Some("Demo"), None, Some("#123abc"), NOW)
        .await
        .unwrap();
    assert_eq!(
        (demo.name.as_str(), demo.color.as_str(), demo.kind),
        ("Demo", "#123abc", StageKind::Open)
    );

    let mut order: Vec<StageId> = s.stages().await.unwrap().iter().map(|s| s.id).collect();
    let demo_id = order.pop().unwrap();
    order.insert(2, demo_id);
    let names: Vec<String> = s
        .reorder_stages(&order, NOW)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(
        names,
        [
            "New",
            "Contacted",
            "Demo",
            "Qualified",
            "Proposal",
            "Won",
            "Lost"
        ]
    );
    assert!(matches!(
        s.reorder_stages(&order[1..], NOW).await,
        Err(StoreError::Conflict(_))
    ));

    // Two leads in Demo, one already in Contacted: deleting Demo appends them in order.
    let contacted = stage(s, "Contacted").await;
    let x = add(s, "X", None, None, None).await;
    s.move_lead(
        x,
        Placement {
            stage_id: contacted,
            before: None,
        },
        NOW,
    )
    .await
    .unwrap();
    let b = add(s, "B", None, None, None).await;
    let a = add(s, "A", None, None, None).await;
    for id in [a, b] {
        s.move_lead(
            id,
            Placement {
                stage_id: demo_id,
                before: None,
            },
            NOW,
        )
        .await
        .unwrap();
    }
    s.delete_lead(b, NOW).await.unwrap();
    s.delete_stage(demo_id, contacted, NOW).await.unwrap();
    assert_eq!(names_in(s, "Contacted").await, ["X", "A"]);
    s.restore_lead(b, NOW).await.unwrap();
    assert_eq!(names_in(s, "Contacted").await, ["X", "A", "B"]);
    assert_eq!(
        s.activities(a).await.unwrap()[0].body,
        "Moved from Demo to Contacted when Demo was deleted"
    );
    assert!(matches!(
        s.delete_stage(contacted, contacted, NOW).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.delete_stage(demo_id, contacted, NOW).await,
        Err(StoreError::StageNotFound(_))
    ));
}

#[tokio::test]
async fn column_totals_sum_deal_values_per_currency() {
    let db = open().await;
    let s = &db.store;
    for (name, value, currency) in [
        ("A", "1,000", "USD"),
        ("B", "2.5k", "USD"),
        ("C", "900", "EUR"),
    ] {
        let id = add(s, name, None, None, None).await;
        s.update_lead(id, &edit(LeadField::DealValue, value), NOW)
            .await
            .unwrap();
        s.update_lead(id, &edit(LeadField::Currency, currency), NOW)
            .await
            .unwrap();
    }
    add(s, "No value", None, None, None).await;
    let board = s.board().await.unwrap();
    let totals: Vec<(String, i64)> = board.columns[0]
        .value_totals
        .iter()
        .map(|t| (t.currency.clone(), t.amount))
        .collect();
    assert_eq!(
        totals,
        [("USD".to_owned(), 350_000), ("EUR".to_owned(), 90_000)]
    );
}

#[tokio::test]
async fn research_is_queued_exactly_for_leads_the_domain_rule_calls_researchable() {
    let db = open().await;
    let s = &db.store;
    let cases: [(&str, Option<&str>, Option<&str>); 4] = [
        ("Website", None, Some("https://www.acme.example/")),
        ("Work email", Some("bea@initech.example"), None),
        ("Mailbox", Some("gus@gmail.com"), None),
        ("Nothing", None, None),
    ];
    for (name, email, website) in cases {
        let draft = NewLead {
            full_name: name.into(),
            email: email.map(Into::into),
            company_name: Some("Some Firm".into()),
            website: website.map(Into::into),
            stage_id: None,
        }
        .validate()
        .unwrap();
        let (lead, run) = s
            .create_lead_and_research(&draft, "lead_research", NOW)
            .await
            .unwrap();
        let rule =
            leadscout_domain::research_domain(lead.website.as_deref(), lead.email.as_deref());
        assert_eq!(run.is_some(), rule.is_some(), "{name}: queued by the rule");
        let detail = s.lead_detail(lead.id).await.unwrap();
        assert_eq!(
            detail.researchable,
            rule.is_some(),
            "{name}: the lead page agrees"
        );
        assert_eq!(
            detail.company.as_ref().and_then(|c| c.domain.clone()),
            rule,
            "{name}: the company is linked by the same domain"
        );
    }
}

#[tokio::test]
async fn the_lead_page_is_read_whole_in_one_transaction() {
    let db = open().await;
    let s = &db.store;
    let id = add(s, "Ada", Some("ada@analytical.example"), None, None).await;
    s.add_activity(
        &NewActivity {
            lead_id: id,
            kind: ActivityKind::Note,
            body: "Met at the conference".into(),
            outcome: None,
            occurred_at: None,
        }
        .validate()
        .unwrap(),
        NOW,
    )
    .await
    .unwrap();
    let detail = s.lead_detail(id).await.unwrap();
    assert_eq!(detail.lead.id, id);
    assert_eq!(
        detail.company.unwrap().domain.as_deref(),
        Some("analytical.example")
    );
    assert_eq!(detail.activities.len(), 1);
    assert!(detail.research.is_none() && detail.insights.is_none());
    assert!(detail.proposals.is_empty() && detail.ai_problem.is_none());
    assert!(matches!(
        s.lead_detail(LeadId(4242)).await,
        Err(StoreError::LeadNotFound(LeadId(4242)))
    ));
}
