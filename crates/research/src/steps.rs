//! The deterministic stages of the lead-research workflow: resolve the company's domain, crawl
//! its site, build a grounded profile from what the pages say, and write it back. With no model
//! configured this is the whole workflow, and the user still gets a company profile.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use leadscout_context::prompt::Prompts;
use leadscout_domain::{
    email_company_domain, registrable_domain, CompanyProfile, Lead, LeadId, RunChanges, Settings,
    SignalView, SocialLink, StepKey, TechItem, Timestamp,
};
use leadscout_store::{ResearchRecord, SourceRecord, Store};
use leadscout_workflow::{
    RunStart, SeedFn, Step, StepError, StepFuture, StepInput, StepOutput, Workflow, WorkflowError,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use url::Url;

use crate::model::{
    ContextStep, Footprint, FootprintStep, Insights, InsightsStep, ModelKit, NO_MODEL,
};
use crate::signals::{Signal, SignalKind};
use crate::structured::Entity;
use crate::{crawl, Crawl, CrawlConfig, CrawledPage, FetchError, Fetcher, Refusal};

/// The workflow's name in the `runs` table.
pub const WORKFLOW: &str = "lead-research";

/// Research is reused for this long: two leads at one company in the same week share one crawl,
/// and "research now" a week later reads the site again.
const FRESH_FOR_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// The lead facts a run starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Seed {
    pub lead: i64,
    pub website: Option<String>,
    pub email: Option<String>,
    pub company_domain: Option<String>,
    /// The company's known website (from an earlier lead or research).
    pub company_website: Option<String>,
    /// Which freshness period the run falls in (see [`FRESH_FOR_MS`]).
    pub period: i64,
}

/// Where the company lives on the web.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolved {
    pub domain: String,
    pub start_url: String,
    pub period: i64,
}

/// What one run reads once, when it starts, and all its steps share (the engine's run
/// context): the lead, the settings, and the prompts, loaded the first time a model step asks
/// (a run without a model never reads them).
pub struct RunFacts {
    pub lead: Lead,
    pub settings: Settings,
    prompts: OnceLock<Result<Prompts, String>>,
}

impl RunFacts {
    pub fn new(lead: Lead, settings: Settings) -> RunFacts {
        RunFacts {
            lead,
            settings,
            prompts: OnceLock::new(),
        }
    }

    /// The run's facts, from the context its seed made.
    pub fn of(input: &StepInput) -> Result<&RunFacts, StepError> {
        input.context::<RunFacts>().ok_or_else(|| {
            StepError::permanent("the run was not started by the research workflow's seed")
        })
    }

    /// The prompts (with the user's overrides from `dir`), read from disk once per run.
    pub fn prompts(&self, dir: Option<&std::path::Path>) -> Result<&Prompts, StepError> {
        self.prompts
            .get_or_init(|| {
                Prompts::load(dir).map_err(|e| {
                    format!("A prompt override cannot be used: {e}. Fix or reset it in Settings.")
                })
            })
            .as_ref()
            .map_err(|message| StepError::permanent(message.clone()))
    }
}

/// The run's start: its seed (the lead's website, email and company domain) and its
/// [`RunFacts`], read once when the run starts.
pub fn seed(store: Store) -> SeedFn {
    Arc::new(move |lead: LeadId, now: Timestamp| {
        let store = store.clone();
        Box::pin(async move {
            let found = store
                .lead(lead)
                .await
                .map_err(|e| StepError::transient(format!("could not read the lead: {e}")))?;
            let Some(found) = found else {
                return Err(StepError::Cancelled);
            };
            let settings = store
                .settings()
                .await
                .map_err(|e| StepError::transient(format!("could not read settings: {e}")))?;
            let company = match found.company_id {
                Some(company) => store.company(company).await.map_err(|e| {
                    StepError::transient(format!("could not read the company: {e}"))
                })?,
                None => None,
            };
            let (company_domain, company_website) =
                company.map(|c| (c.domain, c.website)).unwrap_or_default();
            let seed = Seed {
                lead: lead.0,
                website: found.website.clone(),
                email: found.email.clone(),
                company_domain,
                company_website,
                period: now.0 / FRESH_FOR_MS,
            };
            Ok(RunStart {
                seed: serde_json::to_value(seed)
                    .map_err(|e| StepError::permanent(e.to_string()))?,
                context: Arc::new(RunFacts::new(found, settings)),
            })
        })
    })
}

