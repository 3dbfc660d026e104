//! Follow-ups against real SQLite files: scheduling in the user's zone, reminders claimed
//! exactly once across restarts, snooze and done, stale deals and the Today view.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use leadscout_domain::{
    due_instant, Clock, FieldValue, FixedOffset, FollowUpInput, LeadField, LeadId, NewActivity,
    NewLead, Snooze, StageId, StaleRule, Timestamp,
};
use leadscout_store::{Placement, Reminder, Reminders, Store, DATABASE_FILE};

const HOUR: i64 = 60 * 60 * 1000;
const DAY: i64 = 24 * HOUR;
/// The user's zone: UTC+1, so a local date is not UTC's near midnight.
const ZONE: FixedOffset = FixedOffset { minutes: 60 };

/// A clock the test moves by hand.
#[derive(Default)]
struct TestClock(AtomicI64);

impl TestClock {
    fn at(t: Timestamp) -> Arc<TestClock> {
        Arc::new(TestClock(AtomicI64::new(t.0)))
    }
    fn set(&self, t: Timestamp) {
        self.0.store(t.0, Ordering::SeqCst);
    }
    fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

fn local(date: &str, time: &str) -> Timestamp {
    due_instant(&ZONE, date, Some(time)).unwrap()
}

async fn open() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    (store, dir)
}

