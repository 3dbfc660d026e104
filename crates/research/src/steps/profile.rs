use std::collections::{BTreeMap, BTreeSet};

use leadscout_domain::{CompanyProfile, SocialLink, StepKey, TechItem};
use leadscout_workflow::{Step, StepFuture, StepInput};
use url::Url;

use super::{output, parse, Resolved};
use crate::signals::{Signal, SignalKind};
use crate::structured::Entity;
use crate::{Crawl, CrawledPage};

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
