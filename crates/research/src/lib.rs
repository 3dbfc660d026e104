//! Leadscout's web side: an SSRF-guarded, robots-aware, polite fetcher; reading a page into
//! facts, Markdown text, links and signals; the crawl of a company's key pages; and the
//! deterministic stages of the lead-research workflow built on them.

pub mod check;
mod contacts;
mod crawl;
pub mod draft;
mod extract;
pub mod feed;
mod fetch;
mod guard;
mod metadata;
pub mod model;
mod page;
mod reader;
mod reading;
mod robots;
mod screen;
pub mod signals;
mod socials;
pub mod steps;
pub mod structured;

pub use crawl::{crawl, Crawl, CrawlConfig, CrawledPage, PageKind, Skipped};
pub use extract::{extract, PageFacts};
pub use fetch::{FetchConfig, FetchError, Fetched, Fetcher, Page, Validators, USER_AGENT};
pub use guard::{classify, AllowList, Guard, Refusal};
pub use page::{cap_depth, decode, plain_text, read, Link, ReadPage, MAX_DEPTH};
pub use reading::{read_page, read_with_headers, PageReading};
pub use robots::{Robots, RobotsAccess, ROBOTS_TOKEN};
