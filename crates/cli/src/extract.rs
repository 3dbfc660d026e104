//! `leadscout extract`: what research reads from one page, through research's own reader (and,
//! for a web address, its guarded fetcher).

use std::path::Path;

use leadscout_research::{decode, read_with_headers, FetchConfig, Fetcher, Guard};
use serde_json::json;
use url::Url;

use crate::{Failure, Outcomes, Reply};

/// Reads `source`, a web address or an HTML file, as research would.
pub async fn extract(source: &str) -> Outcomes<Reply> {
    let (html, url, headers) = if source.starts_with("http://") || source.starts_with("https://") {
        let url = Url::parse(source)
            .map_err(|_| Failure(format!("{source} is not a web address Leadscout can read.")))?;
        let guard = Guard::new(leadscout_application::research::allow_list());
        let fetcher = Fetcher::new(guard, FetchConfig::default())
            .map_err(|e| Failure(format!("Leadscout could not set up its web reader: {e}.")))?;
        let page = fetcher
            .fetch(&url)
            .await
            .map_err(|e| Failure(format!("Could not read {url}: {e}.")))?;
        let html = decode(&page.body, &page.content_type);
        (html, page.url, page.headers)
    } else {
        let path = Path::new(source);
        let bytes = std::fs::read(path)
            .map_err(|e| Failure(format!("Cannot read {}: {e}.", path.display())))?;
        let absolute = std::path::absolute(path)
            .map_err(|e| Failure(format!("Cannot read {}: {e}.", path.display())))?;
        let url = Url::from_file_path(&absolute)
            .map_err(|()| Failure(format!("Cannot read {}.", path.display())))?;
        (decode(&bytes, "text/html"), url, Vec::new())
    };
    // The same reading research does: main text, metadata, schema.org entities, profiles,
    // contacts, feeds, signals, and the passages addressed to AI assistants cut out.
    let page = read_with_headers(&html, &url, &headers);
    let mut text = String::new();
    let line = |text: &mut String, label: &str, value: &str| {
        text.push_str(&format!("{label}: {value}\n"));
    };
    line(&mut text, "Page", url.as_str());
    if let Some(title) = &page.facts.title {
        line(&mut text, "Title", title);
    }
    if let Some(description) = &page.facts.description {
        line(&mut text, "Description", description);
    }
    if let Some(language) = &page.facts.language {
        line(&mut text, "Language", language);
    }
    for (network, links) in &page.facts.social {
        for link in links {
            line(&mut text, network, link);
        }
    }
    for email in &page.facts.emails {
        line(&mut text, "Email", email);
    }
    for phone in &page.facts.phones {
        line(&mut text, "Phone", phone);
    }
    for address in &page.facts.addresses {
        line(&mut text, "Address", address);
    }
    if let Some(author) = &page.facts.author {
        line(&mut text, "Author", author);
    }
    if let Some(published) = &page.facts.published {
        line(&mut text, "Published", published);
    }
    if let Some(logo) = &page.facts.logo {
        line(&mut text, "Logo", logo);
    }
    for entity in &page.facts.entities {
        let name = entity.name.as_deref().unwrap_or("(no name)");
        line(&mut text, &format!("Entity ({})", entity.kind), name);
    }
    for feed in &page.facts.feeds {
        line(&mut text, "Feed", feed);
    }
    if !page.facts.jsonld_types.is_empty() {
        let types: Vec<&str> = page.facts.jsonld_types.iter().map(String::as_str).collect();
        line(&mut text, "Structured data", &types.join(", "));
    }
    for signal in &page.signals {
        let value = serde_json::to_value(signal).unwrap_or_default();
        let kind = value["kind"].as_str().unwrap_or("signal").to_owned();
        let name = value["name"].as_str().unwrap_or_default().to_owned();
        line(&mut text, &format!("Signal ({kind})"), &name);
    }
    if !page.injection.is_empty() {
        line(
            &mut text,
            "Left out",
            &format!(
                "{} passages addressed to AI assistants",
                page.injection.len()
            ),
        );
    }
    text.push('\n');
    text.push_str(&page.text);
    Ok(Reply::ok(
        text,
        json!({
            "url": url.as_str(),
            "facts": page.facts,
            "headings": page.headings,
            "text": page.text,
            "links": page.links,
            "signals": page.signals,
            "flagged": page.injection,
        }),
    ))
}
