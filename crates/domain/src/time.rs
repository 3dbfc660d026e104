//! Wall-clock instants as Unix milliseconds. The clock itself is injected by callers ([`Clock`]);
//! nothing in the domain reads the time.

use serde::{Deserialize, Serialize};
use specta::Type;

/// Milliseconds since the Unix epoch, UTC.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current time from the system clock. Call this only at the edges (the app shell, a
    /// test); library code takes a `Timestamp` argument instead.
    pub fn now() -> Self {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            // A clock before 1970 is a broken machine; treat it as the epoch rather than panic.
            .unwrap_or(0);
        Timestamp(millis)
    }
}

/// Where "now" comes from: the system clock in the app, a clock a test advances by hand.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

pub(crate) const DAY_MS: i64 = 24 * 60 * 60 * 1000;

impl Timestamp {
    /// The UTC calendar date, `YYYY-MM-DD`.
    pub fn date(self) -> String {
        let (year, month, day) = civil_from_days(self.0.div_euclid(DAY_MS));
        format!("{year:04}-{month:02}-{day:02}")
    }

    /// Midnight UTC of the same day.
    pub fn start_of_day(self) -> Timestamp {
        Timestamp(self.0.div_euclid(DAY_MS) * DAY_MS)
    }
}

/// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A civil date to days since 1970-01-01 (the inverse of [`civil_from_days`]).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(Timestamp(0).date(), "1970-01-01");
        // 2026-11-30T23:59:59.999Z and the next millisecond.
        assert_eq!(Timestamp(1_796_083_199_999).date(), "2026-11-30");
        assert_eq!(Timestamp(1_796_083_200_000).date(), "2026-12-01");
        assert_eq!(Timestamp(951_782_400_000).date(), "2000-02-29");
        assert_eq!(Timestamp(-1).date(), "1969-12-31");
        assert_eq!(
            Timestamp(1_796_083_199_999).start_of_day(),
            Timestamp(1_795_996_800_000)
        );
    }
}
