//! The forecast and the reports against a real SQLite file, compared with numbers worked out by
//! hand for a small pipeline whose history is written through the store's own moves.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_domain::{
    reports, ClosedGroup, FieldValue, FitGroup, ForecastDeal, FurthestGroup, LabelGroup, LeadEdit,
    LeadField, LeadId, MoneyTotal, NewLead, ReportData, Stage, StageId, StageKind, StageStays,
    Timestamp,
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

/// A connection of the test's own to the store's file, for what the app writes elsewhere.
async fn raw(store: &Store) -> sqlx::SqliteConnection {
    leadscout_store::connect_options(store.path())
        .connect()
        .await
        .unwrap()
}

/// A verified fit score, as research writes it.
async fn fit(store: &Store, id: LeadId, score: u8) {
    research(store, id, Some(score), true).await;
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
    let board = s.board().await.unwrap();
    let f = board
        .columns
        .iter()
        .flat_map(|c| &c.leads)
        .find(|l| l.stage_id == proposal && l.expected_close.is_some())
        .unwrap();
    // Only closed leads' entries into their stage are read (the month they closed in).
    let inputs = s.report_inputs(0).await.unwrap();
    assert!(inputs.data.closed.iter().all(|g| g.stage_id != proposal));
    let moves = s.stage_moves(f.id).await.unwrap();
    let last = moves.last().unwrap();
    assert_eq!(
        (last.from, last.to, last.at),
        (None, Some(proposal), Timestamp(T0 + 30 * DAY))
    );
}

// ---- The grouped SQL against a replay of every lead -------------------------------------------

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

async fn verified_fit(store: &Store, id: LeadId) -> Option<u8> {
    let mut conn = raw(store).await;
    let score: Option<Option<i64>> =
        sqlx::query_scalar("SELECT fit_score FROM insights WHERE lead_id = ? AND fit_verified = 1")
            .bind(id.0)
            .fetch_optional(&mut conn)
            .await
            .unwrap();
    score.flatten().map(|s| u8::try_from(s).unwrap())
}

/// Research writing (or rewriting) a lead's insights, verified or not.
async fn research(store: &Store, id: LeadId, score: Option<u8>, verified: bool) {
    let mut conn = raw(store).await;
    sqlx::query(
        "INSERT INTO insights (lead_id, summary, fit_score, fit_verified, body, model, created_at) \
         VALUES (?, 'fixture', ?, ?, '{}', 'fixture', 0) ON CONFLICT (lead_id) DO UPDATE SET \
         fit_score = excluded.fit_score, fit_verified = excluded.fit_verified",
    )
    .bind(id.0)
    .bind(score.map(i64::from))
    .bind(i64::from(verified))
    .execute(&mut conn)
    .await
    .unwrap();
}

/// The reports' inputs worked out lead by lead from what the store says of each lead and its
/// record of moves (no grouping, no kept columns): one group per lead, per tag, per stay.
async fn replay(store: &Store, live: &[LeadId], offset_minutes: i32) -> (Vec<Stage>, ReportData) {
    let stages = store.stages().await.unwrap();
    let stage = |id: StageId| stages.iter().find(|s| s.id == id);
    let closed = |id: StageId| stage(id).is_some_and(|s| s.kind != StageKind::Open);
    let mut data = ReportData::default();
    for &id in live {
        let lead = store.lead(id).await.unwrap().unwrap();
        let moves = store.stage_moves(id).await.unwrap();
        data.deals.push(ForecastDeal {
            stage_id: lead.stage_id,
            deals: 1,
            value: lead.deal_value.map(i128::from),
            currency: lead.currency.clone(),
            expected_close: lead.expected_close.clone(),
        });
        for pair in moves.windows(2) {
            if let Some(to) = pair[0].to {
                data.stays.push(StageStays {
                    stage_id: to,
                    stays: 1,
                    total_ms: pair[1].at.0 - pair[0].at.0,
                });
            }
        }
        let furthest = moves
            .iter()
            .filter_map(|m| m.to)
            .chain([lead.stage_id])
            .filter_map(stage)
            .filter(|s| s.kind != StageKind::Lost)
            .map(|s| s.position)
            .max();
        if let Some(position) = furthest {
            data.furthest.push(FurthestGroup { position, leads: 1 });
        }
        if !closed(lead.stage_id) {
            continue;
        }
        let entered = moves.last().unwrap().at.0;
        data.closed.push(ClosedGroup {
            stage_id: lead.stage_id,
            day: (entered + i64::from(offset_minutes) * 60_000).div_euclid(DAY),
            currency: lead.currency.clone(),
            leads: 1,
            value: i128::from(lead.deal_value.unwrap_or(0)),
        });
        data.by_source.push(LabelGroup {
            label: lead.source.clone(),
            stage_id: lead.stage_id,
            leads: 1,
        });
        for tag in &lead.tags {
            data.by_tag.push(LabelGroup {
                label: Some(tag.clone()),
                stage_id: lead.stage_id,
                leads: 1,
            });
        }
        data.fit.push(FitGroup {
            stage_id: lead.stage_id,
            fit_score: verified_fit(store, id).await,
            leads: 1,
        });
    }
    (stages, data)
}

