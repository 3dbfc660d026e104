//! Logged touches, "last contacted", follow-ups set while logging, and closing a deal (its date
//! and lost reason), against real SQLite files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_domain::{
    ActivityKind, CallOutcome, FollowUpInput, Lead, LeadId, LostReason, NewActivity, NewLead,
    NewLostReason, StageId, Timestamp,
};
use leadscout_store::{Placement, Store, StoreError, DATABASE_FILE};

const NOW: Timestamp = Timestamp(1_764_000_000_000);
const DAY: i64 = 86_400_000;

async fn open() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    (store, dir)
}

async fn add(store: &Store, name: &str) -> LeadId {
    let draft = NewLead {
        full_name: name.into(),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    store.create_lead(&draft, NOW).await.unwrap().id
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

async fn move_to(store: &Store, id: LeadId, name: &str, at: Timestamp) -> Lead {
    let stage_id = stage(store, name).await;
    store
        .move_lead(
            id,
            Placement {
                stage_id,
                before: None,
            },
            at,
        )
        .await
        .unwrap()
}

fn activity(
    lead: LeadId,
    kind: ActivityKind,
    outcome: Option<CallOutcome>,
    at: Timestamp,
) -> NewActivity {
    NewActivity {
        lead_id: lead,
        kind,
        body: String::new(),
        outcome,
        occurred_at: Some(at),
    }
}

async fn card_contacted(store: &Store, id: LeadId) -> Option<Timestamp> {
    let board = leadscout_domain::BoardView::from(store.board().await.unwrap());
    board
        .columns
        .into_iter()
        .flat_map(|c| c.leads)
        .find(|c| c.id == id)
        .unwrap()
        .last_contacted_at
}

#[tokio::test]
async fn last_contacted_is_the_latest_call_email_or_meeting_and_notes_do_not_count() {
    let (s, _dir) = open().await;
    let id = add(&s, "Ada").await;
    assert_eq!(s.lead(id).await.unwrap().unwrap().last_contacted_at, None);

    let call = activity(
        id,
        ActivityKind::Call,
        Some(CallOutcome::LeftVoicemail),
        Timestamp(NOW.0 - 3 * DAY),
    );
    let (logged, lead) = s
        .log_activity(&call.validate().unwrap(), None, NOW)
        .await
        .unwrap();
    assert_eq!(logged.outcome, Some(CallOutcome::LeftVoicemail));
    assert_eq!(lead.last_contacted_at, Some(Timestamp(NOW.0 - 3 * DAY)));

    // A later note does not make the lead contacted later; a meeting does.
    let mut note = activity(id, ActivityKind::Note, None, NOW);
    note.body = "Looked at their pricing page".into();
    s.add_activity(&note.validate().unwrap(), NOW)
        .await
        .unwrap();
    assert_eq!(
        card_contacted(&s, id).await,
        Some(Timestamp(NOW.0 - 3 * DAY))
    );
    let meeting = activity(id, ActivityKind::Meeting, None, Timestamp(NOW.0 - DAY));
    let meeting = s
        .add_activity(&meeting.validate().unwrap(), NOW)
        .await
        .unwrap();
    assert_eq!(card_contacted(&s, id).await, Some(Timestamp(NOW.0 - DAY)));

    // Deleting the latest touch falls back to the one before: nothing stale is kept.
    s.delete_activity(meeting.id, NOW).await.unwrap();
    assert_eq!(
        s.lead(id).await.unwrap().unwrap().last_contacted_at,
        Some(Timestamp(NOW.0 - 3 * DAY))
    );

    // The outcome is read back from the timeline.
    let timeline = s.activities(id).await.unwrap();
    let call = timeline
        .iter()
        .find(|a| a.kind == ActivityKind::Call)
        .unwrap();
    assert_eq!(call.outcome, Some(CallOutcome::LeftVoicemail));
}

#[tokio::test]
async fn logging_an_activity_can_set_the_next_follow_up_in_the_same_write() {
    let (s, _dir) = open().await;
    let id = add(&s, "Grace").await;
    let call = activity(id, ActivityKind::Call, Some(CallOutcome::Connected), NOW);
    let follow_up = FollowUpInput {
        next_step: Some("Send the proposal".into()),
        date: Some("2026-12-09".into()),
        time: Some("10:30".into()),
    }
    .validate()
    .unwrap();
    let due = Timestamp(NOW.0 + 7 * DAY);
    let (_, lead) = s
        .log_activity(
            &call.validate().unwrap(),
            Some((&follow_up, Some(due))),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(lead.next_step.as_deref(), Some("Send the proposal"));
    assert_eq!(lead.next_step_due.as_deref(), Some("2026-12-09"));
    assert_eq!(lead.next_step_time.as_deref(), Some("10:30"));
    assert_eq!(lead.follow_up_at, Some(due));
    let stored = s.lead(id).await.unwrap().unwrap();
    assert_eq!(stored.next_step_due.as_deref(), Some("2026-12-09"));

    // Without a follow-up the next step is left alone.
    let email = activity(id, ActivityKind::Email, None, NOW);
    let (_, lead) = s
        .log_activity(&email.validate().unwrap(), None, NOW)
        .await
        .unwrap();
    assert_eq!(lead.next_step.as_deref(), Some("Send the proposal"));

    // A lead that does not exist gets neither the entry nor the follow-up.
    let ghost = activity(LeadId(404), ActivityKind::Email, None, NOW);
    assert!(matches!(
        s.log_activity(
            &ghost.validate().unwrap(),
            Some((&follow_up, Some(due))),
            NOW
        )
        .await,
        Err(StoreError::LeadNotFound(_))
    ));
}

#[tokio::test]
async fn a_deal_records_when_it_closed_and_why_it_was_lost_until_it_is_reopened() {
    let (s, _dir) = open().await;
    let id = add(&s, "Linus").await;
    assert_eq!(s.lead(id).await.unwrap().unwrap().closed_at, None);

    let lead = move_to(&s, id, "Lost", Timestamp(NOW.0 + 10)).await;
    assert_eq!(lead.closed_at, Some(Timestamp(NOW.0 + 10)));
    assert_eq!(lead.lost_reason, None);

    let (reason, note) = NewLostReason {
        lead_id: id,
        reason: LostReason::Competitor,
        note: Some(" Chose HubSpot ".into()),
    }
    .validate()
    .unwrap();
    let lead = s
        .set_lost_reason(id, reason, note.as_deref(), Timestamp(NOW.0 + 20))
        .await
        .unwrap();
    assert_eq!(lead.lost_reason, Some(LostReason::Competitor));
    assert_eq!(lead.lost_note.as_deref(), Some("Chose HubSpot"));
    // The date is the move's, not the reason's.
    assert_eq!(lead.closed_at, Some(Timestamp(NOW.0 + 10)));
    assert_eq!(
        s.activities(id).await.unwrap()[0].body,
        "Lost: Went with a competitor. Chose HubSpot"
    );

    // Reopened: no closing date, no reason. Won: a new date, still no lost reason.
    let lead = move_to(&s, id, "Qualified", Timestamp(NOW.0 + 30)).await;
    assert_eq!(
        (lead.closed_at, lead.lost_reason, lead.lost_note),
        (None, None, None)
    );
    assert!(matches!(
        s.set_lost_reason(id, LostReason::Price, None, NOW).await,
        Err(StoreError::Conflict(_))
    ));
    let lead = move_to(&s, id, "Won", Timestamp(NOW.0 + 40)).await;
    assert_eq!(lead.closed_at, Some(Timestamp(NOW.0 + 40)));
    assert_eq!(lead.lost_reason, None);

    // Moving within the closed column keeps the date it closed on.
    let lead = move_to(&s, id, "Won", Timestamp(NOW.0 + 50)).await;
    assert_eq!(lead.closed_at, Some(Timestamp(NOW.0 + 40)));
    // And it survives reopening the database.
    drop(s);
    let s = Store::open(&_dir.path().join(DATABASE_FILE)).await.unwrap();
    assert_eq!(
        s.lead(id).await.unwrap().unwrap().closed_at,
        Some(Timestamp(NOW.0 + 40))
    );
}

/// Deals closed before migration 11 get the date they last moved (their latest stage change),
/// or the lead's last change without one; open deals get none.
#[tokio::test]
async fn leads_closed_before_the_upgrade_get_the_date_they_last_moved() {
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
                .filter(|m| m.version < 11)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    let mut conn = sqlx::SqliteConnection::connect_with(&connect_options(&path))
        .await
        .unwrap();
    before.run(&mut conn).await.unwrap();
    for sql in [
        "INSERT INTO leads (id, full_name, stage_id, position, created_at, updated_at) VALUES \
         (1, 'Moved', (SELECT id FROM pipeline_stages WHERE kind = 'lost'), 0, 1, 900), \
         (2, 'Imported', (SELECT id FROM pipeline_stages WHERE kind = 'won'), 0, 1, 800), \
         (3, 'Open', (SELECT MIN(id) FROM pipeline_stages), 0, 1, 700)",
        "INSERT INTO activities (lead_id, kind, body, occurred_at, created_at) VALUES \
         (1, 'stage_change', 'Moved from New to Lost', 500, 500), \
         (1, 'call', 'Said no', 400, 400)",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();

    let s = Store::open(&path).await.unwrap();
    let closed = |id: i64| {
        let s = s.clone();
        async move { s.lead(LeadId(id)).await.unwrap().unwrap().closed_at }
    };
    assert_eq!(closed(1).await, Some(Timestamp(500)));
    assert_eq!(closed(2).await, Some(Timestamp(800)));
    assert_eq!(closed(3).await, None);
    // The call logged before outcomes existed reads back without one, and counts as a contact.
    let moved = s.lead(LeadId(1)).await.unwrap().unwrap();
    assert_eq!(moved.last_contacted_at, Some(Timestamp(400)));
    let call = &s.activities(LeadId(1)).await.unwrap()[1];
    assert_eq!((call.kind, call.outcome), (ActivityKind::Call, None));
}
