//! Which links on a page are a company's or a person's profile on a social network, in one
//! canonical form each. Share buttons, intents, posts, hashtags, videos, anchors and relative
//! links are not profiles, whatever host they point to.

use url::Url;

/// The networks we recognise, by host (a subdomain such as `es.linkedin.com` counts).
const NETWORKS: &[(&str, &[&str])] = &[
    ("linkedin", &["linkedin.com"]),
    ("twitter/x", &["twitter.com", "x.com"]),
    ("facebook", &["facebook.com", "fb.com"]),
    ("instagram", &["instagram.com"]),
    ("youtube", &["youtube.com"]),
    ("github", &["github.com"]),
    ("crunchbase", &["crunchbase.com"]),
    ("tiktok", &["tiktok.com"]),
    ("xing", &["xing.com"]),
];

/// First path segments that are a network's own pages, not an account.
const RESERVED: &[&str] = &[
    "about",
    "apps",
    "business",
    "careers",
    "dialog",
    "events",
    "explore",
    "features",
    "groups",
    "hashtag",
    "help",
    "home",
    "i",
    "intent",
    "legal",
    "login",
    "marketplace",
    "messages",
    "notifications",
    "p",
    "pages",
    "plugins",
    "policies",
    "privacy",
    "reel",
    "reels",
    "search",
    "security",
    "settings",
    "share",
    "sharer",
    "sharer.php",
    "share.php",
    "shareArticle",
    "signup",
    "site",
    "stories",
    "terms",
    "tos",
    "tr",
    "watch",
    "embed",
    "shorts",
    "playlist",
    "results",
    "feed",
    "pricing",
    "enterprise",
    "sponsors",
    "topics",
    "trending",
    "orgs",
    "join",
    "signin",
    "v",
    "photo.php",
    "profile.php",
    "tv",
    "web",
    "direct",
    "accounts",
    "developers",
];

/// The network and canonical profile URL of `href` as written on a page, or `None` when it is
/// not a profile link. Only absolute (or protocol-relative) links count: a relative link is
/// the site's own page, even on a page the network itself serves.
pub fn profile(href: &str) -> Option<(&'static str, String)> {
    let href = href.trim();
    // Most links name no network at all: they are refused before a URL is parsed (a host
    // written with percent escapes or non-ASCII characters is parsed to be sure).
    let lower = href.to_ascii_lowercase();
    if lower.is_ascii()
        && !lower.contains('%')
        && !NETWORKS
            .iter()
            .any(|(_, hosts)| hosts.iter().any(|h| lower.contains(h)))
    {
        return None;
    }
    let absolute = if let Some(rest) = href.strip_prefix("//") {
        format!("https://{rest}")
    } else {
        href.to_owned()
    };
    let url = Url::parse(&absolute).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let (network, base) = NETWORKS.iter().find_map(|(network, hosts)| {
        hosts
            .iter()
            .find(|h| host == **h || host.ends_with(&format!(".{h}")))
            .map(|h| (*network, *h))
    })?;
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let first = *segments.first()?;
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(first)) {
        return None;
    }
    let handle_ok = |h: &str, max: usize| {
        !h.is_empty()
            && h.chars().count() <= max
            && h.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    let canonical = match network {
        "linkedin" => {
            let kind = first.to_ascii_lowercase();
            if !matches!(kind.as_str(), "company" | "in" | "school" | "showcase") {
                return None;
            }
            let slug = segments.get(1)?;
            if !handle_ok(slug, 100) {
                return None;
            }
            format!("https://www.linkedin.com/{kind}/{slug}")
        }
        "twitter/x" => {
            // `x.com/acme` and `twitter.com/acme/` are one account; `/acme/status/1` is a post.
            if segments.len() != 1 || !handle_ok(first, 15) || first.contains(['.', '-']) {
                return None;
            }
            if url
                .query_pairs()
                .any(|(k, _)| matches!(k.as_ref(), "text" | "url" | "status"))
            {
                return None;
            }
            format!("https://x.com/{first}")
        }
        "facebook" => {
            if segments.len() != 1 || !handle_ok(first, 100) {
                return None;
            }
            format!("https://www.facebook.com/{first}")
        }
        "instagram" | "tiktok" => {
            if segments.len() != 1 || !handle_ok(first.trim_start_matches('@'), 40) {
                return None;
            }
            format!("https://www.{base}/{first}")
        }
        "youtube" => {
            let lower = first.to_ascii_lowercase();
            match lower.as_str() {
                "channel" | "user" | "c" => {
                    let id = segments.get(1)?;
                    if !handle_ok(id, 100) {
                        return None;
                    }
                    format!("https://www.youtube.com/{first}/{id}")
                }
                _ if first.starts_with('@') && handle_ok(&first[1..], 100) => {
                    format!("https://www.youtube.com/{first}")
                }
                _ => return None,
            }
        }
        "github" => {
            if segments.len() != 1 || !handle_ok(first, 39) {
                return None;
            }
            format!("https://github.com/{first}")
        }
        "crunchbase" => {
            let kind = first.to_ascii_lowercase();
            if !matches!(kind.as_str(), "organization" | "person") {
                return None;
            }
            let slug = segments.get(1)?;
            if !handle_ok(slug, 100) {
                return None;
            }
            format!("https://www.crunchbase.com/{kind}/{slug}")
        }
        "xing" => {
            let kind = first.to_ascii_lowercase();
            if !matches!(kind.as_str(), "pages" | "companies" | "profile") {
                return None;
            }
            let slug = segments.get(1)?;
            if !handle_ok(slug, 100) {
                return None;
            }
            format!("https://www.xing.com/{kind}/{slug}")
        }
        _ => return None,
    };
    Some((network, canonical))
}