/// Random work through the store (leads created in several currencies, with and without a
/// source or tags, moved forwards, backwards, out of won and lost; research verified or not,
/// rewritten; leads deleted and restored; stages added, re-kinded, reordered and deleted), with
/// the grouped reports checked against the replay after every round.
#[tokio::test]
async fn grouped_reports_agree_with_a_replay_of_every_lead() {
    use LeadField::{Currency, DealValue, ExpectedClose, Source};
    let db = open().await;
    let s = &db.store;
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut now = T0;
    let mut live: Vec<LeadId> = Vec::new();
    let mut deleted: Vec<LeadId> = Vec::new();
    for round in 0..8 {
        for _ in 0..25 {
            now += rng.below(3 * DAY as u64) as i64 + 1;
            let stages = s.stages().await.unwrap();
            match rng.below(10) {
                0..=2 => {
                    let mut fields = Vec::new();
                    if rng.below(4) > 0 {
                        let value = rng.below(5_000).to_string();
                        fields.push((DealValue, value));
                    }
                    if rng.below(3) == 0 {
                        fields.push((Currency, rng.pick(&["EUR", "GBP"]).to_string()));
                    }
                    if rng.below(2) == 0 {
                        fields.push((Source, rng.pick(&["Referral", "Web", "Fair"]).to_string()));
                    }
                    if rng.below(2) == 0 {
                        let close =
                            format!("2026-{:02}-{:02}", rng.below(12) + 1, rng.below(28) + 1);
                        fields.push((ExpectedClose, close));
                    }
                    let fields: Vec<(LeadField, &str)> =
                        fields.iter().map(|(f, v)| (*f, v.as_str())).collect();
                    let id = lead(s, "Random", now, &fields).await;
                    let tags: Vec<String> = ["alpha", "beta", "gamma"]
                        .iter()
                        .filter(|_| rng.below(3) == 0)
                        .map(|t| (*t).to_owned())
                        .collect();
                    s.set_tags(id, &tags, Timestamp(now)).await.unwrap();
                    live.push(id);
                }
                3..=5 if !live.is_empty() => {
                    let id = *rng.pick(&live);
                    let to = rng.pick(&stages).id;
                    move_to(s, id, to, now).await;
                }
                6 if !live.is_empty() => {
                    let id = *rng.pick(&live);
                    let score = (rng.below(5) > 0).then(|| rng.below(101) as u8);
                    research(s, id, score, rng.below(3) > 0).await;
                }
                7 if live.len() > 1 => {
                    let i = rng.below(live.len() as u64) as usize;
                    let id = live.swap_remove(i);
                    s.delete_lead(id, Timestamp(now)).await.unwrap();
                    deleted.push(id);
                }
                8 if !deleted.is_empty() => {
                    let i = rng.below(deleted.len() as u64) as usize;
                    let id = deleted.swap_remove(i);
                    s.restore_lead(id, Timestamp(now)).await.unwrap();
                    live.push(id);
                }
                _ => match rng.below(4) {
                    0 => {
                        let kind = *rng.pick(&[StageKind::Open, StageKind::Won, StageKind::Lost]);
                        let name = format!("Stage {round}-{now}");
                        s.create_stage(&name, kind, None, Timestamp(now))
                            .await
                            .unwrap();
                    }
                    1 if stages.len() > 2 => {
                        let doomed = rng.pick(&stages).id;
                        let into = stages.iter().find(|st| st.id != doomed).unwrap().id;
                        s.delete_stage(doomed, into, Timestamp(now)).await.unwrap();
                    }
                    2 => {
                        let mut order: Vec<StageId> = stages.iter().map(|st| st.id).collect();
                        let i = rng.below(order.len() as u64) as usize;
                        let j = rng.below(order.len() as u64) as usize;
                        order.swap(i, j);
                        s.reorder_stages(&order, Timestamp(now)).await.unwrap();
                    }
                    _ => {
                        let id = rng.pick(&stages).id;
                        let kind = *rng.pick(&[StageKind::Open, StageKind::Won, StageKind::Lost]);
                        s.update_stage(id, None, Some(kind), None, Timestamp(now))
                            .await
                            .unwrap();
                    }
                },
            }
        }
        // Every round another offset, a day or more away included.
        let offset = [0, 60, -300, 330, -780, 840, 1500, -2000][round];
        let (stages, expected) = replay(s, &live, offset).await;
        // The days themselves, not only the months the report shows.
        let days = |groups: &[ClosedGroup]| {
            let mut days = std::collections::BTreeMap::new();
            for g in groups {
                let slot = days
                    .entry((g.stage_id, g.day, g.currency.clone()))
                    .or_insert((0, 0));
                *slot = (slot.0 + g.leads, slot.1 + g.value);
            }
            days
        };
        let grouped = s.report_inputs(offset).await.unwrap().data;
        assert_eq!(
            days(&grouped.closed),
            days(&expected.closed),
            "round {round}"
        );
        assert_eq!(
            s.reports(offset).await.unwrap(),
            reports(&stages, &expected),
            "round {round}, offset {offset}"
        );
        assert_eq!(
            s.forecast().await.unwrap(),
            reports(&stages, &expected).forecast
        );
    }
}

