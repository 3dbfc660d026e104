//! `make eval-model`: lead research with a real local model, end to end.
//!
//! Runs the real engine, fetcher and model stages on a real SQLite file against a model served
//! by llama.cpp's `llama-server` on 127.0.0.1 (scripts/eval-model.sh starts it), over every
//! saved page under `../shared/eval/pages` (each folder one site) and the research test fixture
//! sites, each served on 127.0.0.1 under a pinned name as the research tests do. For each site
//! it prints how the model stages' answers fared (valid first try, after a repair turn, or
//! failed and why), the claims and verified claims, whether the run ended with a usable
//! profile, latency and tokens; then totals against the goals, written into
//! docs/benchmarks.md through the benchmark report (section `eval-model`).
//!
//! Environment: `LEADSCOUT_EVAL_BASE_URL` (the server's `/v1`), `LEADSCOUT_EVAL_MODEL`, and
//! optionally `LEADSCOUT_EVAL_SITES` (how many sites, for a quick look) and
//! `LEADSCOUT_EVAL_MINUTES` (no new site is started after this long; the report says how many
//! were researched) and `LEADSCOUT_EVAL_ONLY` (comma-separated parts of site names: only those).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use leadscout_testkit::{kit, site};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leadscout_bench::Section;
use leadscout_domain::{ModelSettings, MyProfile, NewLead, RunStatus, Settings, Timestamp};
use leadscout_llm::discovery::HttpClient;
use leadscout_llm::{
    BoxFuture, CallTimeouts, ErrorKind, LlmClient, LlmError, OpenAiClient, OpenAiConfig,
    ShorterOnCutOff, StructuredRequest, StructuredResponse, Url,
};
use leadscout_research::model::{ModelChoice, ModelKit, Models};
use leadscout_research::{AllowList, FetchConfig, Fetcher, Guard};
use leadscout_store::{Store, DATABASE_FILE};
use leadscout_workflow::{EngineConfig, EventSink, Notifier, Outcome, StepError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Every raw answer the server gave, before any retry: what the grammar and the model did.
#[derive(Default, Clone, Copy)]
struct Tally {
    calls: u32,
    valid: u32,
    cut_off: u32,
    invalid: u32,
    other: u32,
}

/// Counts each call's outcome as the server answered it.
struct Counted {
    inner: OpenAiClient,
    tally: Arc<Mutex<Tally>>,
}

impl LlmClient for Counted {
    fn provider(&self) -> leadscout_llm::Provider {
        self.inner.provider()
    }

    fn model(&self) -> &str {
        self.inner.model()
    }

    fn complete<'a>(
        &'a self,
        request: &'a StructuredRequest,
    ) -> BoxFuture<'a, Result<StructuredResponse, LlmError>> {
        Box::pin(async move {
            let result = self.inner.complete(request).await;
            let mut tally = self.tally.lock().unwrap();
            tally.calls += 1;
            match &result {
                Ok(_) => tally.valid += 1,
                Err(e) if e.kind() == ErrorKind::Truncated => tally.cut_off += 1,
                Err(e) if e.kind().is_repairable() => tally.invalid += 1,
                Err(_) => tally.other += 1,
            }
            result
        })
    }
}

/// The app's client for an OpenAI-compatible server (full schema, streamed, silence timeout,
/// one shorter retry after a cut-off), with every raw answer counted.
struct CountingModels {
    http: HttpClient,
    tally: Arc<Mutex<Tally>>,
}

impl Models for CountingModels {
    fn connect<'a>(
        &'a self,
        choice: &'a ModelChoice,
    ) -> BoxFuture<'a, Result<Box<dyn LlmClient>, StepError>> {
        Box::pin(async move {
            let base = Url::parse(choice.base_url.as_deref().unwrap_or_default())
                .map_err(|e| StepError::permanent(e.to_string()))?;
            let mut config = OpenAiConfig::compatible(base, &choice.model);
            config.silence_timeout = Some(choice.timeouts.silence);
            let counted = Counted {
                inner: OpenAiClient::new(config, self.http.clone()),
                tally: Arc::clone(&self.tally),
            };
            let client: Box<dyn LlmClient> = Box::new(ShorterOnCutOff::new(Box::new(counted)));
            Ok(client)
        })
    }
}

