//! Companies: one per registrable domain, so two leads at acme.com share one record (and, later,
//! one piece of research).

use serde::{Deserialize, Serialize};
use specta::Type;
use url::Url;

use crate::{CompanyId, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    pub id: CompanyId,
    /// The registrable domain (`acme.co.uk` for `https://shop.acme.co.uk/`), when known: the
    /// key, in ASCII (`xn--mller-kva.de`).
    pub domain: Option<String>,
    /// The domain as people write it (`müller.de`), for display.
    #[serde(default)]
    pub domain_display: Option<String>,
    pub name: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub industry: Option<String>,
    /// A head-count band such as "11-50".
    pub size_band: Option<String>,
    pub location: Option<String>,
    /// Social profile URLs by network name (`linkedin`, `x`, `github`...).
    pub socials: Vec<SocialLink>,
    /// Fields whose value research wrote (the rest were typed by the user).
    #[serde(default)]
    pub researched_fields: Vec<String>,
    /// Where each research-written value came from, by field.
    #[serde(default)]
    pub provenance: std::collections::BTreeMap<String, Provenance>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Where a research-written value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// The page that states it.
    pub url: Option<String>,
    /// The words on that page.
    pub quote: Option<String>,
    /// `website` (the site's own markup) or `model` (a verified model fact).
    pub by: String,
    pub at: Timestamp,
}

/// A new value research found for a field it wrote before: it replaces the current one only
/// when the user approves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    pub id: i64,
    /// `name`, `description`, `industry`, `size_band`, `location`.
    pub field: String,
    pub current: Option<String>,
    pub proposed: String,
    pub url: Option<String>,
    pub quote: Option<String>,
    pub by: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SocialLink {
    pub network: String,
    pub url: String,
}

/// The registrable domain of a website, using the Public Suffix List: `www.acme.com` and
/// `shop.acme.com` are both `acme.com`; `acme.co.uk` stays whole; `github.io` pages keep their
/// own subdomain because `github.io` is a public suffix. Always the canonical ASCII form
/// ([`canonical_domain`]).
pub fn registrable_domain(url: &Url) -> Option<String> {
    registrable(url.host_str()?)
}

/// The registrable domain of an email address, unless it is a mailbox provider (gmail.com and
/// the like) that says nothing about the person's employer. `jürgen@müller.de` and a website
/// at `https://müller.de/` give the same key, `xn--mller-kva.de`.
pub fn email_company_domain(email: &str) -> Option<String> {
    let (_, host) = email.rsplit_once('@')?;
    let domain = registrable(host)?;
    let host = canonical_domain(host)?;
    (!crate::freemail::is_mailbox_provider(&host)).then_some(domain)
}

/// The research-trigger rule, the one place it is written: the company domain a lead is known
/// by, from its website (its registrable domain) or else its work email (not a mailbox
/// provider's). A lead with one is linked to that company and can be researched; a lead without
/// one (no website, a gmail address) has nothing research could start from. The store links
/// companies, queues runs on create and edit, and the app, the command line and the workflow's
/// first step decide "researchable" by this function alone.
pub fn research_domain(website: Option<&str>, email: Option<&str>) -> Option<String> {
    website
        .and_then(|w| Url::parse(w).ok())
        .and_then(|u| registrable_domain(&u))
        .or_else(|| email.and_then(email_company_domain))
}

/// The one form a domain is keyed by: lower-case ASCII, internationalised labels in punycode
/// (IDNA/UTS 46, as browsers and the `url` crate write hosts), no trailing dot. `None` for text
/// that is not a domain name.
pub fn canonical_domain(domain: &str) -> Option<String> {
    let domain = domain.trim().trim_end_matches('.');
    if domain.is_empty() || domain.split('.').any(str::is_empty) {
        return None;
    }
    let ascii = idna::domain_to_ascii(domain).ok()?;
    (!ascii.is_empty() && !ascii.split('.').any(str::is_empty)).then_some(ascii)
}

