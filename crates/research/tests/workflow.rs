//! The lead-research workflow end to end: a real SQLite file, the real engine and a fixture
//! company website served on 127.0.0.1 under a pinned test name. The SSRF guard stays on; only
//! the fixture's exact address is allowed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_testkit::{kit, site};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leadscout_domain::{LeadId, NewLead, RunEvent, RunStatus, Timestamp};
use leadscout_research::model::{Footprint, Insights};
use leadscout_research::steps::{seed, workflow, WORKFLOW};
use leadscout_research::{AllowList, CrawlConfig, FetchConfig, Fetcher, Guard};
use leadscout_store::{Store, DATABASE_FILE};
use leadscout_workflow::{Engine, EngineConfig, EventSink, Notifier, Outcome, SystemClock};

use site::{fixtures, serve};

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<RunEvent>>,
    outcomes: Mutex<Vec<Outcome>>,
}

impl EventSink for Recorder {
    fn emit(&self, event: RunEvent) {
        self.events.lock().unwrap().push(event);
    }
}

impl Notifier for Recorder {
    fn notify(&self, outcome: &Outcome) {
        self.outcomes.lock().unwrap().push(outcome.clone());
    }
}

struct Harness {
    store: Store,
    engine: Arc<Engine>,
    recorder: Arc<Recorder>,
    _dir: tempfile::TempDir,
}

async fn harness(allow: AllowList) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let fetcher = Fetcher::new(
        Guard::new(allow),
        FetchConfig {
            // Politeness is tested with the fetcher; here it would only slow the test down.
            per_host_interval: Duration::from_millis(10),
            ..FetchConfig::default()
        },
    )
    .unwrap();
    let recorder = Arc::new(Recorder::default());
    let engine = Engine::new(
        store.clone(),
        workflow(
            kit::kit(&store, leadscout_research::model::CALL_TIMEOUT),
            Arc::new(fetcher),
            CrawlConfig::default(),
        )
        .unwrap(),
        seed(store.clone()),
        Arc::new(SystemClock),
        recorder.clone(),
        recorder.clone(),
        EngineConfig::default(),
    );
    Harness {
        store,
        engine,
        recorder,
        _dir: dir,
    }
}