#[tokio::test]
async fn reports_without_leads_are_empty_and_one_stage_has_no_conversion() {
    let db = open().await;
    let s = &db.store;
    let r = s.reports(0).await.unwrap();
    assert!(r.outcomes.is_empty() && r.by_source.is_empty() && r.by_tag.is_empty());
    assert!(r
        .conversion
        .iter()
        .all(|c| c.reached_from == 0 && c.rate.is_none()));
    assert!(r
        .durations
        .iter()
        .all(|d| d.stays == 0 && d.average_ms.is_none()));
    assert_eq!(
        (r.fit.won_scored, r.fit.lost_unscored, r.fit.won_average),
        (0, 0, None)
    );
    assert!(r.forecast.open_value.is_empty() && r.forecast.months.is_empty());

    // Down to one stage: every lead lands in it, and a funnel of one has no step.
    let id = lead(s, "Only", T0, &[(LeadField::DealValue, "100")]).await;
    let stages = s.stages().await.unwrap();
    let last = stages.last().unwrap().id;
    for stage in &stages[..stages.len() - 1] {
        s.delete_stage(stage.id, last, Timestamp(T0 + DAY))
            .await
            .unwrap();
    }
    let r = s.reports(0).await.unwrap();
    assert_eq!(r.conversion, vec![]);
    assert_eq!(r.durations.len(), 1);
    // Lost is the one left: the lead is closed, lost, in the month it landed there.
    let outcomes: Vec<(&str, u32, u32)> = r
        .outcomes
        .iter()
        .map(|o| (o.month.as_str(), o.won, o.lost))
        .collect();
    assert_eq!(outcomes, vec![("2026-01", 0, 1)]);
    assert_eq!(r.fit.lost_unscored, 1);
    assert_eq!(s.lead(id).await.unwrap().unwrap().stage_id, last);
}

/// Deal values far beyond what a person types (the column only asks for >= 0) still add up:
/// SQLite's own sum would fail past 2^63.
#[tokio::test]
async fn huge_deal_values_add_up_without_overflow() {
    let db = open().await;
    let s = &db.store;
    let big: i64 = 4_000_000_000_000_000_000;
    for name in ["A", "B", "C"] {
        lead(s, name, T0, &[]).await;
    }
    let mut conn = raw(s).await;
    sqlx::query("UPDATE leads SET deal_value = ?")
        .bind(big)
        .execute(&mut conn)
        .await
        .unwrap();
    let f = s.forecast().await.unwrap();
    // 3 × 4e18 at New's 10%: 1.2e18, exact; the unweighted sum is past i64 and shows its
    // largest value.
    assert_eq!(f.open_weighted, vec![usd(1_200_000_000_000_000_000)]);
    assert_eq!(f.open_value, vec![usd(i64::MAX)]);
}

