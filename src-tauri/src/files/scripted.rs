//! Debug builds only (the module is not compiled into a release): file dialogs answered from a
//! script, so the end-to-end tests can import, export, back up and restore in the real app
//! without a native dialog they cannot click. Like `LEADSCOUT_TEST_ALLOW_HOSTS`, it is read from
//! the environment the test starts the app with; nothing in the window can set it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;

use super::{FileChooser, FileRequest};

/// Names a text file of answers, one per line, used in order: each dialog takes the first line
/// and removes it. A path is the file the user "chose"; an empty line is a cancelled dialog.
pub const ANSWERS_ENV: &str = "LEADSCOUT_TEST_FILE_ANSWERS";

/// Answers from the file named by [`ANSWERS_ENV`], when it is set.
pub fn from_env() -> Option<Scripted> {
    let answers = std::env::var_os(ANSWERS_ENV).filter(|v| !v.is_empty())?;
    Some(Scripted {
        answers: PathBuf::from(answers),
        lock: Mutex::new(()),
    })
}

pub struct Scripted {
    answers: PathBuf,
    /// Two dialogs at once must not take the same line.
    lock: Mutex<()>,
}

impl Scripted {
    pub fn answers(&self) -> &Path {
        &self.answers
    }
}

impl FileChooser for Scripted {
    fn choose(&self, request: &FileRequest) -> anyhow::Result<Option<PathBuf>> {
        let _one_at_a_time = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let script = std::fs::read_to_string(&self.answers)
            .with_context(|| format!("no scripted answers at {}", self.answers.display()))?;
        let Some((first, rest)) = script.split_once('\n').or_else(|| {
            // A last line without a newline is an answer too.
            (!script.is_empty()).then_some((script.as_str(), ""))
        }) else {
            anyhow::bail!("the scripted answers ran out before {request:?}");
        };
        std::fs::write(&self.answers, rest)
            .with_context(|| format!("could not update {}", self.answers.display()))?;
        let answer = first.trim();
        tracing::info!(?request, answer, "scripted file dialog");
        Ok((!answer.is_empty()).then(|| PathBuf::from(answer)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::files::FileKind;

    #[test]
    fn answers_are_taken_in_order_and_an_empty_line_cancels() {
        let dir = tempfile::tempdir().unwrap();
        let answers = dir.path().join("answers");
        std::fs::write(&answers, "/tmp/a.csv\n\n/tmp/b.sqlite3").unwrap();
        let script = Scripted {
            answers: answers.clone(),
            lock: Mutex::new(()),
        };
        let open = FileRequest::Open {
            kind: FileKind::Contacts,
        };
        assert_eq!(
            script.choose(&open).unwrap(),
            Some(PathBuf::from("/tmp/a.csv"))
        );
        assert_eq!(script.choose(&open).unwrap(), None);
        assert_eq!(
            script.choose(&open).unwrap(),
            Some(PathBuf::from("/tmp/b.sqlite3"))
        );
        let err = script.choose(&open).unwrap_err();
        assert!(err.to_string().contains("ran out"), "{err}");
    }
}