/// A canonical domain as people read it: punycode labels shown in Unicode (`müller.de`).
pub fn domain_for_display(domain: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(domain);
    if result.is_ok() {
        unicode
    } else {
        domain.to_owned()
    }
}

/// The Public Suffix List's registrable part of a host name, in canonical form. A name with an
/// empty label (`acme..com`) has none: the list would answer `.com`.
fn registrable(host: &str) -> Option<String> {
    let host = canonical_domain(host)?;
    psl::domain_str(&host).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(url: &str) -> Option<String> {
        registrable_domain(&Url::parse(url).unwrap())
    }

    #[test]
    fn subdomains_share_their_registrable_domain() {
        assert_eq!(
            domain("https://www.acme.com/about").as_deref(),
            Some("acme.com")
        );
        assert_eq!(
            domain("https://shop.acme.co.uk/").as_deref(),
            Some("acme.co.uk")
        );
        assert_eq!(
            domain("https://ada.github.io/").as_deref(),
            Some("ada.github.io")
        );
        assert_eq!(
            domain("https://xn--bcher-kva.de/").as_deref(),
            Some("xn--bcher-kva.de")
        );
        assert_eq!(domain("https://co.uk/"), None);
    }

    #[test]
    fn a_lead_is_researchable_by_its_website_else_its_work_email() {
        assert_eq!(
            research_domain(Some("https://www.acme.com/"), Some("ada@other.example")).as_deref(),
            Some("acme.com"),
            "the website wins over the email"
        );
        assert_eq!(
            research_domain(Some("not a url"), Some("ada@acme.com")).as_deref(),
            Some("acme.com")
        );
        assert_eq!(
            research_domain(None, Some("ada@gmail.com")),
            None,
            "a mailbox provider names no company"
        );
        assert_eq!(research_domain(Some("https://co.uk/"), None), None);
        assert_eq!(research_domain(None, None), None);
    }

    #[test]
    fn mailbox_providers_do_not_name_a_company() {
        assert_eq!(
            email_company_domain("ada@mail.acme.com").as_deref(),
            Some("acme.com")
        );
        assert_eq!(email_company_domain("ada@gmail.com"), None);
        assert_eq!(email_company_domain("not-an-email"), None);
    }

    #[test]
    fn a_host_with_an_empty_label_has_no_registrable_domain() {
        // Found by the urls fuzz target: the list answered ".cuk".
        assert_eq!(email_company_domain("ada@mail.acme..cuk"), None);
        assert_eq!(email_company_domain("ada@.acme.com"), None);
        assert_eq!(domain("https://shop..acme.com/"), None);
        assert_eq!(
            domain("https://shop.acme.com./").as_deref(),
            Some("acme.com")
        );
    }

    #[test]
    fn an_email_and_a_website_at_one_unicode_domain_share_its_ascii_key() {
        // One firm, not two: the email's domain in Unicode, the website's in punycode.
        assert_eq!(
            email_company_domain("jürgen@müller.de").as_deref(),
            Some("xn--mller-kva.de")
        );
        assert_eq!(
            email_company_domain("jürgen@MÜLLER.de").as_deref(),
            Some("xn--mller-kva.de")
        );
        assert_eq!(
            domain("https://www.müller.de/").as_deref(),
            Some("xn--mller-kva.de")
        );
        assert_eq!(
            email_company_domain("a@shop.xn--mller-kva.de").as_deref(),
            Some("xn--mller-kva.de")
        );
        assert_eq!(
            canonical_domain("Bücher.DE.").as_deref(),
            Some("xn--bcher-kva.de")
        );
        assert_eq!(canonical_domain("a..b"), None);
        assert_eq!(domain_for_display("xn--mller-kva.de"), "müller.de");
        assert_eq!(domain_for_display("acme.com"), "acme.com");
    }
}