/// Leads from before migration 13 get what the reports keep on them: when they entered their
/// stage, their verified fit score and every stage they reached, the one they are in included
/// even where the recovered history missed the move into it.
#[tokio::test]
async fn leads_from_before_the_upgrade_keep_what_the_reports_read() {
    use std::borrow::Cow;

    use leadscout_store::{connect_options, MIGRATIONS};
    use sqlx::migrate::Migrator;
    use sqlx::Connection;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let before = Migrator {
        migrations: Cow::Owned(
            MIGRATIONS
                .migrations
                .iter()
                .filter(|m| m.version < 13)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    let mut conn = sqlx::SqliteConnection::connect_with(&connect_options(&path))
        .await
        .unwrap();
    before.run(&mut conn).await.unwrap();
    let id = |name: &str| format!("(SELECT id FROM pipeline_stages WHERE name = '{name}')");
    for sql in [
        // 1 was created in New and moved to Qualified, then to Won (the trigger records both).
        format!(
            "INSERT INTO leads (id, full_name, stage_id, position, created_at, updated_at) \
             VALUES (1, 'Won', {}, 0, 100, 100), (2, 'Legacy', {}, 0, 100, 100)",
            id("New"),
            id("New")
        ),
        format!("UPDATE leads SET stage_id = {}, updated_at = 200 WHERE id = 1", id("Qualified")),
        format!("UPDATE leads SET stage_id = {}, updated_at = 300 WHERE id = 1", id("Won")),
        // 2 sits in Proposal, but its record (recovered from old history) ends in New.
        format!("UPDATE leads SET stage_id = {}, updated_at = 400 WHERE id = 2", id("Proposal")),
        "DELETE FROM stage_moves WHERE lead_id = 2 AND from_stage_id IS NOT NULL".to_owned(),
        "UPDATE stage_moves SET left_at = NULL WHERE lead_id = 2".to_owned(),
        "INSERT INTO insights (lead_id, summary, fit_score, fit_verified, body, model, created_at) \
         VALUES (1, 's', 70, 1, '{}', 'm', 0), (2, 's', 90, 0, '{}', 'm', 0)"
            .to_owned(),
    ] {
        sqlx::query(&sql).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();

    let s = Store::open(&path).await.unwrap();
    let mut conn = connect_options(&path).connect().await.unwrap();
    let kept: Vec<(i64, Option<i64>, Option<i64>, String)> = sqlx::query_as(
        "SELECT l.id, l.stage_entered_at, l.verified_fit, \
         (SELECT group_concat(name, ' ') FROM (SELECT p.name FROM pipeline_stages p \
          WHERE instr(l.reached_stages, ',' || p.id || ',') > 0 ORDER BY p.position)) \
         FROM leads l ORDER BY l.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        kept,
        vec![
            (1, Some(300), Some(70), "New Qualified Won".to_owned()),
            (2, Some(100), None, "New Proposal".to_owned()),
        ]
    );
    // Reached: both New, 1 Qualified and Won, 2 Proposal (so Contacted and Qualified too).
    let r = s.reports(0).await.unwrap();
    let reached: Vec<u32> = r.conversion.iter().map(|c| c.reached_from).collect();
    assert_eq!(reached, vec![2, 2, 2, 2]);
    assert_eq!(r.conversion.last().unwrap().reached_to, 1);
    assert_eq!((r.fit.won_scored, r.fit.won_average), (1, Some(70.0)));
}

/// The kept sums follow a lead's row even where no code of the app removes one (a lead is
/// deleted by marking it): its finished stays leave with it.
#[tokio::test]
async fn a_removed_lead_row_takes_its_stays_along() {
    let db = open().await;
    let s = &db.store;
    let contacted = stage(s, "Contacted").await;
    let won = stage(s, "Won").await;
    let kept = lead(s, "Kept", T0, &[]).await;
    let gone = lead(s, "Gone", T0, &[]).await;
    for id in [kept, gone] {
        move_to(s, id, contacted, T0 + DAY).await;
        move_to(s, id, won, T0 + 3 * DAY).await;
    }
    let mut conn = raw(s).await;
    sqlx::query("DELETE FROM leads WHERE id = ?")
        .bind(gone.0)
        .execute(&mut conn)
        .await
        .unwrap();
    let r = s.reports(0).await.unwrap();
    let stays: Vec<(&str, u32, Option<f64>)> = r
        .durations
        .iter()
        .take(2)
        .map(|d| (d.name.as_str(), d.stays, d.average_ms))
        .collect();
    assert_eq!(
        stays,
        vec![
            ("New", 1, Some(DAY as f64)),
            ("Contacted", 1, Some(2.0 * DAY as f64))
        ]
    );
}
