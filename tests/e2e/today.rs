//! Today in the real app: a data folder seeded with follow-ups overdue, due today and later this
//! week, a deal gone quiet and a lead whose research finished; `T` opens it, the keyboard moves,
//! opens, marks done and snoozes, and what was done is still done after a restart.

use fantoccini::key::Key;
use fantoccini::Client;
use leadscout_app::reminders::SystemZone;
use leadscout_domain::{
    add_days, FollowUpDraft, LeadEdit, LeadField, LocalZone, NewLead, RunStatus, RunTrigger,
    StaleRule, Timestamp,
};
use leadscout_store::{Placement, Store, DATABASE_FILE};
use sqlx::ConnectOptions;

use crate::harness::{eventually, find, App};
use crate::setup;

const DAY: i64 = 86_400_000;

/// Each row of Today as "name · company | detail | when", per section, read from the page.
const SECTIONS_JS: &str = "return Object.fromEntries([...document.querySelectorAll(\
    '[data-testid=today] [data-section]')].map((g) => [g.dataset.section, \
    [...g.querySelectorAll('[data-testid=today-row]')].map((r) => [\
      r.querySelector('.name')?.textContent, r.querySelector('.detail')?.textContent, \
      r.querySelector('[data-testid=today-when]')?.textContent ?? ''] \
      .map((t) => (t ?? '').trim().replace(/\\s+/g, ' ')).filter(Boolean).join(' | '))]))";

type Sections = std::collections::BTreeMap<String, Vec<String>>;

/// Seeds the data folder as a week of selling leaves it, in the zone the app will use. Returns
/// the upcoming follow-up's date as Today shows it ("Sun, 6 Dec").
async fn seed(data_dir: &std::path::Path) -> String {
    let store = Store::open(&data_dir.join(DATABASE_FILE)).await.unwrap();
    let now = Timestamp::now();
    let settings = leadscout_domain::Settings {
        onboarded: true,
        research_on_create: false,
        ..leadscout_domain::Settings::default()
    };
    store.save_settings(&settings, now).await.unwrap();
    let stages = store.stages().await.unwrap();
    let stage = |name: &str| stages.iter().find(|s| s.name == name).unwrap().id;
    // Deals in Contacted go quiet after 14 days; New has no rule.
    store
        .save_stale_rules(
            &[StaleRule {
                stage_id: stage("Contacted"),
                days: 14,
            }],
            now,
        )
        .await
        .unwrap();
    let today = SystemZone.date_of(now);
    let lead = |name: &str, company: &str, at: Timestamp| {
        let store = store.clone();
        let draft = NewLead {
            full_name: name.into(),
            company_name: Some(company.into()),
            ..NewLead::default()
        }
        .validate()
        .unwrap();
        async move { store.create_lead(&draft, at).await.unwrap().id }
    };
    // Follow-ups are written as the drawer writes them; the app gives each its reminder
    // instant in the system's zone when it reads them.
    let follow_ups = [
        (
            "Grace Hopper",
            "Eckert-Mauchly",
            "Send the COBOL proposal",
            -3,
            Some("10:00"),
        ),
        (
            "Alan Turing",
            "Bletchley Analytics",
            "Call about the pilot",
            0,
            Some("16:30"),
        ),
        (
            "Margaret Hamilton",
            "Apollo Guidance",
            "Demo for the flight team",
            3,
            None,
        ),
    ];
    let mut upcoming_date = String::new();
    for (name, company, step, days, time) in follow_ups {
        let id = lead(name, company, Timestamp(now.0 - 2 * DAY)).await;
        let date = add_days(&today, days).unwrap();
        if days == 3 {
            upcoming_date = date.clone();
        }
        let draft = FollowUpDraft {
            next_step: Some(step.into()),
            date: Some(date),
            time: time.map(str::to_owned),
        };
        store.set_follow_up(id, &draft, None, now).await.unwrap();
    }
    // A deal in Contacted untouched for 20 days.
    let quiet = Timestamp(now.0 - 20 * DAY);
    let id = lead("Ken Thompson", "Bell Systems", quiet).await;
    store
        .move_lead(
            id,
            Placement {
                stage_id: stage("Contacted"),
                before: None,
            },
            quiet,
        )
        .await
        .unwrap();
    let edit = LeadEdit {
        field: LeadField::DealValue,
        value: Some("18000".into()),
    }
    .validate()
    .unwrap();
    store.update_lead(id, &edit, quiet).await.unwrap();
    // A lead whose research finished an hour ago, already notified.
    let id = lead("Barbara Liskov", "CLU Labs", Timestamp(now.0 - DAY)).await;
    let at = Timestamp(now.0 - 3_600_000);
    let run = store
        .enqueue_run(
            id,
            leadscout_research::steps::WORKFLOW,
            RunTrigger::Manual,
            at,
        )
        .await
        .unwrap();
    let claimed = store.claim_run("seed", 60_000, at).await.unwrap().unwrap();
    assert_eq!(claimed.id, run);
    assert!(store
        .end_run(run, "seed", RunStatus::Succeeded, None, at)
        .await
        .unwrap());
    assert!(store.claim_notification(run, at).await.unwrap());
    store.close().await;
    let (y, m, d) = {
        let mut parts = upcoming_date.split('-').map(|p| p.parse::<i16>().unwrap());
        (
            parts.next().unwrap(),
            parts.next().unwrap() as i8,
            parts.next().unwrap() as i8,
        )
    };
    jiff::civil::date(y, m, d)
        .strftime("%a, %-d %b")
        .to_string()
}

