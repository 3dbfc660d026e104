//! The main text of a page: what Mozilla's Readability scoring keeps (the `dom_smoothie` port,
//! on the document already parsed and screened), as Markdown. Pages Readability cannot score
//! (a short homepage, a page of cards) fall back to the outermost content containers, each
//! read once.

use dom_query::{Document, NodeRef};
use url::Url;

use crate::page::Markdown;

/// Main text below this many characters is not trusted from Readability when the page's
/// content containers hold several times more.
const MIN_READABLE_CHARS: usize = 200;

/// An attribute that marks a heading as the page's `h1` through Readability's renaming.
pub(crate) const H1_MARK: &str = "data-leadscout-h1";

/// The main text of `doc` as Markdown (headings `#`, list items `- `, one block a line).
pub(crate) fn main_text(doc: Document, base: &Url) -> String {
    let containers = containers_text(&doc);
    // Readability drops a heading that repeats the page title; the page's own `h1` is kept.
    let h1 = crate::page::squash(&doc.select("h1").first().text());
    // Screening has read the inline styles; Readability would read them again without
    // inheritance (a `visibility:visible` child of a hidden parent is shown).
    doc.select("[style]").remove_attr("style");
    // Readability renames `h1` to `h2`; the mark keeps the level.
    doc.select("h1").set_attr(H1_MARK, "");
    let config = dom_smoothie::Config {
        // Readability's JSON-LD and byline reading are done by crate::metadata already.
        disable_json_ld: true,
        ..dom_smoothie::Config::default()
    };
    let readable = dom_smoothie::Readability::with_document(doc, Some(base.as_str()), Some(config))
        .ok()
        .and_then(|mut r| {
            r.parse_with_policy(dom_smoothie::ParsePolicy::Moderate)
                .ok()?;
            let root = r.doc.select("#readability-page-1");
            let mut text = Markdown::default();
            for node in root.nodes() {
                text.walk(node, 0);
            }
            Some(text.finish())
        });
    match readable {
        Some(text)
            if text.chars().count() >= MIN_READABLE_CHARS
                || text.chars().count() * 3 >= containers.chars().count() =>
        {
            if h1.is_empty() || text.contains(&h1) {
                text
            } else {
                format!("# {h1}\n{text}")
            }
        }
        _ => containers,
    }
}

/// The text of the outermost `main`, `article` or `[role=main]` elements (a `main` holding
/// `article`s is read once), else of the body; menus, footers and asides left out, and a
/// `header` only outside the content.
fn containers_text(doc: &Document) -> String {
    let selected = doc.select("main, article, [role=main]");
    let outermost: Vec<NodeRef> = selected
        .nodes()
        .iter()
        .filter(|n| {
            !n.ancestors(None).iter().any(|a| {
                a.node_name().is_some_and(|name| {
                    name.eq_ignore_ascii_case("main") || name.eq_ignore_ascii_case("article")
                }) || a
                    .attr("role")
                    .is_some_and(|r| r.eq_ignore_ascii_case("main"))
            })
        })
        .copied()
        .collect();
    let mut text = Markdown::without_chrome(outermost.is_empty());
    if outermost.is_empty() {
        for body in doc.select("body").nodes() {
            text.walk(body, 0);
        }
    } else {
        for node in &outermost {
            text.walk(node, 0);
        }
    }
    text.finish()
}
