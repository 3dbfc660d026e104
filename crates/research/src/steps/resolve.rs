use leadscout_domain::{email_company_domain, registrable_domain, StepKey};
use leadscout_workflow::{Step, StepError, StepFuture, StepInput};
use url::Url;

use super::{output, parse, Resolved, Seed};

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