/// Builds the workflow on a fetcher and the model kit (which holds the store):
/// resolve → crawl → profile, and context → footprint → insights when a model is set up,
/// then one write-back of everything.
pub fn workflow(
    kit: ModelKit,
    fetcher: Arc<Fetcher>,
    config: CrawlConfig,
) -> Result<Workflow, WorkflowError> {
    let store = kit.store.clone();
    Workflow::new(
        WORKFLOW,
        vec![
            Arc::new(ResolveStep),
            Arc::new(CrawlStep {
                fetcher,
                config,
                store: store.clone(),
            }),
            Arc::new(ProfileStep),
            Arc::new(ContextStep { kit: kit.clone() }),
            Arc::new(FootprintStep { kit: kit.clone() }),
            Arc::new(InsightsStep { kit }),
            Arc::new(WriteStep { store }),
        ],
    )
    .map(|workflow| workflow.with_changes(Arc::new(WriteStep::changes)))
}

/// A declared input, read as the type its step writes.
pub(crate) fn parse<T: for<'de> Deserialize<'de>>(
    input: &StepInput,
    key: StepKey,
) -> Result<T, StepError> {
    serde_json::from_value(input.input(key).clone())
        .map_err(|e| StepError::permanent(format!("the {key} step's result is unreadable: {e}")))
}

fn output<T: Serialize>(value: &T) -> Result<StepOutput, StepError> {
    serde_json::to_value(value)
        .map(StepOutput::new)
        .map_err(|e| StepError::permanent(e.to_string()))
}

/// 1. The company's registrable domain and the page to start from.
pub struct ResolveStep;

impl ResolveStep {
    pub fn resolve(seed: &Seed) -> Result<Resolved, StepError> {
        // The lead's own website, else the company's known one when it is on the same domain
        // as the lead's work email (a colleague's lead found it).
        let email_domain = seed.email.as_deref().and_then(email_company_domain);
        let company_site = seed.company_website.as_ref().filter(|site| {
            let site_domain = Url::parse(site).ok().and_then(|u| registrable_domain(&u));
            site_domain.is_some() && (email_domain.is_none() || site_domain == email_domain)
        });
        if let Some(website) = seed.website.as_ref().or(company_site) {
            let url = Url::parse(website).map_err(|_| {
                StepError::permanent(format!("The website {website} is not a valid address."))
            })?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(StepError::permanent(format!(
                    "The website {website} is not a web address."
                )));
            }
            let domain = registrable_domain(&url).ok_or_else(|| {
                StepError::permanent(format!(
                    "The website {website} is not a public domain name, so there is nothing to research."
                ))
            })?;
            let mut start = url.clone();
            start.set_path("/");
            start.set_query(None);
            start.set_fragment(None);
            return Ok(Resolved {
                domain,
                start_url: start.into(),
                period: seed.period,
            });
        }
        let domain = email_domain
            .or_else(|| seed.company_domain.clone())
            .ok_or_else(|| {
                StepError::permanent(
                    "Nothing to research yet: add the company's website or the lead's work email.",
                )
            })?;
        Ok(Resolved {
            start_url: format!("https://{domain}/"),
            domain,
            period: seed.period,
        })
    }
}

impl Step for ResolveStep {
    fn key(&self) -> StepKey {
        StepKey::Resolve
    }

    fn inputs(&self) -> &'static [StepKey] {
        &[StepKey::Seed]
    }

    fn run(&self, input: StepInput) -> StepFuture<'_> {
        Box::pin(async move {
            let seed: Seed = parse(&input, StepKey::Seed)?;
            output(&Self::resolve(&seed)?)
        })
    }
}

/// 2. The site's homepage and key pages.
pub struct CrawlStep {
    fetcher: Arc<Fetcher>,
    config: CrawlConfig,
    /// Where the last crawl of the site is, for conditional re-fetches.
    store: Store,
}

