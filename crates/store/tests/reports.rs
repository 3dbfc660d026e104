//! The forecast and the reports against a real SQLite file, compared with numbers worked out by
//! hand for a small pipeline whose history is written through the store's own moves.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_domain::{
    FieldValue, LeadEdit, LeadField, LeadId, MoneyTotal, NewLead, StageId, StageKind, Timestamp,
};
use leadscout_store::{Placement, Store, DATABASE_FILE};

const DAY: i64 = 86_400_000;
/// 2026-01-10T12:00:00Z.
const T0: i64 = 1_767_225_600_000 + 9 * DAY + DAY / 2;

struct Db {
    store: Store,
    _dir: tempfile::TempDir,
}

async fn open() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    Db { store, _dir: dir }
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

fn edit(field: LeadField, value: &str) -> FieldValue {
    LeadEdit {
        field,
        value: Some(value.into()),
    }
    .validate()
    .unwrap()
}

async fn lead(store: &Store, name: &str, at: i64, fields: &[(LeadField, &str)]) -> LeadId {
    let draft = NewLead {
        full_name: name.into(),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    let id = store.create_lead(&draft, Timestamp(at)).await.unwrap().id;
    for (field, value) in fields {
        store
            .update_lead(id, &edit(*field, value), Timestamp(at))
            .await
            .unwrap();
    }
    id
}

async fn move_to(store: &Store, id: LeadId, stage: StageId, at: i64) {
    store
        .move_lead(
            id,
            Placement {
                stage_id: stage,
                before: None,
            },
            Timestamp(at),
        )
        .await
        .unwrap();
}

async fn fit(store: &Store, id: LeadId, score: u8) {
    let mut conn = leadscout_store::connect_options(store.path())
        .connect()
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO insights (lead_id, summary, fit_score, fit_verified, body, model, created_at) \
         VALUES (?, 'fixture', ?, 1, '{}', 'fixture', 0)",
    )
    .bind(id.0)
    .bind(i64::from(score))
    .execute(&mut conn)
    .await
    .unwrap();
}

use sqlx::ConnectOptions;

/// A month's won and lost counts and values.
type Outcome<'a> = (&'a str, u32, u32, Vec<MoneyTotal>, Vec<MoneyTotal>);

fn usd(amount: i64) -> MoneyTotal {
    MoneyTotal {
        currency: "USD".into(),
        amount,
    }
}

fn eur(amount: i64) -> MoneyTotal {
    MoneyTotal {
        currency: "EUR".into(),
        amount,
    }
}

/// Six live leads and a deleted one on the default stages (New 10%, Contacted 20%,
/// Qualified 40%, Proposal 60%, Won, Lost):
///
/// | lead | created | moves                                   | value  | source     | tags       | fit |
/// |------|---------|-----------------------------------------|--------|------------|------------|-----|
/// | A    | T0      | Contacted +2d, Qualified +5d, Won +10d  | $1,000 | Referral   | enterprise | 80  |
/// | B    | T0      | Contacted +4d, Lost +6d                 | $500   | Referral   | smb        | 30  |
/// | C    | T0 +1d  | Proposal +3d, Won +22d (Feb 1, 12:00Z)  | €2,000 | Conference | both       | 75  |
/// | D    | T0      | -                                       | -      | -          | -          | -   |
/// | E    | T0      | Lost +1d                                | $300   | -          | -          | -   |
/// | F    | T0      | Qualified +2d; closes 2026-03-15        | $2,000 | -          | -          | 50  |
/// | G    | T0      | Won +1d, then deleted                   | $9,999 | Referral   | -          | -   |
async fn fixture() -> Db {
    let db = open().await;
    let s = &db.store;
    let (contacted, qualified, proposal, won, lost) = (
        stage(s, "Contacted").await,
        stage(s, "Qualified").await,
        stage(s, "Proposal").await,
        stage(s, "Won").await,
        stage(s, "Lost").await,
    );
    use LeadField::{Currency, DealValue, ExpectedClose, Source};
    let a = lead(s, "A", T0, &[(DealValue, "1000"), (Source, "Referral")]).await;
    s.set_tags(a, &["enterprise".into()], Timestamp(T0))
        .await
        .unwrap();
    move_to(s, a, contacted, T0 + 2 * DAY).await;
    move_to(s, a, qualified, T0 + 5 * DAY).await;
    move_to(s, a, won, T0 + 10 * DAY).await;
    fit(s, a, 80).await;

    let b = lead(s, "B", T0, &[(DealValue, "500"), (Source, "Referral")]).await;
    s.set_tags(b, &["smb".into()], Timestamp(T0)).await.unwrap();
    move_to(s, b, contacted, T0 + 4 * DAY).await;
    move_to(s, b, lost, T0 + 6 * DAY).await;
    fit(s, b, 30).await;

    let c = lead(
        s,
        "C",
        T0 + DAY,
        &[
            (DealValue, "2000"),
            (Currency, "EUR"),
            (Source, "Conference"),
        ],
    )
    .await;
    s.set_tags(c, &["enterprise".into(), "smb".into()], Timestamp(T0 + DAY))
        .await
        .unwrap();
    move_to(s, c, proposal, T0 + 3 * DAY).await;
    move_to(s, c, won, T0 + 22 * DAY).await;
    fit(s, c, 75).await;

    lead(s, "D", T0, &[]).await;

    let e = lead(s, "E", T0, &[(DealValue, "300")]).await;
    move_to(s, e, lost, T0 + DAY).await;

    let f = lead(
        s,
        "F",
        T0,
        &[(DealValue, "2000"), (ExpectedClose, "2026-03-15")],
    )
    .await;
    move_to(s, f, qualified, T0 + 2 * DAY).await;
    fit(s, f, 50).await;

    let g = lead(s, "G", T0, &[(DealValue, "9999"), (Source, "Referral")]).await;
    move_to(s, g, won, T0 + DAY).await;
    s.delete_lead(g, Timestamp(T0 + 2 * DAY)).await.unwrap();
    db
}