#[derive(Default)]
struct Outcomes(Mutex<Vec<Outcome>>);

impl EventSink for Outcomes {
    fn emit(&self, _event: leadscout_domain::RunEvent) {}
}

impl Notifier for Outcomes {
    fn notify(&self, outcome: &Outcome) {
        self.0.lock().unwrap().push(outcome.clone());
    }
}

/// Saved HTTP responses carry their headers; the body starts after the first blank line.
fn body_of(bytes: &[u8]) -> Vec<u8> {
    if bytes.starts_with(b"HTTP/") {
        for sep in [&b"\r\n\r\n"[..], &b"\n\n"[..]] {
            if let Some(at) = bytes.windows(sep.len()).position(|w| w == sep) {
                return bytes[at + sep.len()..].to_vec();
            }
        }
    }
    bytes.to_vec()
}

/// Serves one saved page as a site's homepage; everything else is 404.
async fn serve_page(page: Vec<u8>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let page = Arc::new(page);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let page = Arc::clone(&page);
            tokio::spawn(async move {
                let mut buf = vec![0; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let response = if path == "/" {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        page.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(&page);
                    r
                } else {
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        .to_vec()
                };
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    addr
}

/// The saved real pages, a site per folder: (name, the page file).
fn eval_sites(root: &Path) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut pages = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "html" || e == "htm" || e == "response")
                // Readability's `expected.html` is the extraction answer, not the site.
                && !path
                    .file_stem()
                    .is_some_and(|s| s.to_string_lossy().starts_with("expected"))
            {
                pages.push(path);
            }
        }
        pages.sort();
        if let Some(page) = pages.into_iter().next() {
            let name = dir.strip_prefix(root).unwrap_or(&dir).display().to_string();
            found.push((name, page));
        }
    }
    found.sort();
    found
}