/// What a salesperson should read when the site cannot be crawled.
pub fn step_error(domain: &str, err: FetchError) -> StepError {
    match err {
        FetchError::Status {
            retry_after,
            ref url,
            status,
        } if status == 429 || status >= 500 => StepError::Transient {
            message: format!("{url} answered {status}"),
            retry_after: retry_after.map(std::time::Duration::from_secs),
        },
        ref err if err.is_transient() => StepError::transient(err.to_string()),
        FetchError::Cancelled { .. } => StepError::Cancelled,
        // Offline, or a typo in the address: worth a few tries before saying so.
        FetchError::Refused(Refusal::Unresolved(..)) => StepError::transient(format!(
            "{domain} could not be found: check the website address and the internet connection"
        )),
        FetchError::Refused(Refusal::NotPublic { .. }) => StepError::permanent(format!(
            "{domain} points to a private or local network address; Leadscout only reads public websites."
        )),
        FetchError::Refused(refusal) => StepError::permanent(format!("{domain}: {refusal}")),
        FetchError::RobotsDisallowed { .. } => StepError::permanent(format!(
            "{domain} asks crawlers not to read its homepage (robots.txt), so Leadscout did not."
        )),
        other => StepError::permanent(other.to_string()),
    }
}

impl Step for CrawlStep {
    fn key(&self) -> StepKey {
        StepKey::Crawl
    }

    fn inputs(&self) -> &'static [StepKey] {
        &[StepKey::Resolve]
    }

    fn run(&self, input: StepInput) -> StepFuture<'_> {
        Box::pin(async move {
            let resolved: Resolved = parse(&input, StepKey::Resolve)?;
            let start = Url::parse(&resolved.start_url)
                .map_err(|e| StepError::permanent(format!("bad start address: {e}")))?;
            // Unreadable earlier pages only mean a full download.
            let previous: Vec<CrawledPage> = self
                .store
                .stored_sources(&resolved.domain)
                .await
                .unwrap_or_default()
                .into_iter()
                .filter_map(CrawledPage::from_stored)
                .collect();
            let crawl = crawl(
                &self.fetcher,
                &start,
                &self.config,
                &input.cancel,
                &previous,
                input.clock.as_ref(),
            )
            .await
            .map_err(|err| step_error(&resolved.domain, err))?;
            if input.cancel.is_cancelled() {
                return Err(StepError::Cancelled);
            }
            output(&crawl)
        })
    }
}

/// 3. The profile: what the pages state, each part traceable to a page.
pub struct ProfileStep;