async fn add_lead(
    store: &Store,
    name: &str,
    website: Option<&str>,
    email: Option<&str>,
) -> (LeadId, bool) {
    let draft = NewLead {
        full_name: name.into(),
        website: website.map(str::to_owned),
        email: email.map(str::to_owned),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    let (lead, run) = store
        .create_lead_and_research(&draft, WORKFLOW, Timestamp::now())
        .await
        .unwrap();
    (lead.id, run.is_some())
}

fn research_entries(activities: &[leadscout_domain::Activity]) -> Vec<&str> {
    activities
        .iter()
        .filter(|a| a.kind == leadscout_domain::ActivityKind::Research)
        .map(|a| a.body.as_str())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_lead_is_researched_from_its_website_and_written_back_once() {
    let (addr, hits) = serve(fixtures("acme")).await;
    let h = harness(AllowList::none().resolve_as("acme.example", addr)).await;
    let site = format!("http://acme.example:{}/", addr.port());
    let (ada, queued) = add_lead(&h.store, "Ada Lovelace", Some(&site), None).await;
    assert!(
        queued,
        "a lead with a website is queued in its own transaction"
    );

    let run = h
        .engine
        .run_next()
        .await
        .unwrap()
        .expect("the run was claimable");
    assert!(h.engine.run_next().await.unwrap().is_none());

    // The crawl read the homepage and the key pages, and never the robots-disallowed one.
    let requested = hits.lock().unwrap().clone();
    // The customers page is not linked from the homepage: the sitemap lists it.
    for page in [
        "/robots.txt",
        "/",
        "/about",
        "/pricing",
        "/careers",
        "/sitemap.xml",
        "/customers",
        "/blog",
    ] {
        assert!(
            requested.contains(&format!("200 {page}")),
            "{page} not read: {requested:?}"
        );
    }
    assert!(
        !requested.iter().any(|p| p.contains("/private")),
        "{requested:?}"
    );
    assert!(!requested.iter().any(|p| p.contains("brochure")));
    assert!(
        !requested.iter().any(|p| p.contains("/blog/2026")),
        "articles are not key pages"
    );
    assert_eq!(
        requested
            .iter()
            .filter(|p| p.ends_with("/robots.txt"))
            .count(),
        1
    );

    let lead = h.store.lead(ada).await.unwrap().unwrap();
    let company = h
        .store
        .company(lead.company_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(company.domain.as_deref(), Some("acme.example"));
    assert_eq!(company.name.as_deref(), Some("Acme"));
    assert_eq!(lead.company_name.as_deref(), Some("Acme"));
    assert_eq!(
        company.description.as_deref(),
        Some("Acme makes drop-forged anvils and the software to track them, for workshops of every size.")
    );
    let networks: Vec<&str> = company.socials.iter().map(|s| s.network.as_str()).collect();
    // GitHub from the Organization's sameAs in the homepage's JSON-LD.
    assert_eq!(networks, ["github", "linkedin", "twitter/x"]);
    assert_eq!(
        company.socials[2].url, "https://x.com/acmeanvils",
        "share links are not profiles"
    );

    let research = h.store.company_research(company.id).await.unwrap().unwrap();
    let p = &research.profile;
    assert_eq!(p.pages, 6);
    assert_eq!(p.hiring, Some(2));
    assert!(
        p.pricing.contains(&"free_trial".to_owned()),
        "{:?}",
        p.pricing
    );
    assert!(
        p.pricing.contains(&"contact_sales".to_owned()),
        "{:?}",
        p.pricing
    );
    assert_eq!(p.founded.as_deref(), Some("2014"));
    assert!(
        p.location.as_deref().is_some_and(|l| l.contains("Austin")),
        "{:?}",
        p.location
    );
    assert_eq!(p.emails, ["sales@acme.example"]);
    assert_eq!(
        p.address.as_deref(),
        Some("500 Forge Way, 78701, Austin, TX, US")
    );
    let tech: Vec<&str> = p.tech.iter().map(|t| t.name.as_str()).collect();
    for expected in ["Google Tag Manager", "Stripe", "Next.js", "Cloudflare"] {
        assert!(tech.contains(&expected), "{expected} missing from {tech:?}");
    }
    assert_eq!(p.flagged_pages, 1, "the about page talks to AI assistants");
    let kinds: Vec<&str> = research.sources.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["home", "about", "pricing", "careers", "customers", "blog"]
    );
    assert!(research
        .sources
        .iter()
        .any(|s| s.kind == "about" && s.flagged));
    let stripe = research
        .signals
        .iter()
        .find(|s| s.name == "Stripe")
        .unwrap();
    assert!(
        stripe.evidence.contains("js.stripe.com"),
        "{}",
        stripe.evidence
    );
    assert!(stripe.url.starts_with(&site));

    // One timeline entry, one notification with the profile, whatever happens next.
    let entries = h.store.activities(ada).await.unwrap();
    let entries = research_entries(&entries);
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0].starts_with("Researched acme.example: read 6 pages, skipped 1."),
        "{}",
        entries[0]
    );
    assert!(entries[0].contains("treated as plain data"));
    {
        let outcomes = h.recorder.outcomes.lock().unwrap();
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].status, RunStatus::Succeeded);
        assert!(outcomes[0]
            .outputs
            .contains_key(&leadscout_domain::StepKey::Profile));
    }
    let record = leadscout_research::steps::WriteStep::record(
        &serde_json::from_value(
            serde_json::json!({"domain": "acme.example", "pages": [], "skipped": []}),
        )
        .unwrap(),
        p,
        &Footprint {
            skipped: Some("no model".into()),
            ..Footprint::default()
        },
        &Insights::default(),
    );
    assert!(h
        .store
        .apply_research(run, &record, Timestamp::now())
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        research_entries(&h.store.activities(ada).await.unwrap()).len(),
        1
    );

    // A second lead at the company, by work email, reuses this week's crawl: no new requests,
    // but its own timeline entry.
    let before = hits.lock().unwrap().len();
    let (grace, queued) =
        add_lead(&h.store, "Grace Hopper", None, Some("grace@acme.example")).await;
    assert!(queued);
    h.engine.run_next().await.unwrap().unwrap();
    // The email names the company, whose website is known from Ada: same inputs, same crawl.
    assert_eq!(hits.lock().unwrap().len(), before, "the crawl was reused");
    let grace_lead = h.store.lead(grace).await.unwrap().unwrap();
    assert_eq!(grace_lead.company_id, lead.company_id);
    assert_eq!(
        research_entries(&h.store.activities(grace).await.unwrap()).len(),
        1
    );
    let events = h.recorder.events.lock().unwrap().clone();
    assert!(events.iter().any(|e| matches!(e, RunEvent::StepFinished { lead, step: leadscout_domain::StepKey::Crawl, reused: true, .. } if *lead == grace)));

    // "Re-run" asks the site again, and the site says nothing changed: no page is downloaded
    // twice, and the profile stays whole.
    h.store
        .enqueue_run(
            ada,
            WORKFLOW,
            leadscout_domain::RunTrigger::Rerun,
            Timestamp::now(),
        )
        .await
        .unwrap();
    h.engine.run_next().await.unwrap().unwrap();
    let rerun: Vec<String> = hits.lock().unwrap()[before..].to_vec();
    assert!(rerun.contains(&"304 /".to_owned()), "{rerun:?}");
    for page in ["/about", "/pricing", "/careers", "/customers", "/blog"] {
        assert!(rerun.contains(&format!("304 {page}")), "{page}: {rerun:?}");
    }
    assert!(
        !rerun
            .iter()
            .any(|r| r.starts_with("200 /") && r != "200 /robots.txt"),
        "only robots.txt is downloaded again: {rerun:?}"
    );
    let again = h.store.company_research(company.id).await.unwrap().unwrap();
    assert_eq!(
        again.profile.tech, p.tech,
        "signals of unchanged pages are kept"
    );
    assert_eq!(again.profile.hiring, Some(2));
    assert_eq!(
        research_entries(&h.store.activities(ada).await.unwrap()).len(),
        2
    );
    assert_eq!(
        h.store
            .company_research(company.id)
            .await
            .unwrap()
            .unwrap()
            .sources
            .len(),
        6,
        "a new crawl replaces the company's sources"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresearchable_leads_fail_with_a_reason_or_are_never_queued() {
    let (addr, _hits) = serve(fixtures("shell")).await;
    let (closed_addr, closed_hits) = serve(fixtures("closed")).await;
    let h = harness(
        AllowList::none()
            .resolve_as("shell.example", addr)
            .resolve_as("closed.example", closed_addr),
    )
    .await;

    // Free-mail and no identity at all: nothing to research, nothing queued.
    assert!(
        !add_lead(&h.store, "Pat", None, Some("pat@gmail.com"))
            .await
            .1
    );
    assert!(!add_lead(&h.store, "Sam", None, None).await.1);

    // A site whose robots.txt closes it: failed at once, with words a person reads, and the
    // homepage never requested.
    let (closed, queued) = add_lead(
        &h.store,
        "Closed",
        Some(&format!("http://closed.example:{}/", closed_addr.port())),
        None,
    )
    .await;
    assert!(queued);
    h.engine.run_next().await.unwrap().unwrap();
    let runs = h.store.latest_runs(Some(closed)).await.unwrap();
    assert_eq!(runs[0].status, RunStatus::Failed);
    assert_eq!(
        runs[0].error.as_deref(),
        Some("closed.example asks crawlers not to read its homepage (robots.txt), so Leadscout did not.")
    );
    assert_eq!(*closed_hits.lock().unwrap(), ["200 /robots.txt"]);

    // A JavaScript-only shell: the run succeeds with what little the page says.
    let (shell, _) = add_lead(
        &h.store,
        "Shelly",
        Some(&format!("http://shell.example:{}/", addr.port())),
        None,
    )
    .await;
    h.engine.run_next().await.unwrap().unwrap();
    let runs = h.store.latest_runs(Some(shell)).await.unwrap();
    assert_eq!(runs[0].status, RunStatus::Succeeded, "{:?}", runs[0].error);
    let lead = h.store.lead(shell).await.unwrap().unwrap();
    let research = h
        .store
        .company_research(lead.company_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(research.profile.pages, 1);
    assert_eq!(research.profile.description, None);
    let outcomes: BTreeMap<i64, RunStatus> = h
        .recorder
        .outcomes
        .lock()
        .unwrap()
        .iter()
        .map(|o| (o.lead.0, o.status))
        .collect();
    assert_eq!(outcomes.get(&closed.0), Some(&RunStatus::Failed));
    assert_eq!(outcomes.get(&shell.0), Some(&RunStatus::Succeeded));
}

/// Issue 21: research takes its time from the engine's clock only, so a fixed clock fixes every
/// time a run stores (pages, the profile, the timeline entry, the run and its steps), and the
/// event that ends the run carries what the card shows now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_on_a_fixed_clock_stores_that_time_everywhere() {
    struct Fixed(Timestamp);
    impl leadscout_domain::Clock for Fixed {
        fn now(&self) -> Timestamp {
            self.0
        }
    }
    // 2023-11-14, far from the wall clock.
    let at = Timestamp(1_700_000_000_000);
    let (addr, _hits) = serve(fixtures("acme")).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let fetcher = Fetcher::new(
        Guard::new(AllowList::none().resolve_as("acme.example", addr)),
        FetchConfig {
            per_host_interval: Duration::from_millis(10),
            ..FetchConfig::default()
        },
    )
    .unwrap();
    let recorder = Arc::new(Recorder::default());
    let engine = Engine::new(
        store.clone(),
        workflow(
            kit::kit(&store, leadscout_research::model::CALL_TIMEOUT),
            Arc::new(fetcher),
            CrawlConfig::default(),
        )
        .unwrap(),
        seed(store.clone()),
        Arc::new(Fixed(at)),
        recorder.clone(),
        recorder.clone(),
        EngineConfig::default(),
    );
    let site = format!("http://acme.example:{}/", addr.port());
    let (ada, _) = add_lead(&store, "Ada Lovelace", Some(&site), None).await;
    let run = engine.run_next().await.unwrap().expect("a run was queued");

    let summary = store.latest_runs(Some(ada)).await.unwrap().remove(0);
    assert_eq!(summary.status, RunStatus::Succeeded);
    assert_eq!(summary.finished_at, Some(at));
    let company = store.lead(ada).await.unwrap().unwrap().company_id.unwrap();
    let research = store.company_research(company).await.unwrap().unwrap();
    assert_eq!(research.researched_at, at);
    assert!(!research.sources.is_empty());
    assert!(research.sources.iter().all(|s| s.fetched_at == at));
    let activities = store.activities(ada).await.unwrap();
    let entry = activities
        .iter()
        .find(|a| a.kind == leadscout_domain::ActivityKind::Research)
        .unwrap();
    assert_eq!((entry.occurred_at, entry.created_at), (at, at));
    let history = store.lead_run_history(ada).await.unwrap();
    assert!(history[0].steps.iter().all(|s| s.duration_ms == Some(0)));

    let events = recorder.events.lock().unwrap().clone();
    let Some(RunEvent::Finished { result, .. }) = events.last() else {
        panic!("the run did not finish: {events:?}");
    };
    assert_eq!(result.status, RunStatus::Succeeded);
    assert_eq!(result.finished_at, at);
    let card = result.card.as_ref().expect("the run wrote to the lead");
    assert_eq!(card.id, ada);
    let lead = store.lead(ada).await.unwrap().unwrap();
    assert_eq!(card.company_name, lead.company_name);
    assert_eq!(
        result.changed.contains(&"companyName".to_owned()),
        lead.company_name.is_some(),
        "{:?}",
        result.changed
    );
    assert_eq!(recorder.outcomes.lock().unwrap()[0].run, run);
}
