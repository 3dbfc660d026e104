//! Store benchmarks that print numbers (no pass/fail): board load at 10,000 leads, full-text
//! search latency at 100,000 leads, and card moves. Run with `cargo bench -p leadscout-store`
//! (`-- board` or `-- search` for one half); `make bench` writes the figures into
//! docs/benchmarks.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use leadscout_bench::{ms, percentile, Section};
use leadscout_domain::{
    ActivityKind, BoardView, CustomCondition, CustomFieldId, FieldKind, LeadId, NewActivity,
    NewLead, StageId, Timestamp,
};
use leadscout_store::{Placement, Store, DATABASE_FILE};

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Donald",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Sophie",
    "José",
    "Zoë",
    "Mikko",
    "Priya",
    "Wei",
    "Fatima",
    "Olu",
    "Anders",
    "Chiara",
    "Tomás",
    "Yuki",
    "Noor",
    "Lars",
    "Amara",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Knuth",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "McCarthy",
    "Wilson",
    "Álvarez",
    "Okafor",
    "Raman",
    "Chen",
    "Haddad",
    "Nakamura",
    "Rossi",
    "Lindqvist",
    "Novak",
];
const COMPANY: &[&str] = &[
    "Northwind",
    "Initech",
    "Globex",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Acme",
    "Cyberdyne",
    "Soylent",
    "Tyrell",
    "Wonka",
    "Aperture",
    "Massive",
    "Pied Piper",
    "Dunder",
    "Gringotts",
    "Oceanic",
    "Monarch",
];
const SUFFIX: &[&str] = &[
    "Labs",
    "Logistics",
    "Health",
    "Capital",
    "Foods",
    "Robotics",
    "Energy",
    "Media",
];
const NOTE_WORDS: &[&str] = &[
    "budget",
    "pilot",
    "renewal",
    "procurement",
    "security",
    "review",
    "pricing",
    "champion",
    "timeline",
    "quarter",
    "integration",
    "legal",
    "contract",
    "demo",
    "follow-up",
    "discount",
];

/// A small deterministic generator, so every run measures the same data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

async fn seed(
    store: &Store,
    leads: usize,
    notes_every: usize,
    rng: &mut Rng,
) -> (Vec<LeadId>, Duration) {
    let stages: Vec<StageId> = store.stages().await.unwrap().iter().map(|s| s.id).collect();
    let started = Instant::now();
    let mut ids = Vec::with_capacity(leads);
    for i in 0..leads {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let company = format!("{} {}", rng.pick(COMPANY), rng.pick(SUFFIX));
        let domain = format!(
            "{}{}.example",
            company.to_lowercase().replace(' ', "-"),
            i % 997
        );
        let draft = NewLead {
            full_name: format!("{first} {last}"),
            email: Some(format!("{}.{}@{domain}", first.to_lowercase(), i)),
            company_name: Some(company),
            website: Some(domain.clone()),
            stage_id: Some(stages[i % 4]),
        }
        .validate()
        .unwrap_or_else(|e| panic!("seed lead {i}: {e}"));
        let lead = store
            .create_lead(&draft, Timestamp(1_700_000_000_000 + i as i64))
            .await
            .unwrap();
        if notes_every > 0 && i % notes_every == 0 {
            let body = (0..12)
                .map(|_| rng.pick(NOTE_WORDS))
                .collect::<Vec<_>>()
                .join(" ");
            let note = NewActivity {
                lead_id: lead.id,
                kind: ActivityKind::Note,
                body,
                outcome: None,
                occurred_at: None,
            }
            .validate()
            .unwrap();
            store.add_activity(&note, Timestamp::now()).await.unwrap();
        }
        ids.push(lead.id);
    }
    (ids, started.elapsed())
}

