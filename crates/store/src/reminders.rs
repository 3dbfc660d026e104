//! The reminder scheduler: on each tick, schedules new follow-ups, claims the reminders that are
//! due and says how to show them. Headless and driven by an injected clock and zone; the app
//! ticks it on a timer and shows what it returns as notifications.

use std::sync::Arc;

use leadscout_domain::{Clock, FollowUp, Lead, LeadId, LocalZone, Snooze, Timestamp};

use crate::{Store, StoreError};

/// What to show after a tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reminder {
    /// A follow-up that came due while the app ran: one notification with its actions.
    Due(FollowUp),
    /// Follow-ups that came due while the app was not running: one grouped notification,
    /// shown once at the first tick after the start.
    Missed(Vec<FollowUp>),
}

/// Claims due reminders exactly once (see [`Store::claim_due_follow_ups`]).
#[derive(Clone)]
pub struct Reminders {
    store: Store,
    clock: Arc<dyn Clock>,
    zone: Arc<dyn LocalZone>,
    /// When this process started: a reminder due before it was missed while the app was closed.
    started_at: Timestamp,
}

impl Reminders {
    pub fn new(store: Store, clock: Arc<dyn Clock>, zone: Arc<dyn LocalZone>) -> Reminders {
        let started_at = clock.now();
        Reminders {
            store,
            clock,
            zone,
            started_at,
        }
    }

    pub fn zone(&self) -> &dyn LocalZone {
        self.zone.as_ref()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Schedules follow-ups whose date changed and claims what is due now. Reminders due
    /// before the start come back as one [`Reminder::Missed`], the rest one by one.
    pub async fn tick(&self) -> Result<Vec<Reminder>, StoreError> {
        self.store.schedule_follow_ups(self.zone.as_ref()).await?;
        let due = self.store.claim_due_follow_ups(self.clock.now()).await?;
        let (missed, due): (Vec<FollowUp>, Vec<FollowUp>) =
            due.into_iter().partition(|f| f.due_at < self.started_at);
        let mut shown = Vec::with_capacity(due.len() + 1);
        if !missed.is_empty() {
            shown.push(Reminder::Missed(missed));
        }
        shown.extend(due.into_iter().map(Reminder::Due));
        Ok(shown)
    }

    /// Puts a reminder off; `None` when the lead has no follow-up any more.
    pub async fn snooze(
        &self,
        lead: LeadId,
        snooze: Snooze,
    ) -> Result<Option<FollowUp>, StoreError> {
        let until = snooze.until(self.clock.now(), self.zone.as_ref());
        self.store.snooze_follow_up(lead, until).await
    }

    /// Marks a follow-up done; `None` when it already was.
    pub async fn done(&self, lead: LeadId) -> Result<Option<Lead>, StoreError> {
        self.store.complete_follow_up(lead, self.clock.now()).await
    }
}