/// Whether a page at `page` is served by the network of the profile URL `profile` (then its
/// links to that network are the network's navigation, not the site's profiles).
pub(crate) fn served_by_network(page: &Url, profile: &str) -> bool {
    let (Some(host), Some(target)) = (
        page.host_str().map(str::to_ascii_lowercase),
        Url::parse(profile)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase)),
    ) else {
        return false;
    };
    let network_base = |h: &str| {
        NETWORKS
            .iter()
            .flat_map(|(_, hosts)| hosts.iter())
            .find(|n| h == **n || h.ends_with(&format!(".{n}")))
            .copied()
    };
    network_base(&host).is_some() && network_base(&host) == network_base(&target)
}

/// Two canonical profile URLs name the same account (handles are case-insensitive).
pub(crate) fn same_account(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_networks_own_page_links_to_its_network_without_profiles() {
        let page = Url::parse("https://uk.linkedin.com/company/audiense").unwrap();
        assert!(served_by_network(&page, "https://www.linkedin.com/in/jane"));
        assert!(!served_by_network(&page, "https://x.com/audiense"));
        let site = Url::parse("https://acme.example/").unwrap();
        assert!(!served_by_network(
            &site,
            "https://www.linkedin.com/company/acme"
        ));
    }

    #[test]
    fn profiles_are_canonical_and_everything_else_is_refused() {
        let cases = [
            (
                "https://es.linkedin.com/company/acme/about/",
                Some("https://www.linkedin.com/company/acme"),
            ),
            (
                "http://linkedin.com/in/jane-doe",
                Some("https://www.linkedin.com/in/jane-doe"),
            ),
            ("https://twitter.com/Acme/", Some("https://x.com/Acme")),
            ("//www.twitter.com/acme", Some("https://x.com/acme")),
            (
                "http://www.facebook.com/AcmeInc",
                Some("https://www.facebook.com/AcmeInc"),
            ),
            (
                "https://youtube.com/channel/UCabc_12",
                Some("https://www.youtube.com/channel/UCabc_12"),
            ),
            (
                "https://www.youtube.com/@acme",
                Some("https://www.youtube.com/@acme"),
            ),
            ("https://github.com/acme", Some("https://github.com/acme")),
            // Hosts in capitals or with percent escapes are still recognised.
            ("HTTPS://GITHUB.COM/acme", Some("https://github.com/acme")),
            ("https://git%68ub.com/acme", Some("https://github.com/acme")),
            ("https://acme.example/about", None),
            ("https://twitter.com/intent/tweet?text=hi", None),
            ("https://twitter.com/share?url=x", None),
            ("https://twitter.com/acme/status/123", None),
            ("https://twitter.com/hashtag/anvils", None),
            ("https://x.com/privacy", None),
            ("https://www.facebook.com/sharer/sharer.php?u=x", None),
            ("https://www.facebook.com/pages", None),
            ("https://www.linkedin.com/shareArticle?mini=true", None),
            ("https://www.linkedin.com/feed/", None),
            ("https://www.youtube.com/watch?v=abc", None),
            ("https://www.instagram.com/p/Cabc/", None),
            ("https://github.com/acme/repo", None),
            ("https://github.com/apps", None),
            ("#twitter", None),
            ("/company/acme", None),
            ("company/acme", None),
            ("mailto:x@twitter.com", None),
            ("https://acme.example/twitter.com/acme", None),
        ];
        for (href, want) in cases {
            assert_eq!(
                profile(href).map(|(_, u)| u),
                want.map(str::to_owned),
                "{href}"
            );
        }
    }
}
