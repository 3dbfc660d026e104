//! Figures from the benchmarks. A benchmark opens a [`Section`] and reports each figure through
//! it: the figure is printed, and when `LEADSCOUT_BENCH_RESULTS` names a file (as `make bench`
//! does) it is also appended there as a JSON line, with the machine, date and goal. The
//! `bench-report` program then writes those figures into `docs/benchmarks.md` ([`report`]).

pub mod report;

use std::fmt::Display;
use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Where `make bench` collects figures.
pub const RESULTS_ENV: &str = "LEADSCOUT_BENCH_RESULTS";

/// One line of the results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A benchmark section starts: everything after it with the same `section` belongs to it.
    Start {
        section: String,
        title: String,
        command: String,
        about: String,
        machine: String,
        date: String,
    },
    Figure {
        section: String,
        what: String,
        result: String,
        goal: Option<String>,
        met: Option<bool>,
    },
    /// A sentence under the table (a caveat that belongs to this run's numbers).
    Note { section: String, text: String },
}

/// A benchmark's share of the report.
pub struct Section {
    id: String,
    sink: Option<PathBuf>,
}

impl Section {
    /// Starts section `id` (a stable key: the report replaces the block with this key).
    /// `command` runs this section alone; `about` says what is measured and how.
    pub fn start(id: &str, title: &str, command: &str, about: &str) -> Section {
        let section = Section {
            id: id.to_owned(),
            sink: std::env::var_os(RESULTS_ENV).map(PathBuf::from),
        };
        let machine = machine();
        println!("== {title} ({command})\n   {machine}");
        section.record(&Record::Start {
            section: id.to_owned(),
            title: title.to_owned(),
            command: command.to_owned(),
            about: about.to_owned(),
            machine,
            date: today(),
        });
        section
    }

    /// A figure without a goal.
    pub fn figure(&self, what: &str, result: impl Display) {
        let result = result.to_string();
        println!("{what}: {result}");
        self.record(&Record::Figure {
            section: self.id.clone(),
            what: what.to_owned(),
            result,
            goal: None,
            met: None,
        });
    }

    /// A figure with its goal and whether this run met it.
    pub fn goal(&self, what: &str, result: impl Display, goal: &str, met: bool) {
        let result = result.to_string();
        let verdict = if met { "met" } else { "NOT MET" };
        println!("{what}: {result} (goal {goal}: {verdict})");
        self.record(&Record::Figure {
            section: self.id.clone(),
            what: what.to_owned(),
            result,
            goal: Some(goal.to_owned()),
            met: Some(met),
        });
    }

    /// A sentence that belongs with this run's numbers.
    pub fn note(&self, text: &str) {
        println!("{text}");
        self.record(&Record::Note {
            section: self.id.clone(),
            text: text.to_owned(),
        });
    }

    fn record(&self, record: &Record) {
        let Some(path) = &self.sink else { return };
        let line = match serde_json::to_string(record) {
            Ok(line) => line,
            Err(err) => panic!("a benchmark record did not serialise: {err}"),
        };
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| writeln!(file, "{line}"));
        if let Err(err) = written {
            panic!(
                "could not append to {} ({RESULTS_ENV}): {err}",
                path.display()
            );
        }
    }
}

/// The machine in one line: CPUs, memory, kernel, compiler and how busy it was when the section
/// started (a figure measured under load is not comparable with one measured on a quiet
/// machine).
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| format!(", {:.0} GiB RAM", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|r| format!(", Linux {}", r.trim()))
        .unwrap_or_else(|_| format!(", {}", std::env::consts::OS));
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .map(|l| format!(", 1-minute load average {l} at start"))
        .unwrap_or_default();
    format!("{cpus} × {model}{memory}{kernel}, release build{load}")
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    leadscout_domain::Timestamp::now().date()
}

/// The `p`-th percentile (0.0-1.0) of `samples`, nearest rank; sorts them.
pub fn percentile<T: Ord + Copy>(samples: &mut [T], p: f64) -> T {
    assert!(!samples.is_empty(), "a percentile of no samples");
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index.min(samples.len() - 1)]
}

/// Milliseconds with two decimals.
pub fn ms(d: std::time::Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A `kB` line of a /proc file (`field` with its colon, e.g. `"VmRSS:"`), in kB.
pub fn proc_kb(path: &str, field: &str) -> Option<f64> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Peak resident memory of this process so far, in MiB (Linux; `None` elsewhere).
pub fn peak_rss_mib() -> Option<f64> {
    Some(proc_kb("/proc/self/status", "VmHWM:")? / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let mut samples = vec![5, 1, 4, 2, 3];
        assert_eq!(percentile(&mut samples, 0.5), 3);
        assert_eq!(percentile(&mut samples, 0.0), 1);
        assert_eq!(percentile(&mut samples, 1.0), 5);
        assert_eq!(percentile(&mut [7], 0.95), 7);
    }

    #[test]
    fn figures_reach_the_results_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let section = Section {
            id: "demo".into(),
            sink: Some(path.clone()),
        };
        section.figure("Loads", "3 ms");
        section.goal("Search p95", "6.7 ms", "under 10 ms", true);
        let lines: Vec<Record> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert!(
            matches!(&lines[1], Record::Figure { met: Some(true), goal: Some(g), .. } if g == "under 10 ms")
        );
    }
}