impl ProfileStep {
    pub fn profile(resolved: &Resolved, crawl: &Crawl) -> CompanyProfile {
        let home = crawl.pages.first();
        let signals: Vec<&Signal> = crawl.pages.iter().flat_map(|p| &p.signals).collect();
        let first = |kind: SignalKind| {
            signals
                .iter()
                .find(|s| s.kind == kind)
                .and_then(|s| s.value.clone())
        };
        let mut tech: Vec<TechItem> = Vec::new();
        for s in signals.iter().filter(|s| s.kind == SignalKind::Tech) {
            if !tech.iter().any(|t| t.name == s.name) {
                tech.push(TechItem {
                    name: s.name.clone(),
                    category: s.value.clone().unwrap_or_default(),
                });
            }
        }
        tech.sort_by(|a, b| a.category.cmp(&b.category).then(a.name.cmp(&b.name)));
        let hiring = signals
            .iter()
            .filter(|s| s.kind == SignalKind::Hiring)
            .map(|s| {
                s.value
                    .as_deref()
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(0)
            })
            .max();
        let pricing: BTreeSet<String> = signals
            .iter()
            .filter(|s| s.kind == SignalKind::Pricing)
            .map(|s| s.name.clone())
            .collect();
        let mut socials: BTreeMap<String, String> = BTreeMap::new();
        let mut emails = BTreeSet::new();
        let mut phones = BTreeSet::new();
        let mut addresses: Vec<String> = Vec::new();
        // The organisation the site's own markup describes (JSON-LD, microdata, RDFa), first
        // found from the homepage on: its stated fields fill what the text does not say.
        let organisation = crawl
            .pages
            .iter()
            .flat_map(|p| &p.facts.entities)
            .find(|e| e.is_organisation());
        for page in &crawl.pages {
            for (network, urls) in &page.facts.social {
                if let Some(url) = urls.iter().find(|u| is_profile_link(u)) {
                    socials
                        .entry(network.clone())
                        .or_insert_with(|| url.clone());
                }
            }
            emails.extend(page.facts.emails.iter().cloned());
            for address in &page.facts.addresses {
                if !addresses.contains(address) {
                    addresses.push(address.clone());
                }
            }
            phones.extend(page.facts.phones.iter().cloned());
        }
        if let Some(org) = organisation {
            for link in &org.same_as {
                if let Some((network, url)) = crate::socials::profile(link) {
                    socials.entry(network.to_owned()).or_insert(url);
                }
            }
            if let Some(email) = &org.email {
                if email.contains('@') {
                    emails.insert(email.to_ascii_lowercase());
                }
            }
            if let Some(phone) = &org.telephone {
                let region = home.and_then(|h| Url::parse(&h.url).ok()).and_then(|u| {
                    crate::contacts::site_country(&u, home.and_then(|h| h.language.as_deref()))
                });
                if let Ok(Some(number)) = leadscout_domain::normalize_phone_in(
                    phone,
                    region.map(|r| r.as_ref().to_owned()).as_deref(),
                ) {
                    if !phones.iter().any(|p| digits(p) == digits(&number)) {
                        phones.insert(number);
                    }
                }
            }
        }
        let stated = |f: fn(&Entity) -> Option<&String>| organisation.and_then(f).cloned();
        CompanyProfile {
            domain: crawl.domain.clone(),
            website: home
                .map(|h| h.url.clone())
                .or(Some(resolved.start_url.clone())),
            name: home.and_then(|h| company_name(h, &crawl.domain)),
            description: home
                .and_then(|h| h.description.clone())
                .or_else(|| stated(|e| e.description.as_ref())),
            location: first(SignalKind::Location),
            address: stated(|e| e.address.as_ref()).or_else(|| addresses.into_iter().next()),
            founded: first(SignalKind::Founded).or_else(|| {
                stated(|e| e.founding_date.as_ref()).and_then(|d| {
                    let year: String = d.chars().take(4).collect();
                    (year.len() == 4 && year.chars().all(|c| c.is_ascii_digit())).then_some(year)
                })
            }),
            size: first(SignalKind::Size).or_else(|| stated(|e| e.number_of_employees.as_ref())),
            language: home.and_then(|h| h.language.clone()),
            socials: socials
                .into_iter()
                .map(|(network, url)| SocialLink { network, url })
                .collect(),
            emails: emails.into_iter().take(10).collect(),
            phones: phones.into_iter().take(10).collect(),
            tech,
            hiring,
            pricing: pricing.into_iter().collect(),
            pages: u32::try_from(crawl.pages.len()).unwrap_or(u32::MAX),
            flagged_pages: u32::try_from(
                crawl
                    .pages
                    .iter()
                    .filter(|p| !p.injection.is_empty())
                    .count(),
            )
            .unwrap_or(u32::MAX),
        }
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Share buttons and intent links are not the company's profile.
fn is_profile_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    !["/share", "sharer", "/intent/", "shareArticle", "/sharing/"]
        .iter()
        .any(|p| lower.contains(&p.to_ascii_lowercase()))
}

/// The company's name as its homepage gives it: `og:site_name`, else the part of the title
/// that matches the domain ("Pricing | Acme" → "Acme"), else a short title.
fn company_name(home: &CrawledPage, domain: &str) -> Option<String> {
    // The site's own name (OpenGraph, the organisation its markup describes, or the part of
    // the title that names the site).
    let organisation = home
        .facts
        .entities
        .iter()
        .find(|e| e.is_organisation())
        .and_then(|e| e.name.as_deref());
    for name in [
        home.facts.og("og:site_name"),
        organisation,
        home.facts.site_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        let name = name.trim();
        if !name.is_empty() && name.chars().count() <= 60 {
            return Some(name.to_owned());
        }
    }
    let title = home.title.as_deref()?;
    let label: String = domain
        .split('.')
        .next()
        .unwrap_or(domain)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    let parts: Vec<&str> = title
        .split(['|', '–', '—', '·', ':'])
        .flat_map(|p| p.split(" - "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let squashed = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    if let Some(part) = parts.iter().filter(|p| p.chars().count() <= 40).find(|p| {
        let s = squashed(p);
        !label.is_empty()
            && (s == label || s.contains(&label) || label.contains(&s) && s.len() >= 3)
    }) {
        return Some((*part).to_owned());
    }
    match parts.as_slice() {
        [only] if only.chars().count() <= 40 => Some((*only).to_owned()),
        _ => None,
    }
}

impl Step for ProfileStep {
    fn key(&self) -> StepKey {
        StepKey::Profile
    }

    fn inputs(&self) -> &'static [StepKey] {
        &[StepKey::Resolve, StepKey::Crawl]
    }

    fn run(&self, input: StepInput) -> StepFuture<'_> {
        Box::pin(async move {
            let resolved: Resolved = parse(&input, StepKey::Resolve)?;
            let crawl: Crawl = parse(&input, StepKey::Crawl)?;
            output(&Self::profile(&resolved, &crawl))
        })
    }
}

/// 4. Write-back: once per run, whatever retries or restarts happen.
pub struct WriteStep {
    store: Store,
}

impl WriteStep {
    pub fn record(
        crawl: &Crawl,
        profile: &CompanyProfile,
        footprint: &Footprint,
        insights: &Insights,
    ) -> ResearchRecord {
        let sources = crawl
            .pages
            .iter()
            .map(|page| SourceRecord {
                url: page.url.clone(),
                kind: page.kind.as_str().to_owned(),
                status: page.status,
                fetched_at: page.fetched_at,
                content_hash: page.content_hash.clone(),
                title: page.title.clone(),
                text: page.text.clone(),
                metadata: json!({
                    "reader": crate::crawl::READER,
                    "description": page.description,
                    "language": page.language,
                    "headings": page.headings,
                    "truncated": page.truncated,
                    "facts": page.facts,
                }),
                injection: page.injection.clone(),
                etag: page.etag.clone(),
                last_modified: page.last_modified.clone(),
                signals: page
                    .signals
                    .iter()
                    .map(|s| SignalView {
                        kind: s.kind.as_str().to_owned(),
                        name: s.name.clone(),
                        value: s.value.clone(),
                        evidence: s.evidence.clone(),
                        url: s.url.clone(),
                    })
                    .collect(),
            })
            .collect();
        let mut summary = format!(
            "Researched {}: read {} page{}",
            crawl.domain,
            crawl.pages.len(),
            if crawl.pages.len() == 1 { "" } else { "s" }
        );
        if !crawl.skipped.is_empty() {
            summary.push_str(&format!(", skipped {}", crawl.skipped.len()));
        }
        summary.push_str(&format!(".\n{}", profile.headline()));
        // A model step that did not finish leaves the company's earlier facts and insights
        // as they were.
        let facts = (footprint.skipped.is_none() && footprint.failed.is_none())
            .then(|| footprint.facts.clone());
        if let Some(facts) = &facts {
            let verified = facts.iter().filter(|f| f.verified).count();
            summary.push_str(&format!(
                "\n{} stated {} fact{} about the company; {} verified against the pages.",
                footprint.model,
                facts.len(),
                if facts.len() == 1 { "" } else { "s" },
                verified
            ));
        }
        if let Some(reason) = footprint.failed.as_ref().or(insights.failed.as_ref()) {
            summary.push_str(&format!("\nThe AI step did not finish: {reason}"));
        } else if let Some(view) = &insights.insights {
            summary.push_str(&format!("\n{}", InsightsStep::headline(view)));
        } else if let Some(reason) = insights.skipped.as_ref().filter(|r| *r != NO_MODEL) {
            summary.push_str(&format!("\n{reason}"));
        }
        if profile.flagged_pages > 0 {
            summary.push_str(&format!(
                "\n{} page{} contained text aimed at AI assistants; it was treated as plain data.",
                profile.flagged_pages,
                if profile.flagged_pages == 1 { "" } else { "s" }
            ));
        }
        ResearchRecord {
            profile: profile.clone(),
            sources,
            summary,
            facts,
            insights: insights.insights.clone(),
        }
    }
}

/// The write step's output: whether it wrote (a resumed run finds it written) and what it
/// did to the lead's card, for the run's last event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Written {
    pub applied: bool,
    pub changes: RunChanges,
}

