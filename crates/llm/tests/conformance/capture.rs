//! Everything this test process logs (our `tracing` events and reqwest's `log` records),
//! collected by one global subscriber.
//!
//! It is global, and installed before any test makes its first call (every test gets its
//! HTTP client from `suite::http`, which installs it first), because per-test scoped
//! subscribers race with tracing's callsite-interest cache when tests run in parallel: an
//! event could go missing and the leak check would pass without having looked.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static INSTALLED: OnceLock<()> = OnceLock::new();

pub fn install() {
    INSTALLED.get_or_init(|| {
        let _ = tracing_log::LogTracer::init();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            // Plain text: in the app's workspace tracing-subscriber has its `ansi` feature on,
            // and colour codes would split `provider="..."` apart.
            .with_ansi(false)
            .with_writer(|| Sink)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

/// All that has been logged so far, by every test.
pub fn logged() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

struct Sink;

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