/// A host name for a site: its folder name, letters and digits only.
fn host_for(i: usize, name: &str) -> String {
    let slug: String = name
        .rsplit('/')
        .next()
        .unwrap_or(name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-');
    format!("{}-{i}.example", &slug[..slug.len().min(40)])
}

/// What the model stages of one run did, from the calls the inspector records.
struct StageResult {
    /// `first try`, `after repair`, `failed: ...`, or `skipped`.
    answer: String,
}

fn stage_result(calls: &[leadscout_domain::ModelCallView], stage: &str) -> StageResult {
    let mine: Vec<_> = calls.iter().filter(|c| c.stage == stage).collect();
    let Some(last) = mine.last() else {
        return StageResult {
            answer: "not asked".into(),
        };
    };
    let answer = match (last.outcome.as_str(), last.turn) {
        ("valid", 1) => "valid first try".to_owned(),
        ("valid", _) => "valid after repair".to_owned(),
        (_, _) => {
            let why = last.errors.first().cloned().unwrap_or_default();
            // The first clause says what happened; the rest is advice.
            let why = why.split([':', ';']).take(2).collect::<Vec<_>>().join(":");
            format!("failed: {}", why.trim())
        }
    };
    StageResult { answer }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let base = std::env::var("LEADSCOUT_EVAL_BASE_URL")
        .expect("LEADSCOUT_EVAL_BASE_URL names the model server's /v1 (make eval-model sets it)");
    let model = std::env::var("LEADSCOUT_EVAL_MODEL").unwrap_or_else(|_| "gemma-3-270m".into());
    let limit: usize = std::env::var("LEADSCOUT_EVAL_SITES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let budget = std::env::var("LEADSCOUT_EVAL_MINUTES")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|m| Duration::from_secs(m * 60));
    let begun = Instant::now();

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let eval_root = manifest.join("../../../shared/eval/pages");
    let mut allow = AllowList::none();
    let mut sites: Vec<(String, String)> = Vec::new();
    for folder in ["acme", "closed", "hostile", "injected", "shell"] {
        let (addr, _hits) = site::serve(site::fixtures(folder)).await;
        let host = format!("{folder}.example");
        allow = allow.resolve_as(&host, addr);
        sites.push((
            format!("fixture: {folder}"),
            format!("http://{host}:{}/", addr.port()),
        ));
    }
    let real = eval_sites(&eval_root);
    if real.is_empty() {
        println!(
            "{} holds no saved pages: only the fixture sites are researched",
            eval_root.display()
        );
    }
    for (i, (name, page)) in real.iter().enumerate() {
        let addr = serve_page(body_of(&std::fs::read(page).unwrap())).await;
        let host = host_for(i, name);
        allow = allow.resolve_as(&host, addr);
        sites.push((
            format!("real: {name}"),
            format!("http://{host}:{}/", addr.port()),
        ));
    }
    // Fixtures and real pages alternate, so a run cut short by its time budget still has both.
    let real_sites = sites.split_off(5);
    let mut fixtures = std::mem::take(&mut sites).into_iter();
    let mut reals = real_sites.into_iter();
    loop {
        match (fixtures.next(), reals.next()) {
            (None, None) => break,
            (a, b) => sites.extend(a.into_iter().chain(b)),
        }
    }
    if let Ok(only) = std::env::var("LEADSCOUT_EVAL_ONLY") {
        let wanted: Vec<&str> = only
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect();
        sites.retain(|(name, _)| wanted.iter().any(|w| name.contains(w)));
    }
    sites.truncate(limit);

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let settings = Settings {
        model: ModelSettings {
            provider: Some(leadscout_domain::ModelProvider::OpenAiCompatible),
            base_url: Some(base.clone()),
            model: Some(model.clone()),
        },
        profile: MyProfile {
            company: "Forge & Co".into(),
            offering: "Inventory software for workshops and logistics firms".into(),
            ideal_customer: "Companies of 20-500 people that ship physical goods".into(),
        },
        ..Settings::default()
    };
    store
        .save_settings(&settings.validate().unwrap(), Timestamp::now())
        .await
        .unwrap();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let kit = ModelKit {
        store: store.clone(),
        models: Arc::new(CountingModels {
            http: leadscout_llm::build_http_client().unwrap(),
            tally: Arc::clone(&tally),
        }),
        prompts_dir: None,
        call_timeout: leadscout_research::model::CALL_TIMEOUT,
    };
    let fetcher = Fetcher::new(
        Guard::new(allow),
        FetchConfig {
            per_host_interval: Duration::from_millis(10),
            ..FetchConfig::default()
        },
    )
    .unwrap();
    let outcomes = Arc::new(Outcomes::default());
    let engine = kit::engine(
        &store,
        kit,
        fetcher,
        outcomes.clone(),
        EngineConfig::default(),
    );
    let section = Section::start(
        "eval-model",
        "A real local model: lead research end to end",
        "make eval-model",
        &format!(
            "Every saved page under `../shared/eval/pages` (each folder one site) and the research \
             test fixture sites, researched by the real engine on a real SQLite file, with \
             `{model}` served by llama.cpp's `llama-server` on 127.0.0.1 (built from the \
             llama-cpp-python source package, `--jinja` with Gemma 3's chat template, \
             `-c 8192 -np 1 -t {threads}`). It is the *base* model, not instruction-tuned: a floor for \
             answer quality, here to show how the app behaves with a weak model. Timeouts as \
             shipped: {} s of silence for a local server.",
            CallTimeouts::default().silence.as_secs(),
            threads = std::env::var("LEADSCOUT_EVAL_THREADS").unwrap_or_else(|_| "2".into()),
        ),
    );

    struct Row {
        site: String,
        footprint: String,
        insights: String,
        claims: usize,
        verified: usize,
        usable: bool,
        status: String,
        model_ms: i64,
        tokens_in: i64,
        tokens_out: i64,
        unverified_written: usize,
    }
    let mut rows: Vec<Row> = Vec::new();
    for (name, url) in &sites {
        if budget.is_some_and(|b| begun.elapsed() > b) {
            println!("time budget spent: {name} and the sites after it were not researched");
            break;
        }
        let (lead, _run) = kit::queue(
            &store,
            NewLead {
                full_name: "Dana Whitfield".into(),
                website: Some(url.clone()),
                ..NewLead::default()
            },
        )
        .await;
        let started = Instant::now();
        let ran = engine.run_next().await;
        let wall = started.elapsed();
        let outcome = outcomes.0.lock().unwrap().last().cloned();
        let (status, reason) = match (&ran, &outcome) {
            (Ok(Some(_)), Some(o)) if o.lead == lead.id => {
                (format!("{:?}", o.status).to_lowercase(), o.reason.clone())
            }
            (Err(e), _) => ("error".into(), Some(e.to_string())),
            _ => ("no run".into(), None),
        };
        let calls = store.lead_model_calls(lead.id).await.unwrap();
        let footprint = stage_result(&calls, "footprint");
        let insights = stage_result(&calls, "insights");
        let lead_now = store.lead(lead.id).await.unwrap().unwrap();
        let (mut claims, mut verified, mut usable, mut unverified_written) = (0, 0, false, 0);
        if let Some(company) = lead_now.company_id {
            let facts = store.company_facts(company).await.unwrap();
            claims = facts.len();
            verified = facts.iter().filter(|f| f.verified).count();
            usable = outcome
                .as_ref()
                .is_some_and(|o| o.status == RunStatus::Succeeded)
                && store.company_research(company).await.unwrap().is_some();
            if let Some(c) = store.company(company).await.unwrap() {
                // A value research wrote from the model must be a verified fact's.
                unverified_written = c
                    .provenance
                    .values()
                    .filter(|p| p.by == "model")
                    .filter(|p| {
                        !facts
                            .iter()
                            .any(|f| f.verified && Some(&f.quote) == p.quote.as_ref())
                    })
                    .count();
            }
        }
        let sum = |f: fn(&leadscout_domain::ModelCallView) -> Option<i64>| {
            calls.iter().filter_map(f).sum::<i64>()
        };
        let row = Row {
            site: name.clone(),
            footprint: footprint.answer,
            insights: insights.answer,
            claims,
            verified,
            usable,
            status: match reason {
                Some(r) if status != "succeeded" => {
                    format!("{status}: {}", r.chars().take(160).collect::<String>())
                }
                _ => status,
            },
            model_ms: sum(|c| c.latency_ms),
            tokens_in: sum(|c| c.tokens_in),
            tokens_out: sum(|c| c.tokens_out),
            unverified_written,
        };
        println!(
            "{}\n    footprint: {}\n    insights: {}\n    claims {} (verified {}), profile {}, run {}, {:.1} s ({:.1} s in the model), {} tokens in, {} out",
            row.site,
            row.footprint,
            row.insights,
            row.claims,
            row.verified,
            if row.usable { "usable" } else { "NOT usable" },
            row.status,
            wall.as_secs_f64(),
            row.model_ms as f64 / 1000.0,
            row.tokens_in,
            row.tokens_out
        );
        rows.push(row);
    }

    let n = rows.len();
    let tally = *tally.lock().unwrap();
    let usable = rows.iter().filter(|r| r.usable).count();
    let asked: Vec<&Row> = rows.iter().filter(|r| r.footprint != "not asked").collect();
    let first = asked
        .iter()
        .filter(|r| r.footprint == "valid first try")
        .count();
    let repaired = asked
        .iter()
        .filter(|r| r.footprint == "valid after repair")
        .count();
    let failed = asked.len() - first - repaired;
    let claims: usize = rows.iter().map(|r| r.claims).sum();
    let verified: usize = rows.iter().map(|r| r.verified).sum();
    let unverified_written: usize = rows.iter().map(|r| r.unverified_written).sum();
    let mut latencies: Vec<i64> = rows.iter().map(|r| r.model_ms).collect();
    let median = leadscout_bench::percentile(&mut latencies, 0.5);
    let tokens_in: i64 = rows.iter().map(|r| r.tokens_in).sum();
    let tokens_out: i64 = rows.iter().map(|r| r.tokens_out).sum();

    section.goal(
        "Runs that ended done with the website profile",
        format!("{usable} of {n}"),
        "all",
        usable == n,
    );
    section.goal(
        "Unverified values written to company fields",
        unverified_written,
        "0",
        unverified_written == 0,
    );
    section.goal(
        "Answers cut off at the output limit (every call, before any retry)",
        format!("{} of {} calls", tally.cut_off, tally.calls),
        "0",
        tally.cut_off == 0,
    );
    section.figure(
        "Schema-valid answers (every call, as the server answered)",
        format!(
            "{} of {} = {:.0}%",
            tally.valid,
            tally.calls,
            100.0 * f64::from(tally.valid) / f64::from(tally.calls.max(1))
        ),
    );
    section.figure(
        "Footprint answers: valid first try / after repair / failed",
        format!("{first} / {repaired} / {failed} of {}", asked.len()),
    );
    section.figure(
        "Claims / verified claims (facts stored)",
        format!("{claims} / {verified}"),
    );
    section.figure(
        "Model time per site: median / total",
        format!(
            "{:.1} s / {:.0} s",
            median as f64 / 1000.0,
            latencies.iter().sum::<i64>() as f64 / 1000.0
        ),
    );
    section.figure(
        "Tokens: in / out (all sites)",
        format!("{tokens_in} / {tokens_out}"),
    );
    let mut by_outcome: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        let key = if r.footprint.starts_with("failed") {
            let why = r.footprint.trim_start_matches("failed: ");
            let short: String = why
                .split([':', ';', '('])
                .next()
                .unwrap_or(why)
                .chars()
                .take(70)
                .collect();
            format!("failed: {}", short.trim())
        } else {
            r.footprint.clone()
        };
        *by_outcome.entry(key).or_default() += 1;
    }
    section.note(&format!(
        "Footprint outcomes: {}.",
        by_outcome
            .iter()
            .map(|(k, v)| format!("{k} × {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    ));
    let chosen: Vec<String> = ["LEADSCOUT_EVAL_ONLY", "LEADSCOUT_EVAL_SITES"]
        .iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| format!("{k}={v}")))
        .collect();
    if !chosen.is_empty() {
        section.note(&format!(
            "A subset of the sites ({}): {} sites.",
            chosen.join(", "),
            sites.len()
        ));
    }
    if n < sites.len() {
        section.note(&format!(
            "Only {n} of {} sites were researched within the run's time budget \
             (LEADSCOUT_EVAL_MINUTES); the figures are for those.",
            sites.len()
        ));
    }
    section.note(&format!(
        "Sites: {}.",
        rows.iter()
            .map(|r| format!(
                "{} ({}; {} claims, {} verified; {}; {:.0} s, {} + {} tokens)",
                r.site,
                r.footprint,
                r.claims,
                r.verified,
                if r.usable {
                    "profile usable"
                } else {
                    "no usable profile"
                },
                r.model_ms as f64 / 1000.0,
                r.tokens_in,
                r.tokens_out
            ))
            .collect::<Vec<_>>()
            .join("; ")
    ));
    section.note(&format!(
        "Raw calls: {} valid, {} cut off, {} not JSON or off-schema, {} other errors.",
        tally.valid, tally.cut_off, tally.invalid, tally.other
    ));
}
