//! The log a user can hand over: every line the app logs goes to standard error and, once the
//! data folder is known, to `logs/leadscout.log` inside it. The file is rotated by size
//! (file-rotate): when it passes [`MAX_FILE_BYTES`] it becomes `leadscout.log.1` and older files
//! move up, and only [`KEPT_FILES`] of them are kept, so the folder never holds much more than
//! `(KEPT_FILES + 1) * MAX_FILE_BYTES`. Lines are whole: a file is rotated after the line that
//! crossed the limit, never in the middle of one.
//!
//! What is logged is decided where it is logged: API keys never are (tests/keychain.rs scans
//! this file for a canary key), and page text stays out of it.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, reload, EnvFilter, Layer, Registry};

/// The folder inside the data folder that holds the log files.
pub const LOGS_DIR: &str = "logs";
/// The file being written; rotated copies get `.1`, `.2`, ... appended (`.1` is the newest).
pub const LOG_FILE: &str = "leadscout.log";
/// A file is rotated once it is larger than this.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// How many rotated files are kept besides the current one.
pub const KEPT_FILES: usize = 4;

/// Where the log files of the data folder `data_dir` are.
pub fn logs_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(LOGS_DIR)
}

/// The rotating log file, shared by every writer handed to the subscriber.
#[derive(Clone)]
pub struct LogFile(Arc<Mutex<FileRotate<AppendCount>>>);

impl LogFile {
    /// Opens (or creates) the log of the data folder `data_dir`, readable by its owner only.
    pub fn open(data_dir: &Path) -> std::io::Result<LogFile> {
        LogFile::open_with_limit(data_dir, MAX_FILE_BYTES)
    }

    /// [`LogFile::open`] with another size limit (tests use a small one to see rotation).
    pub fn open_with_limit(data_dir: &Path, max_file_bytes: usize) -> std::io::Result<LogFile> {
        let dir = logs_dir(data_dir);
        std::fs::create_dir_all(&dir)?;
        let mut options = OpenOptions::new();
        options.read(true).create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let path = dir.join(LOG_FILE);
        // FileRotate drops lines silently when it cannot open the file: find out now instead.
        options.open(&path)?;
        let file = FileRotate::new(
            path,
            AppendCount::new(KEPT_FILES),
            ContentLimit::BytesSurpassed(max_file_bytes.max(1)),
            Compression::None,
            Some(options),
        );
        Ok(LogFile(Arc::new(Mutex::new(file))))
    }
}

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // A panic elsewhere while the lock was held must not silence the log.
        let mut file = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        file.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let mut file = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        file.flush()
    }
}

/// A formatting layer that writes plain lines (no colour codes) to `file`.
pub fn file_layer<S>(file: LogFile) -> impl Layer<S> + Send + Sync
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fmt::layer()
        .with_ansi(false)
        .with_writer(move || file.clone())
}

type FileSlot = Option<Box<dyn Layer<Registry> + Send + Sync>>;

/// The process's logging: standard error from the start, the file once [`Logging::write_to`]
/// knows the data folder. `RUST_LOG` chooses what is logged (`info` when unset).
pub struct Logging {
    file: Option<reload::Handle<FileSlot, Registry>>,
}

impl Logging {
    /// Installs the process-wide subscriber. When one is installed already (tests start the app
    /// more than once in a process) the existing one stays and no file is written.
    pub fn init() -> Logging {
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
        let (file_slot, handle) = reload::Layer::new(FileSlot::None);
        let installed = tracing_subscriber::registry()
            .with(file_slot)
            .with(fmt::layer().with_writer(std::io::stderr))
            .with(filter)
            .try_init()
            .is_ok();
        Logging {
            file: installed.then_some(handle),
        }
    }

    /// From now on, also writes the log into the data folder `data_dir`. Returns the file's
    /// path, or `None` when this process's logging was set up elsewhere.
    pub fn write_to(&self, data_dir: &Path) -> anyhow::Result<Option<PathBuf>> {
        let Some(handle) = &self.file else {
            return Ok(None);
        };
        let file = LogFile::open(data_dir).map_err(|err| {
            anyhow::anyhow!(
                "The log file could not be created in {}: {err}",
                logs_dir(data_dir).display()
            )
        })?;
        handle
            .modify(|slot| *slot = Some(Box::new(file_layer(file))))
            .map_err(|err| anyhow::anyhow!("The log file could not be attached: {err}"))?;
        Ok(Some(logs_dir(data_dir).join(LOG_FILE)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn log_files(data_dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(logs_dir(data_dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_log_is_rotated_by_size_and_old_files_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = LogFile::open_with_limit(dir.path(), 100).unwrap();
        let line = format!("{}\n", "x".repeat(59));
        for _ in 0..40 {
            file.write_all(line.as_bytes()).unwrap();
        }
        file.flush().unwrap();
        let names = log_files(dir.path());
        let mut expected = vec![LOG_FILE.to_owned()];
        expected.extend((1..=KEPT_FILES).map(|n| format!("{LOG_FILE}.{n}")));
        assert_eq!(names, expected);
        // Every file is whole lines, and none grew past the limit by more than a line.
        for name in names {
            let text = std::fs::read_to_string(logs_dir(dir.path()).join(&name)).unwrap();
            assert!(
                text.len() <= 100 + line.len(),
                "{name}: {} bytes",
                text.len()
            );
            assert!(
                text.lines().all(|l| l.len() == 59),
                "{name} holds a cut line"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_the_owner_can_read_the_log() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut file = LogFile::open(dir.path()).unwrap();
        file.write_all(b"a line\n").unwrap();
        let mode = std::fs::metadata(logs_dir(dir.path()).join(LOG_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_data_folder_that_cannot_hold_logs_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the logs folder would be.
        std::fs::write(dir.path().join(LOGS_DIR), b"").unwrap();
        assert!(LogFile::open(dir.path()).is_err());
    }
}
