//! Fault injection: research for many companies against a model provider that answers 30% of
//! calls with a fault a real provider produces (429 with Retry-After, 500, 503 overload, a
//! stalled answer past the client's timeout, an answer cut at the output limit, JSON that does
//! not match the schema, a refusal). Every run must end, and end done: a model step that fails
//! for good costs the AI step, never the website research, and says why in words a salesperson
//! can read. Nothing unverified may be written: every stored verified quote is checked again
//! against the stored page text, and every verified value against its quote.
//!
//! `LEADSCOUT_FAULT_LEADS` (default 24) sets how many companies; `make soak` runs more.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_testkit::{fake_model, kit, site};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_model::FakeModel;
use kit::Quiet;
use leadscout_context::grounding::{normalize, supports};
use leadscout_domain::{ModelSettings, MyProfile, NewLead, RunStatus, Settings, Timestamp};
use leadscout_research::{AllowList, FetchConfig, Fetcher, Guard};
use leadscout_store::{Store, DATABASE_FILE};
use leadscout_workflow::{Backoff, EngineConfig};
use site::{fixtures, serve};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_30_percent_of_model_calls_failing_every_run_ends_and_nothing_invalid_is_written() {
    let leads: usize = std::env::var("LEADSCOUT_FAULT_LEADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    // One fixture site under many company names: every lead is its own company.
    let (addr, _hits) = serve(fixtures("acme")).await;
    let mut allow = AllowList::none();
    for i in 0..leads {
        allow = allow.resolve_as(&format!("acme{i}.example"), addr);
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let model = FakeModel::start().await;
    model.set_chaos(0.3, 0x5eed_1234);
    let settings = Settings {
        model: ModelSettings {
            provider: Some(leadscout_domain::ModelProvider::OpenAiCompatible),
            base_url: Some(model.base_url()),
            model: Some("gpt-4o-mini".into()),
        },
        profile: MyProfile {
            company: "Forge & Co".into(),
            offering: "Inventory software".into(),
            ideal_customer: "Workshops".into(),
        },
        ..Settings::default()
    };
    store
        .save_settings(&settings.validate().unwrap(), Timestamp::now())
        .await
        .unwrap();
    // A stalled answer counts as a timeout after a second, not three minutes.
    let kit = kit::kit(&store, Duration::from_secs(1));
    let fetcher = Fetcher::new(
        Guard::new(allow),
        FetchConfig {
            per_host_interval: Duration::from_millis(5),
            ..FetchConfig::default()
        },
    )
    .unwrap();
    let engine = kit::engine(
        &store,
        kit,
        fetcher,
        Arc::new(Quiet),
        EngineConfig {
            workers: 4,
            backoff: Backoff {
                base: Duration::from_millis(50),
                max: Duration::from_millis(200),
                max_attempts: 4,
            },
            idle_poll: Duration::from_millis(50),
            ..EngineConfig::default()
        },
    );
    let mut ids = Vec::new();
    for i in 0..leads {
        let (lead, run) = kit::queue(
            &store,
            NewLead {
                full_name: format!("Lead {i}"),
                website: Some(format!("http://acme{i}.example:{}/", addr.port())),
                ..NewLead::default()
            },
        )
        .await;
        assert!(run.is_some());
        ids.push(lead.id);
    }
    let shutdown = CancellationToken::new();
    let workers = engine.start(shutdown.clone());

    // Wait for every run to end; the deadline only turns a hang into a failure.
    let started = Instant::now();
    let runs = loop {
        let runs = store.latest_runs(None).await.unwrap();
        if runs.len() == leads
            && runs
                .iter()
                .all(|r| matches!(r.status, RunStatus::Succeeded | RunStatus::Failed))
        {
            break runs;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "runs did not end: {runs:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    shutdown.cancel();
    for w in workers {
        let _ = w.await;
    }

    let injected = model.injected.lock().unwrap().clone();
    let calls = model.requests().len();
    let succeeded = runs
        .iter()
        .filter(|r| r.status == RunStatus::Succeeded)
        .count();
    let mut ai_failed = 0;
    for run in &runs {
        let problem = store.ai_problem(run.lead_id).await.unwrap();
        if let Some(problem) = problem {
            ai_failed += 1;
            assert!(
                problem.len() < 400
                    && problem.ends_with('.')
                    && !problem.contains("LlmError")
                    && !problem.contains("{\""),
                "unreadable AI step problem: {problem:?}"
            );
        }
    }
    eprintln!(
        "{leads} leads, {calls} model calls, faults injected {injected:?}; {succeeded} runs succeeded, {} failed; {ai_failed} ended without their AI step",
        leads - succeeded
    );
    // Issue 17: a model step never costs the website research.
    assert_eq!(succeeded, leads, "{runs:#?}");
    assert!(
        injected.values().sum::<u32>() > 0,
        "the provider injected no fault"
    );

    // Failed runs say why, in words.
    for run in runs.iter().filter(|r| r.status == RunStatus::Failed) {
        let reason = run.error.as_deref().unwrap_or_default();
        assert!(
            !reason.is_empty()
                && reason.len() < 600
                && !reason.contains("LlmError")
                && !reason.contains("{\""),
            "unreadable failure reason: {reason:?}"
        );
    }

    // Nothing unverified was written: every verified fact's quote is on its stored page, a
    // fit score is the lead's only when verified, and model-written fields come from verified
    // facts.
    let mut verified_facts = 0;
    for id in &ids {
        let lead = store.lead(*id).await.unwrap().unwrap();
        let insights = store.lead_insights(*id).await.unwrap();
        match (&insights, lead.fit_score) {
            (Some(i), Some(score)) => {
                assert!(i.fit_verified && i.fit_score == Some(score));
                // Three verified reasons, resting on different facts.
                let verified: Vec<_> = i.fit_reasons.iter().filter(|r| r.verified).collect();
                assert!(verified.len() >= 3);
                let cited: std::collections::BTreeSet<&String> =
                    verified.iter().flat_map(|r| &r.fact_ids).collect();
                assert!(cited.len() >= 3, "{i:#?}");
            }
            (_, None) => {}
            (None, Some(_)) => panic!("a fit score without insights"),
        }
        let Some(company) = lead.company_id else {
            continue;
        };
        let texts = store.source_texts(company).await.unwrap();
        let facts = store.company_facts(company).await.unwrap();
        for fact in facts.iter().filter(|f| f.verified) {
            verified_facts += 1;
            let page = texts
                .iter()
                .find(|(url, _)| Some(url) == fact.source_url.as_ref())
                .map(|(_, text)| normalize(text))
                .expect("a verified fact cites a stored page");
            assert!(
                page.contains(&normalize(fact.quote.trim_matches(['"', '\'', ' ', '.']))),
                "verified quote not on its page: {fact:?}"
            );
            assert!(
                supports(&fact.field, &fact.value, &fact.quote).is_ok(),
                "verified value the quote does not state: {fact:?}"
            );
        }
        let company = store.company(company).await.unwrap().unwrap();
        for (field, provenance) in &company.provenance {
            if provenance.by == "model" {
                let quote = provenance.quote.as_deref().unwrap_or_default();
                assert!(
                    facts.iter().any(|f| f.verified && f.quote == quote),
                    "{field} was written from an unverified claim"
                );
            }
        }
    }
    assert!(verified_facts > 0, "no run got through with facts");
    assert!(succeeded > 0);
}