async fn board_at_10k() {
    let report = Section::start(
        "store-board",
        "Board at 10,000 leads",
        "cargo bench -p leadscout-store -- board",
        "10,000 generated leads (the same names, companies and deal values every run) created \
         through the store, then the board read 20 times; then three custom fields valued on \
         every lead and each kind of saved-view condition asked 20 times.",
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let mut rng = Rng(0x5eed);
    let (leads, seeded) = seed(&store, 10_000, 0, &mut rng).await;
    report.figure(
        "Create a lead through the store (own transaction, company linking, search index)",
        format!(
            "{:.0} leads/s ({:.2} ms each)",
            10_000.0 / seeded.as_secs_f64(),
            seeded.as_secs_f64() * 1000.0 / 10_000.0
        ),
    );

    let mut loads = Vec::new();
    let mut bytes = 0;
    let mut serialise = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let board = store.board().await.unwrap();
        loads.push(started.elapsed());
        let started = Instant::now();
        // What `get_board` sends: the cards of the board.
        bytes = serde_json::to_vec(&BoardView::from(board)).unwrap().len();
        serialise.push(started.elapsed());
    }
    let load_p50 = percentile(&mut loads, 0.5);
    let serialise_p50 = percentile(&mut serialise, 0.5);
    report.figure(
        "Board load, 10,000 leads (`Store::board`)",
        format!(
            "p50 {}, p95 {}",
            ms(load_p50),
            ms(percentile(&mut loads, 0.95))
        ),
    );
    report.figure(
        "Board as cards and JSON (what `get_board` sends), 10,000 leads",
        format!("p50 {}", ms(serialise_p50)),
    );
    report.figure(
        "Board load / serialisation (compares runs on machines of different speed)",
        format!(
            "{:.1}",
            load_p50.as_secs_f64() / serialise_p50.as_secs_f64()
        ),
    );
    report.figure(
        "Board IPC payload (cards), 10,000 leads",
        format!("{:.2} MB", bytes as f64 / 1_000_000.0),
    );

    let stages: Vec<StageId> = store.stages().await.unwrap().iter().map(|s| s.id).collect();
    let board = store.board().await.unwrap();
    let column: Vec<LeadId> = board.columns[0].leads.iter().map(|l| l.id).collect();
    let mut moves = Vec::new();
    for i in 0..300 {
        let lead = column[(i * 7919) % column.len()];
        let before = column[(i * 104_729 + 1) % column.len()];
        if lead == before {
            continue;
        }
        let started = Instant::now();
        store
            .move_lead(
                lead,
                Placement {
                    stage_id: stages[0],
                    before: Some(before),
                },
                Timestamp::now(),
            )
            .await
            .unwrap();
        moves.push(started.elapsed());
    }
    report.figure(
        &format!("Move a card, column of ~2,500 ({} moves)", moves.len()),
        format!(
            "p50 {}, p95 {}, max {}",
            ms(percentile(&mut moves, 0.5)),
            ms(percentile(&mut moves, 0.95)),
            ms(*moves.iter().max().unwrap())
        ),
    );
    custom_filters(&store, &report, &leads, &mut rng).await;
    store.close().await;
}

/// Saved views on custom fields: the store answers which leads match and the board intersects,
/// so the cards (and the board load above) carry no custom values.
async fn custom_filters(store: &Store, report: &Section, leads: &[LeadId], rng: &mut Rng) {
    let now = Timestamp::now();
    let tiers = ["Gold", "Silver", "Bronze"];
    let choices: Vec<String> = tiers.iter().map(|t| (*t).to_owned()).collect();
    let field = |name: &'static str, kind: FieldKind, choices: Vec<String>| async move {
        store
            .create_custom_field(name, kind, &choices, now)
            .await
            .unwrap()
            .id
    };
    let tier = field("Tier", FieldKind::Choice, choices).await;
    let budget = field("Budget", FieldKind::Number, vec![]).await;
    let notes = field("Notes", FieldKind::Text, vec![]).await;
    let started = Instant::now();
    for (i, lead) in leads.iter().enumerate() {
        let met = format!("Met {} at {}", rng.pick(FIRST), rng.pick(FIRST));
        for (field, value) in [
            (tier, tiers[i % 3].to_owned()),
            (budget, ((i * 7919) % 100_000).to_string()),
            (notes, met),
        ] {
            store
                .set_custom_value(*lead, field, &value, now)
                .await
                .unwrap();
        }
    }
    let written = started.elapsed();
    report.figure(
        "Set a custom value through the store (30,000: 3 fields on every lead)",
        format!("{:.2} ms each", written.as_secs_f64() * 1000.0 / 30_000.0),
    );
    let condition =
        |field: CustomFieldId, value: &str, min: Option<&str>, max: Option<&str>| CustomCondition {
            field_id: field,
            value: value.into(),
            min: min.map(Into::into),
            max: max.map(Into::into),
        };
    let kinds = [
        ("a choice equals", vec![condition(tier, "Gold", None, None)]),
        (
            "a number between",
            vec![condition(budget, "", Some("10,000"), Some("50000"))],
        ),
        (
            "a text contains (accents folded)",
            vec![condition(notes, "jose", None, None)],
        ),
        (
            "all three",
            vec![
                condition(tier, "Gold", None, None),
                condition(budget, "", Some("10,000"), Some("50000")),
                condition(notes, "jose", None, None),
            ],
        ),
    ];
    for (what, conditions) in kinds {
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..20 {
            let started = Instant::now();
            let matches = store.custom_matches(&conditions).await.unwrap();
            times.push(started.elapsed());
            found = matches.lead_ids.map_or(0, |ids| ids.len());
        }
        report.figure(
            &format!("Which leads match {what} (`Store::custom_matches`), 10,000 leads"),
            format!(
                "p50 {}, p95 {} ({found} leads)",
                ms(percentile(&mut times, 0.5)),
                ms(percentile(&mut times, 0.95))
            ),
        );
    }
    let mut loads = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        store.board().await.unwrap();
        loads.push(started.elapsed());
    }
    report.figure(
        "Board load after the 30,000 custom value writes (the cards carry no custom values)",
        format!("p50 {}", ms(percentile(&mut loads, 0.5))),
    );
}

