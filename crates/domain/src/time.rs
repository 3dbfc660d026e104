//! Wall-clock instants as Unix milliseconds. The clock itself is injected by callers; nothing in
//! the domain reads the time.

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
