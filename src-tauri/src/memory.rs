//! Memory the app has finished with goes back to the system.
//!
//! A full board load at 10,000 leads builds a few MB of JSON twice and decodes every lead in
//! between; a report at 100,000 leads reads more. glibc's allocator keeps what such a burst
//! freed for the next one, in every thread's arena, so the app process grew by 50-60 MB over
//! five board loads and never shrank (docs/benchmarks.md, "The app: start, memory and
//! rendering"). After each such burst the [`Trimmer`] asks glibc to hand the free pages back
//! (`malloc_trim`), once things are quiet.
//!
//! `LEADSCOUT_MALLOC_TRIM=0` turns it off, for the benchmark's A/B in the same build.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How long the window must have been quiet (no command at all) before the trim. The answer
/// is serialised and handed to the webview after the command returns, and its buffers are
/// freed only then; several loads in a row end in one trim, after the last. The trim holds
/// glibc's arena locks while it walks the heap (tens of milliseconds after a board load), so
/// it waits for a pause in what the user is doing rather than running beside their next step.
const QUIET_FOR: Duration = Duration::from_secs(2);

/// Turns the trim off when set to `0`.
pub const TRIM_ENV: &str = "LEADSCOUT_MALLOC_TRIM";

/// Asks for a trim after the work that freed much memory; cheap to call after every such
/// command.
#[derive(Clone)]
pub struct Trimmer {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    wake: Notify,
    /// A trim is waiting for quiet.
    armed: AtomicBool,
}

impl Trimmer {
    /// Starts the task that trims (on the app's async runtime); off where the allocator is not
    /// glibc's or [`TRIM_ENV`] says so.
    pub fn start() -> Trimmer {
        let off = std::env::var(TRIM_ENV).is_ok_and(|v| v.trim() == "0");
        if off || !SUPPORTED {
            tracing::info!(supported = SUPPORTED, "memory trim after large loads: off");
            return Trimmer { inner: None };
        }
        let inner = Arc::new(Inner {
            wake: Notify::new(),
            armed: AtomicBool::new(false),
        });
        let waiting = Arc::clone(&inner);
        tauri::async_runtime::spawn(async move {
            loop {
                waiting.wake.notified().await;
                // A `busy` that raced with the last trim left a wake-up behind: nothing to do.
                if !waiting.armed.load(Ordering::SeqCst) {
                    continue;
                }
                // Each command in a burst (the board loaded five times in a row, or the user
                // adding a lead right after) starts the wait again: memory given back in the
                // middle of a burst would be asked for again at once, page by page.
                while tokio::time::timeout(QUIET_FOR, waiting.wake.notified())
                    .await
                    .is_ok()
                {}
                waiting.armed.store(false, Ordering::SeqCst);
                let started = Instant::now();
                match tauri::async_runtime::spawn_blocking(trim).await {
                    Ok(released) => tracing::debug!(
                        released,
                        ms = started.elapsed().as_millis() as u64,
                        "freed memory handed back"
                    ),
                    Err(err) => tracing::warn!(%err, "the memory trim did not run"),
                }
            }
        });
        Trimmer { inner: Some(inner) }
    }

    /// A trim once the window has been quiet for a moment (one for many calls in a row).
    pub fn soon(&self) {
        if let Some(inner) = &self.inner {
            inner.armed.store(true, Ordering::SeqCst);
            inner.wake.notify_one();
        }
    }

    /// The window asked for something: a trim waiting for quiet waits on. Called for every
    /// command; does nothing when no trim is waiting.
    pub fn busy(&self) {
        if let Some(inner) = &self.inner {
            if inner.armed.load(Ordering::SeqCst) {
                inner.wake.notify_one();
            }
        }
    }
}

const SUPPORTED: bool = cfg!(all(target_os = "linux", target_env = "gnu"));

/// Whether glibc gave memory back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn trim() -> bool {
    // SAFETY: malloc_trim takes no pointer and touches only glibc's own heap, under the
    // allocator's locks; any thread may call it at any time (glibc's manual, "Memory
    // Allocation Tunables" and malloc_trim(3)). Pad 0 keeps nothing spare at the heap's top.
    unsafe { libc::malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() -> bool {
    false
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// Set in the process the test starts for itself.
    const ALONE: &str = "LEADSCOUT_TRIM_TEST_ALONE";

    /// glibc frees what a large burst left: the process's resident size after the trim is
    /// below what it was with the freed memory still held. Resident size is the whole
    /// process's, and the other tests allocate, free and trim beside this one, so it measures
    /// in a process of its own: this test binary, running only this test.
    #[test]
    fn a_trim_hands_freed_memory_back() {
        if std::env::var_os(ALONE).is_some() {
            return measure();
        }
        let name = "memory::tests::a_trim_hands_freed_memory_back";
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([name, "--exact", "--nocapture", "--test-threads=1"])
            .env(ALONE, "1")
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{printed}");
        // The filter matched the test: it ran (and measured) in the child.
        assert!(printed.contains("1 passed"), "{printed}");
    }

    fn measure() {
        fn resident_kib() -> u64 {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        }
        // Many mid-sized blocks (under the mmap threshold, so they live in the heap), written
        // so the pages are resident, then all freed but one at the end that pins the heap's top.
        let mut blocks: Vec<Vec<u8>> = (0..4_000)
            .map(|i| vec![(i % 251) as u8; 16 * 1024])
            .collect();
        let pin = vec![1u8; 1024];
        blocks.clear();
        blocks.shrink_to_fit();
        let before = resident_kib();
        trim();
        let after = resident_kib();
        assert!(
            after + 32 * 1024 < before,
            "resident {before} KiB before the trim, {after} KiB after"
        );
        drop(pin);
    }
}