async fn add(store: &Store, name: &str, now: Timestamp) -> LeadId {
    let draft = NewLead {
        full_name: name.into(),
        company_name: Some("Acme".into()),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    store.create_lead(&draft, now).await.unwrap().id
}

async fn follow_up(store: &Store, lead: LeadId, step: &str, date: &str, time: Option<&str>) {
    let draft = FollowUpInput {
        next_step: Some(step.into()),
        date: Some(date.into()),
        time: time.map(Into::into),
    }
    .validate()
    .unwrap();
    let due = due_instant(&ZONE, date, time);
    store
        .set_follow_up(lead, &draft, due, local("2026-12-01", "08:00"))
        .await
        .unwrap();
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

fn names(reminders: &[Reminder]) -> Vec<String> {
    reminders
        .iter()
        .map(|r| match r {
            Reminder::Due(f) => f.full_name.clone(),
            Reminder::Missed(all) => format!(
                "missed: {}",
                all.iter()
                    .map(|f| f.full_name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect()
}

#[tokio::test]
async fn a_reminder_is_due_once_snoozed_due_again_and_done() {
    let (store, _dir) = open().await;
    let clock = TestClock::at(local("2026-12-01", "08:00"));
    let ada = add(&store, "Ada", clock.now()).await;
    follow_up(
        &store,
        ada,
        "Send the pilot terms",
        "2026-12-02",
        Some("14:30"),
    )
    .await;
    let lead = store.lead(ada).await.unwrap().unwrap();
    assert_eq!(lead.next_step_time.as_deref(), Some("14:30"));
    assert_eq!(lead.follow_up_at, Some(local("2026-12-02", "14:30")));

    let reminders = Reminders::new(store.clone(), clock.clone(), Arc::new(ZONE));
    assert!(reminders.tick().await.unwrap().is_empty(), "not due yet");
    clock.set(local("2026-12-02", "14:29"));
    assert!(reminders.tick().await.unwrap().is_empty(), "a minute early");
    clock.set(local("2026-12-02", "14:30"));
    let due = reminders.tick().await.unwrap();
    assert_eq!(names(&due), ["Ada"]);
    let Reminder::Due(f) = &due[0] else {
        unreachable!()
    };
    assert_eq!(f.next_step.as_deref(), Some("Send the pilot terms"));
    assert_eq!(f.company_name.as_deref(), Some("Acme"));
    clock.advance(60_000);
    assert!(reminders.tick().await.unwrap().is_empty(), "shown once");

    // Snoozed for an hour: quiet until then, then due again, once.
    let snoozed = reminders
        .snooze(ada, Snooze::OneHour)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(snoozed.due_at, local("2026-12-02", "15:31"));
    assert_eq!(snoozed.date, "2026-12-02", "the chosen date stays");
    clock.advance(59 * 60_000);
    assert!(reminders.tick().await.unwrap().is_empty());
    clock.advance(60_000);
    assert_eq!(names(&reminders.tick().await.unwrap()), ["Ada"]);
    assert!(reminders.tick().await.unwrap().is_empty());

    // Done: the step and its date are cleared, the timeline says so, nothing reminds again.
    let lead = reminders.done(ada).await.unwrap().unwrap();
    assert_eq!(
        (lead.next_step, lead.next_step_due, lead.follow_up_at),
        (None, None, None)
    );
    assert!(reminders.done(ada).await.unwrap().is_none(), "done twice");
    let timeline = store.activities(ada).await.unwrap();
    assert_eq!(timeline[0].body, "Follow-up done: Send the pilot terms");
    assert!(reminders
        .snooze(ada, Snooze::Tomorrow)
        .await
        .unwrap()
        .is_none());
    clock.advance(7 * DAY);
    assert!(reminders.tick().await.unwrap().is_empty());
}

#[tokio::test]
async fn missed_reminders_are_grouped_once_after_a_restart_and_none_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let clock = TestClock::at(local("2026-12-01", "08:00"));
    {
        let store = Store::open(&path).await.unwrap();
        let ada = add(&store, "Ada", clock.now()).await;
        let grace = add(&store, "Grace", clock.now()).await;
        let alan = add(&store, "Alan", clock.now()).await;
        follow_up(&store, ada, "Call", "2026-12-01", Some("10:00")).await;
        follow_up(&store, grace, "Email", "2026-12-01", Some("11:00")).await;
        follow_up(&store, alan, "Demo", "2026-12-01", Some("18:00")).await;
        let reminders = Reminders::new(store.clone(), clock.clone(), Arc::new(ZONE));
        clock.set(local("2026-12-01", "10:00"));
        // Ada is claimed and shown; the app is then killed before anything else.
        assert_eq!(names(&reminders.tick().await.unwrap()), ["Ada"]);
        store.close().await;
    }
    // The app comes back at 17:00: Grace came due while it was closed, Ada was shown already.
    clock.set(local("2026-12-01", "17:00"));
    let store = Store::open(&path).await.unwrap();
    let reminders = Reminders::new(store.clone(), clock.clone(), Arc::new(ZONE));
    assert_eq!(names(&reminders.tick().await.unwrap()), ["missed: Grace"]);
    assert!(
        reminders.tick().await.unwrap().is_empty(),
        "missed shown once"
    );
    // Alan comes due while it runs: on his own.
    clock.set(local("2026-12-01", "18:00"));
    assert_eq!(names(&reminders.tick().await.unwrap()), ["Alan"]);
    // A crash and restart with everything claimed: nothing repeats, however often it starts.
    for _ in 0..3 {
        let again = Reminders::new(store.clone(), clock.clone(), Arc::new(ZONE));
        assert!(again.tick().await.unwrap().is_empty());
    }
    // Two copies ticking at once (a second window on the same data): each reminder once.
    let ada = add(&store, "Barbara", clock.now()).await;
    follow_up(&store, ada, "Call", "2026-12-01", Some("18:30")).await;
    clock.set(local("2026-12-01", "18:30"));
    let other = Reminders::new(store.clone(), clock.clone(), Arc::new(ZONE));
    let (a, b) = tokio::join!(reminders.tick(), other.tick());
    assert_eq!(a.unwrap().len() + b.unwrap().len(), 1);
}

#[tokio::test]
async fn a_new_date_typed_in_the_drawer_is_a_new_reminder_and_closed_deals_never_remind() {
    let (store, _dir) = open().await;
    let clock = TestClock::at(local("2026-12-01", "08:00"));
    let ada = add(&store, "Ada", clock.now()).await;
    let lost = add(&store, "Lost Larry", clock.now()).await;
    follow_up(&store, ada, "Call", "2026-12-01", None).await;
    follow_up(&store, lost, "Call", "2026-12-01", None).await;
    let to_lost = Placement {
        stage_id: stage(&store, "Lost").await,
        before: None,
    };
    store.move_lead(lost, to_lost, clock.now()).await.unwrap();
    let reminders = Reminders::new(store.clone(), clock.clone(), Arc::new(ZONE));
    clock.set(local("2026-12-01", "09:00"));
    assert_eq!(names(&reminders.tick().await.unwrap()), ["Ada"]);

    // The date edited through the plain field path: the trigger drops the old instant and the
    // marker, the scheduler computes the new one (09:00 local), and it reminds again then.
    store
        .update_lead(
            ada,
            &FieldValue::Text(LeadField::NextStepDue, Some("2026-12-03".into())),
            clock.now(),
        )
        .await
        .unwrap();
    assert_eq!(store.lead(ada).await.unwrap().unwrap().follow_up_at, None);
    assert!(reminders.tick().await.unwrap().is_empty());
    assert_eq!(
        store.lead(ada).await.unwrap().unwrap().follow_up_at,
        Some(local("2026-12-03", "09:00"))
    );
    clock.set(local("2026-12-03", "09:00"));
    assert_eq!(names(&reminders.tick().await.unwrap()), ["Ada"]);
}

#[tokio::test]
async fn today_lists_overdue_due_today_upcoming_stale_and_newly_researched() {
    let (store, _dir) = open().await;
    let long_ago = local("2026-11-01", "09:00");
    let now = local("2026-12-02", "00:30");
    let overdue = add(&store, "Overdue Olive", long_ago).await;
    let today = add(&store, "Today Tom", long_ago).await;
    let later = add(&store, "Later Lena", long_ago).await;
    let far = add(&store, "Far Fred", long_ago).await;
    follow_up(&store, overdue, "Call", "2026-12-01", Some("23:59")).await;
    follow_up(&store, today, "Call", "2026-12-02", Some("23:59")).await;
    follow_up(&store, later, "Call", "2026-12-09", None).await;
    follow_up(&store, far, "Call", "2026-12-10", None).await;
    let view = store.today(now, &ZONE).await.unwrap();
    let of = |list: &[leadscout_domain::FollowUp]| {
        list.iter().map(|f| f.full_name.clone()).collect::<Vec<_>>()
    };
    // 00:30 local on the 2nd is still the 1st in UTC: days are the user's.
    assert_eq!(of(&view.overdue), ["Overdue Olive"]);
    assert_eq!(of(&view.due_today), ["Today Tom"]);
    assert_eq!(
        of(&view.upcoming),
        ["Later Lena"],
        "seven days ahead, no more"
    );
    assert!(view.stale.is_empty(), "no rules, nothing stale");

    // Stale: 14 days in New. Leads edited on 2026-12-01 (follow_up set them) are not stale; one
    // untouched since November is, and a logged call makes another fresh.
    let idle = add(&store, "Idle Ida", long_ago).await;
    let called = add(&store, "Called Carl", long_ago).await;
    let new = stage(&store, "New").await;
    store
        .save_stale_rules(
            &[StaleRule {
                stage_id: new,
                days: 14,
            }],
            now,
        )
        .await
        .unwrap();
    store
        .add_activity(
            &NewActivity {
                lead_id: called,
                kind: leadscout_domain::ActivityKind::Call,
                body: "Talked".into(),
                outcome: Some(leadscout_domain::CallOutcome::Connected),
                occurred_at: None,
            }
            .validate()
            .unwrap(),
            local("2026-11-30", "10:00"),
        )
        .await
        .unwrap();
    let view = store.today(now, &ZONE).await.unwrap();
    let stale: Vec<_> = view
        .stale
        .iter()
        .map(|s| (s.lead_id, s.idle_days))
        .collect();
    assert_eq!(stale, [(idle, 30)]);
    assert!(store
        .save_stale_rules(
            &[StaleRule {
                stage_id: new,
                days: 0
            }],
            now
        )
        .await
        .is_err());

    // Research that finished since Today was last looked at.
    let run = store
        .enqueue_run(
            idle,
            "lead_research",
            leadscout_domain::RunTrigger::Manual,
            now,
        )
        .await
        .unwrap();
    let claimed = store.claim_run("test", 30_000, now).await.unwrap().unwrap();
    assert_eq!(claimed.id, run);
    let finished = Timestamp(now.0 + 1000);
    assert!(store
        .end_run(
            run,
            "test",
            leadscout_domain::RunStatus::Succeeded,
            None,
            finished
        )
        .await
        .unwrap());
    let view = store.today(Timestamp(now.0 + 2000), &ZONE).await.unwrap();
    assert_eq!(view.researched.len(), 1);
    assert_eq!(view.researched[0].lead_id, idle);
    store
        .mark_today_seen(Timestamp(now.0 + 3000))
        .await
        .unwrap();
    let view = store.today(Timestamp(now.0 + 4000), &ZONE).await.unwrap();
    assert!(view.researched.is_empty(), "seen");
}