/// Local midnight between seeding and reading would move every follow-up a section: a run that
/// starts within two minutes of it waits until the day has turned.
async fn not_at_midnight() {
    loop {
        let now = jiff::Zoned::now();
        if now.hour() < 23 || now.minute() < 58 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

async fn sections(client: &Client) -> Sections {
    serde_json::from_value(client.execute(SECTIONS_JS, vec![]).await.unwrap()).unwrap()
}

async fn js_string(client: &Client, script: &str) -> String {
    client
        .execute(script, vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Sends keys to whatever has the keyboard, as typing does.
async fn press(client: &Client, keys: &str) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

/// The name on the selected row.
async fn selected(client: &Client) -> String {
    js_string(
        client,
        "return document.querySelector('[data-testid=today-row][aria-selected=true] .name')\
         ?.textContent.trim() ?? ''",
    )
    .await
}

async fn open_today(client: &Client) -> Sections {
    find(client, "[data-testid=board]").await;
    press(client, "t").await;
    find(client, "[data-testid=today] [role=listbox]").await;
    sections(client).await
}

#[tokio::test(flavor = "multi_thread")]
async fn today_lists_the_day_and_is_driven_by_keyboard_and_what_is_done_stays_done() {
    not_at_midnight().await;
    let data_dir = tempfile::tempdir().unwrap();
    let upcoming_day = seed(data_dir.path()).await;
    let shots = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from);
    let mut app = App::launch(setup(data_dir.path())).await;
    {
        let client = app.client.clone();
        let groups = open_today(&client).await;
        let expected: Sections = [
            (
                "overdue",
                vec![format!(
                    "Grace Hopper · Eckert-Mauchly | Send the COBOL proposal | {} 10:00",
                    // The overdue date as Today spells it: three days ago.
                    jiff::Zoned::now()
                        .date()
                        .checked_sub(jiff::Span::new().days(3))
                        .unwrap()
                        .strftime("%a, %-d %b")
                )],
            ),
            (
                "dueToday",
                vec!["Alan Turing · Bletchley Analytics | Call about the pilot | Today 16:30".into()],
            ),
            (
                "upcoming",
                vec![format!(
                    "Margaret Hamilton · Apollo Guidance | Demo for the flight team | {upcoming_day}"
                )],
            ),
            (
                "stale",
                vec!["Ken Thompson · Bell Systems | Contacted · nothing for 20 days".into()],
            ),
            (
                "researched",
                vec!["Barbara Liskov · CLU Labs | Research ready · 1 hour ago".into()],
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(groups, expected);
        assert_eq!(
            js_string(
                &client,
                "return document.querySelector('[data-testid=today-summary]').textContent.trim()"
            )
            .await,
            "2 follow-ups due · 1 deal gone quiet"
        );

        // The list has the keyboard: j and k move through every section in order.
        assert_eq!(selected(&client).await, "Grace Hopper · Eckert-Mauchly");
        press(&client, "j").await;
        assert_eq!(selected(&client).await, "Alan Turing · Bletchley Analytics");
        press(&client, "jj").await;
        assert_eq!(selected(&client).await, "Ken Thompson · Bell Systems");
        press(&client, "k").await;
        assert_eq!(
            selected(&client).await,
            "Margaret Hamilton · Apollo Guidance"
        );
        press(&client, "j").await;
        assert_eq!(selected(&client).await, "Ken Thompson · Bell Systems");
        if let Some(dir) = &shots {
            // The selection drawn before the picture is taken.
            client
                .execute_async(
                    "const done = arguments[arguments.length - 1]; \
                     requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
                    vec![],
                )
                .await
                .unwrap();
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join("today.png"), client.screenshot().await.unwrap()).unwrap();
        }

        // Enter opens the quiet deal; Escape comes back to Today with the keyboard.
        press(&client, &Key::Enter.to_string()).await;
        find(&client, "[data-testid=lead-drawer]").await;
        eventually("Ken Thompson's lead open", || async {
            let text = js_string(
                &client,
                "return document.querySelector('[data-testid=lead-drawer]')?.textContent ?? ''",
            )
            .await;
            text.contains("Ken Thompson").then_some(())
        })
        .await;
        press(&client, &Key::Escape.to_string()).await;
        eventually("the drawer closed", || async {
            let open: bool = client
                .execute(
                    "return !!document.querySelector('[data-testid=lead-drawer]')",
                    vec![],
                )
                .await
                .unwrap()
                .as_bool()
                .unwrap();
            (!open).then_some(())
        })
        .await;
        assert_eq!(selected(&client).await, "Ken Thompson · Bell Systems");

        // d marks the overdue follow-up done.
        press(&client, "kkk").await;
        assert_eq!(selected(&client).await, "Grace Hopper · Eckert-Mauchly");
        press(&client, "d").await;
        let groups = eventually("the overdue follow-up gone", || async {
            let groups = sections(&client).await;
            groups["overdue"].is_empty().then_some(groups)
        })
        .await;
        assert_eq!(groups["dueToday"].len(), 1, "{groups:?}");

        // s then 2 snoozes today's call until tomorrow morning: it moves to the week.
        assert_eq!(selected(&client).await, "Alan Turing · Bletchley Analytics");
        press(&client, "s").await;
        find(&client, "[data-testid=snooze-tomorrow]").await;
        press(&client, "2").await;
        let groups = eventually("the call snoozed to tomorrow", || async {
            let groups = sections(&client).await;
            groups["dueToday"].is_empty().then_some(groups)
        })
        .await;
        assert_eq!(
            groups["upcoming"],
            [
                "Alan Turing · Bletchley Analytics | Call about the pilot | Today 16:30 · snoozed to"
                    .to_owned()
                    + &format!(
                        " {}",
                        jiff::Zoned::now()
                            .date()
                            .tomorrow()
                            .unwrap()
                            .strftime("%a 09:00")
                    ),
                format!(
                    "Margaret Hamilton · Apollo Guidance | Demo for the flight team | {upcoming_day}"
                ),
            ]
        );

        // Leaving Today marks its research list seen.
        press(&client, &Key::Escape.to_string()).await;
        find(&client, "[data-testid=board]").await;
        let database = data_dir.path().join(DATABASE_FILE);
        eventually("Today marked seen", || async {
            let mut conn = leadscout_store::connect_options(&database)
                .connect()
                .await
                .unwrap();
            let seen: Option<String> =
                sqlx::query_scalar("SELECT value FROM settings WHERE key = 'today_seen_at'")
                    .fetch_optional(&mut conn)
                    .await
                    .unwrap();
            seen.map(|_| ())
        })
        .await;
    }

    // After a restart: the done follow-up is gone, the snoozed one waits for tomorrow, the
    // quiet deal is still quiet and the research already looked at is not listed again.
    app.restart().await;
    let client = app.client.clone();
    let groups = open_today(&client).await;
    assert!(groups["overdue"].is_empty(), "{groups:?}");
    assert!(groups["dueToday"].is_empty(), "{groups:?}");
    assert_eq!(groups["upcoming"].len(), 2, "{groups:?}");
    assert!(
        groups["upcoming"][0].starts_with("Alan Turing"),
        "{groups:?}"
    );
    assert_eq!(groups["stale"].len(), 1, "{groups:?}");
    assert!(groups["researched"].is_empty(), "{groups:?}");
    app.close().await;
}
