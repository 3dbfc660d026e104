//! Rate limits per provider and per website host, shared by all workers of the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// Spaces request starts evenly: at most `per_minute` a minute, no bursts. Even spacing keeps a
/// provider's per-minute window from ever overflowing, whatever its window alignment.
#[derive(Debug)]
struct Pacer {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// Reserves the next slot and returns when it starts.
    fn reserve(&self) -> Instant {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let slot = match *next {
            Some(at) if at > now => at,
            _ => now,
        };
        *next = Some(slot + self.interval);
        slot
    }
}

/// Named limits: `provider:openai`, `host:acme.com`... A key without a limit is not paced.
#[derive(Debug, Default)]
pub struct RateLimits {
    pacers: Mutex<HashMap<String, Arc<Pacer>>>,
}

impl RateLimits {
    pub fn new() -> RateLimits {
        RateLimits::default()
    }

    /// Sets (or replaces) the limit for `key`. Zero removes it.
    pub fn set(&self, key: &str, per_minute: u32) {
        let mut pacers = self.pacers.lock().unwrap_or_else(|p| p.into_inner());
        if per_minute == 0 {
            pacers.remove(key);
            return;
        }
        pacers.insert(
            key.to_owned(),
            Arc::new(Pacer {
                interval: Duration::from_secs(60) / per_minute,
                next: Mutex::new(None),
            }),
        );
    }

    /// Waits for the key's next free slot.
    pub async fn wait(&self, key: &str) {
        let pacer = self
            .pacers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned();
        if let Some(pacer) = pacer {
            tokio::time::sleep_until(pacer.reserve()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn starts_are_spaced_evenly_and_unlimited_keys_pass() {
        let limits = Arc::new(RateLimits::new());
        limits.set("provider:test", 120);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let limits = Arc::clone(&limits);
            tasks.push(tokio::spawn(async move {
                limits.wait("provider:test").await;
                Instant::now() - start
            }));
        }
        let mut at = Vec::new();
        for t in tasks {
            at.push(t.await.unwrap());
        }
        at.sort();
        let expected: Vec<Duration> = (0..5).map(|i| Duration::from_millis(500 * i)).collect();
        assert_eq!(at, expected);
        let before = Instant::now();
        limits.wait("host:unlimited.example").await;
        assert_eq!(Instant::now(), before);
    }
}