#[tokio::test]
async fn forecast_weighs_open_deals_by_stage_probability() {
    let db = fixture().await;
    let f = db.store.forecast().await.unwrap();
    let by_name = |name: &str| f.stages.iter().find(|s| s.name == name).unwrap().clone();
    let new = by_name("New");
    assert_eq!((new.deals, new.value.clone()), (1, vec![]));
    let qualified = by_name("Qualified");
    assert_eq!(qualified.probability, 40);
    assert_eq!(qualified.weighted, vec![usd(80_000)]);
    let won = by_name("Won");
    assert_eq!(won.value, vec![eur(200_000), usd(100_000)]);
    assert_eq!(by_name("Lost").weighted, vec![usd(0)]);
    assert_eq!(f.open_value, vec![usd(200_000)]);
    assert_eq!(f.open_weighted, vec![usd(80_000)]);
    let months: Vec<(Option<&str>, u32)> = f
        .months
        .iter()
        .map(|m| (m.month.as_deref(), m.deals))
        .collect();
    assert_eq!(months, vec![(Some("2026-03"), 1), (None, 1)]);

    // A new probability for Qualified moves the forecast and the board's weighted total.
    let qualified_id = stage(&db.store, "Qualified").await;
    db.store
        .edit_stage(qualified_id, None, None, None, Some(75), Timestamp(T0))
        .await
        .unwrap();
    let f = db.store.forecast().await.unwrap();
    assert_eq!(f.open_weighted, vec![usd(150_000)]);
    let board = db.store.board().await.unwrap();
    let column = board
        .columns
        .iter()
        .find(|c| c.stage.id == qualified_id)
        .unwrap();
    assert_eq!(column.weighted_totals, vec![usd(150_000)]);
    assert_eq!(column.value_totals, vec![usd(200_000)]);
}

#[tokio::test]
async fn new_stages_start_with_their_kinds_probability() {
    let db = open().await;
    let s = &db.store;
    let open = s
        .create_stage("Demo", StageKind::Open, None, Timestamp(T0))
        .await
        .unwrap();
    let won = s
        .create_stage("Signed", StageKind::Won, None, Timestamp(T0))
        .await
        .unwrap();
    assert_eq!((open.probability, won.probability), (50, 100));
    let defaults: Vec<(String, u8)> = s
        .stages()
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.name, s.probability))
        .take(6)
        .collect();
    assert_eq!(
        defaults,
        [
            ("New", 10),
            ("Contacted", 20),
            ("Qualified", 40),
            ("Proposal", 60),
            ("Won", 100),
            ("Lost", 0)
        ]
        .map(|(n, p)| (n.to_owned(), p))
    );
}

