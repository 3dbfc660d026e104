use std::sync::Arc;

use leadscout_domain::StepKey;
use leadscout_store::Store;
use leadscout_workflow::{Step, StepError, StepFuture, StepInput};
use url::Url;

use super::{output, parse, Resolved};
use crate::{crawl, CrawlConfig, CrawledPage, FetchError, Fetcher, Refusal};

/// 2. The site's homepage and key pages.
pub struct CrawlStep {
    fetcher: Arc<Fetcher>,
    config: CrawlConfig,
    /// Where the last crawl of the site is, for conditional re-fetches.
    store: Store,
}

impl CrawlStep {
    pub fn new(fetcher: Arc<Fetcher>, config: CrawlConfig, store: Store) -> CrawlStep {
        CrawlStep {
            fetcher,
            config,
            store,
        }
    }
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
