//! Leadscout's web side. This first part is the network guard every fetch goes through: web
//! research must never be turned against the user's own machine or network (SSRF), whatever a
//! lead's website, a redirect or a DNS answer says.

mod extract;
mod fetch;
mod guard;
mod robots;

pub use extract::{extract, PageFacts};
pub use fetch::{FetchConfig, FetchError, Fetcher, Page, USER_AGENT};
pub use guard::{classify, AllowList, Guard, Refusal};
pub use robots::{Robots, ROBOTS_TOKEN};