#[tokio::test]
async fn reports_match_the_hand_computed_fixture() {
    let db = fixture().await;
    let r = db.store.reports(0).await.unwrap();

    let outcomes: Vec<Outcome> = r
        .outcomes
        .iter()
        .map(|o| {
            (
                o.month.as_str(),
                o.won,
                o.lost,
                o.won_value.clone(),
                o.lost_value.clone(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("2026-01", 1, 2, vec![usd(100_000)], vec![usd(80_000)]),
            ("2026-02", 1, 0, vec![eur(200_000)], vec![]),
        ]
    );

    // Furthest stage: A and C Won, F Qualified, B Contacted (Lost is not in the funnel), D and
    // E New. Reached: New 6, Contacted 4, Qualified 3, Proposal 2, Won 2.
    let conversion: Vec<(&str, &str, u32, u32, Option<f64>)> = r
        .conversion
        .iter()
        .map(|c| {
            (
                c.from_name.as_str(),
                c.to_name.as_str(),
                c.reached_from,
                c.reached_to,
                c.rate,
            )
        })
        .collect();
    assert_eq!(
        conversion,
        vec![
            ("New", "Contacted", 6, 4, Some(66.7)),
            ("Contacted", "Qualified", 4, 3, Some(75.0)),
            ("Qualified", "Proposal", 3, 2, Some(66.7)),
            ("Proposal", "Won", 2, 2, Some(100.0)),
        ]
    );

    // Finished stays: New 2d (A) + 4d (B) + 2d (C) + 1d (E) + 2d (F) = 11d over 5; Contacted
    // 3d + 2d over 2; Qualified 5d; Proposal 19d; nobody has left Won or Lost.
    let durations: Vec<(&str, u32, Option<f64>)> = r
        .durations
        .iter()
        .map(|d| (d.name.as_str(), d.stays, d.average_ms))
        .collect();
    let days = |d: f64| Some((d * DAY as f64).round());
    assert_eq!(
        durations,
        vec![
            ("New", 5, days(2.2)),
            ("Contacted", 2, days(2.5)),
            ("Qualified", 1, days(5.0)),
            ("Proposal", 1, days(19.0)),
            ("Won", 0, None),
            ("Lost", 0, None),
        ]
    );

    let sources: Vec<(Option<&str>, u32, u32, f64)> = r
        .by_source
        .iter()
        .map(|s| (s.label.as_deref(), s.won, s.lost, s.rate))
        .collect();
    assert_eq!(
        sources,
        vec![
            (Some("Referral"), 1, 1, 50.0),
            (None, 0, 1, 0.0),
            (Some("Conference"), 1, 0, 100.0),
        ]
    );
    let tags: Vec<(Option<&str>, u32, u32, f64)> = r
        .by_tag
        .iter()
        .map(|s| (s.label.as_deref(), s.won, s.lost, s.rate))
        .collect();
    assert_eq!(
        tags,
        vec![(Some("enterprise"), 2, 0, 100.0), (Some("smb"), 1, 1, 50.0)]
    );

    let fit = &r.fit;
    assert_eq!(
        (
            fit.won_scored,
            fit.lost_scored,
            fit.won_unscored,
            fit.lost_unscored
        ),
        (2, 1, 0, 1)
    );
    assert_eq!(
        (fit.won_average, fit.lost_average),
        (Some(77.5), Some(30.0))
    );
    let buckets: Vec<(u8, u8, u32, u32)> = fit
        .buckets
        .iter()
        .map(|b| (b.from, b.to, b.won, b.lost))
        .collect();
    assert_eq!(
        buckets,
        vec![
            (0, 19, 0, 0),
            (20, 39, 0, 1),
            (40, 59, 0, 0),
            (60, 79, 1, 0),
            (80, 100, 1, 0)
        ]
    );
}

#[tokio::test]
async fn months_are_the_users_local_months() {
    let db = fixture().await;
    // C was won on 2026-02-01 at 12:00 UTC: still January 31st thirteen hours west.
    let r = db.store.reports(-13 * 60).await.unwrap();
    let months: Vec<(&str, u32, u32)> = r
        .outcomes
        .iter()
        .map(|o| (o.month.as_str(), o.won, o.lost))
        .collect();
    assert_eq!(months, vec![("2026-01", 2, 2)]);
}

#[tokio::test]
async fn deleting_a_stage_records_the_moves_of_its_leads() {
    let db = fixture().await;
    let s = &db.store;
    let proposal = stage(s, "Proposal").await;
    let qualified = stage(s, "Qualified").await;
    // F sits in Qualified since T0 + 2d; the stage goes at T0 + 30d and F lands in Proposal.
    s.delete_stage(qualified, proposal, Timestamp(T0 + 30 * DAY))
        .await
        .unwrap();
    let r = s.reports(0).await.unwrap();
    let proposal_stays = r
        .durations
        .iter()
        .find(|d| d.name == "Proposal")
        .unwrap()
        .stays;
    // Only C's stay in Proposal is finished; F's has just begun.
    assert_eq!(proposal_stays, 1);
    let inputs = s.report_inputs().await.unwrap();
    let f = inputs
        .leads
        .iter()
        .find(|l| l.stage_id == proposal && l.expected_close.is_some())
        .unwrap();
    // Only a closed lead's entry into its stage is read (the month it closed in).
    assert_eq!(f.entered_at, None);
    let moves = s.stage_moves(f.id).await.unwrap();
    let last = moves.last().unwrap();
    assert_eq!(
        (last.from, last.to, last.at),
        (None, Some(proposal), Timestamp(T0 + 30 * DAY))
    );
}