impl WriteStep {
    /// What a succeeded run changed, from its write step's output (nothing for an output
    /// written before it said so).
    pub fn changes(outputs: &BTreeMap<StepKey, serde_json::Value>) -> RunChanges {
        outputs
            .get(&StepKey::Write)
            .and_then(|value| serde_json::from_value::<Written>(value.clone()).ok())
            .map(|written| written.changes)
            .unwrap_or_default()
    }
}

impl Step for WriteStep {
    fn key(&self) -> StepKey {
        StepKey::Write
    }

    fn reusable(&self) -> bool {
        false
    }

    fn inputs(&self) -> &'static [StepKey] {
        &[
            StepKey::Crawl,
            StepKey::Profile,
            StepKey::Footprint,
            StepKey::Insights,
        ]
    }

    fn run(&self, input: StepInput) -> StepFuture<'_> {
        Box::pin(async move {
            let crawl: Crawl = parse(&input, StepKey::Crawl)?;
            let profile: CompanyProfile = parse(&input, StepKey::Profile)?;
            let footprint: Footprint = parse(&input, StepKey::Footprint)?;
            let insights: Insights = parse(&input, StepKey::Insights)?;
            let record = Self::record(&crawl, &profile, &footprint, &insights);
            let changes = self
                .store
                .apply_research(input.run, &record, input.now())
                .await
                .map_err(|e| StepError::transient(format!("could not save the research: {e}")))?;
            let written = Written {
                applied: changes.is_some(),
                changes: changes.unwrap_or_default(),
            };
            output(&written)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structured::Syntax;
    use crate::{PageFacts, PageKind};
    use leadscout_domain::Timestamp;

    fn home(facts: PageFacts) -> CrawledPage {
        CrawledPage {
            url: "https://acme.de/".into(),
            kind: PageKind::Home,
            status: 200,
            fetched_at: Timestamp(0),
            content_hash: String::new(),
            truncated: false,
            title: Some("Home".into()),
            description: None,
            language: Some("de".into()),
            headings: Vec::new(),
            text: "Willkommen.".into(),
            facts,
            signals: Vec::new(),
            injection: Vec::new(),
            etag: None,
            last_modified: None,
            unchanged: false,
        }
    }

    #[test]
    fn the_organisation_the_markup_states_fills_the_profile() {
        let org = Entity {
            kind: "Corporation".into(),
            syntax: Syntax::Microdata,
            name: Some("Acme Ambosse GmbH".into()),
            description: Some("Ambosse für Schmiede.".into()),
            url: Some("https://acme.de/".into()),
            same_as: vec![
                "https://de.linkedin.com/company/acme-ambosse/".into(),
                "https://twitter.com/intent/tweet".into(),
            ],
            logo: None,
            telephone: Some("0711 1234567".into()),
            email: Some("Info@acme.de".into()),
            address: Some("Hauptstraße 5, 70173, Stuttgart, DE".into()),
            founding_date: Some("1999-04-01".into()),
            number_of_employees: Some("50-200".into()),
            founder: vec!["Jana Schmidt".into()],
        };
        let crawl = Crawl {
            domain: "acme.de".into(),
            pages: vec![home(PageFacts {
                entities: vec![org],
                ..PageFacts::default()
            })],
            skipped: Vec::new(),
        };
        let resolved = Resolved {
            domain: "acme.de".into(),
            start_url: "https://acme.de/".into(),
            period: 0,
        };
        let profile = ProfileStep::profile(&resolved, &crawl);
        assert_eq!(profile.name.as_deref(), Some("Acme Ambosse GmbH"));
        assert_eq!(
            profile.description.as_deref(),
            Some("Ambosse für Schmiede.")
        );
        assert_eq!(
            profile.address.as_deref(),
            Some("Hauptstraße 5, 70173, Stuttgart, DE")
        );
        assert_eq!(profile.founded.as_deref(), Some("1999"));
        assert_eq!(profile.size.as_deref(), Some("50-200"));
        assert_eq!(profile.emails, ["info@acme.de"]);
        assert_eq!(profile.phones, ["+497111234567"]);
        let socials: Vec<(&str, &str)> = profile
            .socials
            .iter()
            .map(|s| (s.network.as_str(), s.url.as_str()))
            .collect();
        assert_eq!(
            socials,
            [("linkedin", "https://www.linkedin.com/company/acme-ambosse")]
        );
    }
}
