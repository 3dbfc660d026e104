//! Which key pages to read: the words that name each kind of page, and the choice of at most one
//! link per kind from what the homepage (or the sitemap) links to.

use std::collections::BTreeSet;

use leadscout_domain::registrable_domain;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::page::Link;

/// What a page is for, as the crawl plan chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PageKind {
    Home,
    About,
    Pricing,
    Careers,
    Team,
    Customers,
    Contact,
    Blog,
}

impl PageKind {
    const ALL: [PageKind; 8] = [
        PageKind::Home,
        PageKind::About,
        PageKind::Pricing,
        PageKind::Careers,
        PageKind::Team,
        PageKind::Customers,
        PageKind::Contact,
        PageKind::Blog,
    ];

    pub fn parse(value: &str) -> Option<PageKind> {
        PageKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::About => "about",
            PageKind::Pricing => "pricing",
            PageKind::Careers => "careers",
            PageKind::Team => "team",
            PageKind::Customers => "customers",
            PageKind::Contact => "contact",
            PageKind::Blog => "blog",
        }
    }
}

/// Key pages in the order they are worth a request, with the words that name them in URLs and
/// link text.
const PLAN: &[(PageKind, &[&str])] = &[
    (
        PageKind::About,
        &[
            "about",
            "about-us",
            "company",
            "who-we-are",
            "our-story",
            "story",
        ],
    ),
    (PageKind::Pricing, &["pricing", "plans", "prices", "price"]),
    (
        PageKind::Careers,
        &[
            "careers",
            "jobs",
            "join-us",
            "hiring",
            "work-with-us",
            "career",
            "vacancies",
        ],
    ),
    (
        PageKind::Team,
        &["team", "leadership", "people", "founders", "management"],
    ),
    (
        PageKind::Customers,
        &[
            "customers",
            "case-studies",
            "clients",
            "success-stories",
            "testimonials",
        ],
    ),
    (
        PageKind::Contact,
        &[
            "contact",
            "contact-us",
            "get-in-touch",
            "locations",
            "imprint",
            "impressum",
        ],
    ),
    (
        PageKind::Blog,
        &["blog", "news", "press", "newsroom", "updates", "insights"],
    ),
];

/// Picks at most one page per kind, best match first: a path segment equal to a keyword beats a
/// path containing it, which beats link text naming it; shorter paths win ties.
pub(super) fn plan(
    links: &[Link],
    domain: &str,
    seen: &BTreeSet<String>,
    budget: usize,
) -> Vec<(PageKind, Url)> {
    let mut chosen: Vec<(PageKind, Url)> = Vec::new();
    let mut taken: BTreeSet<String> = seen.clone();
    for (kind, words) in PLAN {
        if chosen.len() >= budget {
            break;
        }
        let mut best: Option<(u32, usize, Url)> = None;
        for link in links {
            let Ok(url) = Url::parse(&link.url) else {
                continue;
            };
            if taken.contains(url.as_str())
                || registrable_domain(&url).as_deref() != Some(domain)
                || looks_like_a_file(&url)
            {
                continue;
            }
            let score = score(&url, &link.text, words);
            if score == 0 {
                continue;
            }
            let len = url.path().len();
            if best
                .as_ref()
                .is_none_or(|(s, l, _)| score > *s || (score == *s && len < *l))
            {
                best = Some((score, len, url));
            }
        }
        if let Some((_, _, url)) = best {
            taken.insert(url.to_string());
            chosen.push((*kind, url));
        }
    }
    chosen
}

/// The page addresses a sitemap lists (`<loc>` entries), at most a few thousand.
pub(super) fn sitemap_links(xml: &str) -> Vec<Link> {
    xml.split("<loc>")
        .skip(1)
        .filter_map(|rest| rest.split("</loc>").next())
        .map(|loc| loc.trim().replace("&amp;", "&"))
        .filter(|loc| loc.starts_with("http"))
        .take(5_000)
        .map(|url| Link {
            url,
            text: String::new(),
        })
        .collect()
}

fn score(url: &Url, text: &str, words: &[&str]) -> u32 {
    let path = url.path().to_ascii_lowercase();
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches(".html").trim_end_matches(".htm"))
        .collect();
    // Deep article pages (a blog post about pricing) are not the pricing page.
    if segments.len() > 3 {
        return 0;
    }
    let text = text.to_lowercase();
    let mut best = 0;
    for word in words {
        if segments.iter().any(|s| s == word) {
            // 6 for /about, 5 for /en/about, 4 for /en/company/about.
            best = best.max(7 - u32::try_from(segments.len()).unwrap_or(3));
        } else if segments.iter().any(|s| s.contains(word)) {
            best = best.max(2);
        } else if text
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .any(|t| t == *word)
        {
            best = best.max(1);
        }
    }
    best
}

fn looks_like_a_file(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    [
        ".pdf", ".jpg", ".jpeg", ".png", ".gif", ".svg", ".zip", ".mp4", ".xml", ".json", ".css",
        ".js",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str, text: &str) -> Link {
        Link {
            url: url.into(),
            text: text.into(),
        }
    }

    #[test]
    fn the_plan_takes_one_page_per_kind_on_the_company_domain() {
        let links = [
            link(
                "https://acme.example/blog/2024/05/why-pricing-matters",
                "Pricing matters",
            ),
            link("https://acme.example/pricing", "Plans"),
            link("https://acme.example/en/company/about-us", "About"),
            link("https://careers.acme.example/jobs", "Jobs"),
            link("https://acme.example/about", "Who we are"),
            link("https://other.example/about", "About them"),
            link("https://acme.example/brochure.pdf", "About (PDF)"),
            link("https://acme.example/", "Home"),
            link("https://acme.example/get-in-touch", "Talk to us"),
            link("https://acme.example/blog", "Blog"),
        ];
        let seen = BTreeSet::from(["https://acme.example/".to_owned()]);
        let chosen = plan(&links, "acme.example", &seen, 6);
        let got: Vec<(PageKind, &str)> = chosen.iter().map(|(k, u)| (*k, u.as_str())).collect();
        assert_eq!(
            got,
            [
                (PageKind::About, "https://acme.example/about"),
                (PageKind::Pricing, "https://acme.example/pricing"),
                (PageKind::Careers, "https://careers.acme.example/jobs"),
                (PageKind::Contact, "https://acme.example/get-in-touch"),
                (PageKind::Blog, "https://acme.example/blog"),
            ]
        );
        assert_eq!(plan(&links, "acme.example", &seen, 2).len(), 2);
    }
}
