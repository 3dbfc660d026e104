//! Retry delays: exponential with jitter, a cap, and the server's Retry-After taking precedence.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    /// Attempts per step in one run, the first included.
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(2),
            max: Duration::from_secs(120),
            max_attempts: 4,
        }
    }
}

impl Backoff {
    /// The wait before attempt `next_attempt` (2 for the first retry). "Equal jitter": half the
    /// exponential delay is fixed, half random, so retries spread out but never come too soon.
    /// A `retry_after` from the server is used as given, capped at ten times `max`.
    pub fn delay(&self, next_attempt: u32, retry_after: Option<Duration>, random: f64) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max * 10);
        }
        let exp = next_attempt.saturating_sub(2).min(20);
        let full = self.base.saturating_mul(1 << exp).min(self.max);
        let half = full / 2;
        half + half.mul_f64(random.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_with_jitter_up_to_the_cap() {
        let b = Backoff {
            base: Duration::from_secs(2),
            max: Duration::from_secs(30),
            max_attempts: 5,
        };
        assert_eq!(b.delay(2, None, 0.0), Duration::from_secs(1));
        assert_eq!(b.delay(2, None, 1.0), Duration::from_secs(2));
        assert_eq!(b.delay(3, None, 1.0), Duration::from_secs(4));
        assert_eq!(b.delay(4, None, 0.5), Duration::from_secs(6));
        assert_eq!(b.delay(9, None, 1.0), Duration::from_secs(30));
        assert_eq!(b.delay(9, None, 0.0), Duration::from_secs(15));
    }

    #[test]
    fn retry_after_wins_but_is_bounded() {
        let b = Backoff::default();
        assert_eq!(
            b.delay(2, Some(Duration::from_secs(37)), 0.9),
            Duration::from_secs(37)
        );
        assert_eq!(
            b.delay(2, Some(Duration::from_secs(86_400)), 0.9),
            Duration::from_secs(1200)
        );
    }
}