async fn search_at_100k() {
    let report = Section::start(
        "store-search",
        "Search at 100,000 leads",
        "cargo bench -p leadscout-store -- search",
        "100,000 generated leads and 25,000 notes; 450 queries of five kinds after 20 warm-up \
         queries, 20 results each, as the search box asks.",
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let mut rng = Rng(0xfeed);
    let (_, seeded) = seed(&store, 100_000, 4, &mut rng).await;
    report.figure(
        "Seed 100,000 leads + 25,000 notes, one transaction each",
        format!("{:.0} s", seeded.as_secs_f64()),
    );
    let size = std::fs::metadata(dir.path().join(DATABASE_FILE))
        .map(|m| m.len())
        .unwrap_or(0);
    report.figure(
        "Database size at 100,000 leads + 25,000 notes",
        format!("{:.1} MB (plus WAL)", size as f64 / 1_000_000.0),
    );

    let mut queries: Vec<String> = Vec::new();
    for _ in 0..100 {
        let name = rng.pick(LAST);
        queries.push(name.chars().take(3).collect()); // typing: short prefixes match the most
    }
    for _ in 0..100 {
        queries.push(format!("{} {}", rng.pick(FIRST), rng.pick(LAST)));
    }
    for _ in 0..100 {
        queries.push(format!(
            "{} {}",
            rng.pick(NOTE_WORDS),
            &rng.pick(NOTE_WORDS)[..3]
        ));
    }
    for _ in 0..100 {
        queries.push(format!(
            "{}{}",
            rng.pick(COMPANY).to_lowercase(),
            rng.next() % 997
        ));
    }
    for _ in 0..50 {
        queries.push(format!("zzq{}", rng.next() % 1000)); // no match
    }
    // Warm the page cache the way a running app would be.
    for q in queries.iter().take(20) {
        store.search(q, 20).await.unwrap();
    }
    let mut all = Vec::new();
    let mut by_class: Vec<Vec<Duration>> = vec![Vec::new(); 5];
    for (i, q) in queries.iter().enumerate() {
        let started = Instant::now();
        let hits = store.search(q, 20).await.unwrap();
        let took = started.elapsed();
        std::hint::black_box(hits);
        all.push(took);
        by_class[(i / 100).min(4)].push(took);
    }
    let p95 = percentile(&mut all, 0.95);
    report.goal(
        &format!("Search, {} queries, p95", all.len()),
        format!(
            "p50 {}, **p95 {}**, p99 {}",
            ms(percentile(&mut all, 0.5)),
            ms(p95),
            ms(percentile(&mut all, 0.99))
        ),
        "p95 under 10 ms",
        p95 < Duration::from_millis(10),
    );
    let classes = [
        "3-letter name prefix",
        "first + last name",
        "note words (in most notes)",
        "company token",
        "no match",
    ];
    for (name, samples) in classes.iter().zip(by_class.iter_mut()) {
        report.figure(
            &format!("... {name}"),
            format!(
                "p50 {}, p95 {}",
                ms(percentile(samples, 0.5)),
                ms(percentile(samples, 0.95))
            ),
        );
    }
    store.close().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo bench -- <filter>` runs one part.
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    if "board".contains(&filter) || filter.is_empty() {
        board_at_10k().await;
    }
    if "search".contains(&filter) || filter.is_empty() {
        search_at_100k().await;
    }
}
