//! The main text of a page: what Mozilla's Readability scoring keeps (the `dom_smoothie` port,
//! on the document already parsed and screened), as Markdown. Pages Readability cannot score
//! (a short homepage, a page of cards) fall back to the outermost content containers, each
//! read once.

use std::sync::LazyLock;

use dom_query::{Document, NodeRef};
use regex::Regex;
use url::Url;

use crate::page::Markdown;

/// Main text below this many characters is not trusted from Readability when the page's
/// content containers hold several times more.
const MIN_READABLE_CHARS: usize = 200;

/// Class or id words of blocks that are never the content: related-article teasers, author
/// bios, cookie and consent banners, promos and "learn more" boxes, breadcrumbs, newsletter
/// sign-ups, share bars.
static BOILERPLATE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[\s_-])(?:related(?:[-_]?(?:posts?|articles?|content|stories))?|teasers?|author[-_]?(?:bio|box|info|card)|about[-_]the[-_]author|cookie[-_]?(?:banner|notice|consent|bar)?|consent|gdpr|promo(?:tion)?s?|savoir[-_]plus|learn[-_]more|read[-_]more|breadcrumbs?|newsletter|share[-_]?(?:bar|buttons|links|this)|sharing|social[-_]?(?:share|links|icons)|you[-_]might[-_]also[-_]like|recommended)(?:$|[\s_-])",
    )
    .ok()
});

/// Headings that introduce boilerplate rather than content.
static BOILERPLATE_HEADING_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:you (?:might|may) also like|related (?:posts|articles|stories|content)|read (?:more|next)|more from|share this(?: article| post)?|recommended(?: for you)?)\s*:?\s*$",
    )
    .ok()
});

/// Removes blocks that are boilerplate by their class, id or heading.
fn cut_boilerplate(doc: &Document) {
    let Some(re) = BOILERPLATE_RE.as_ref() else {
        return;
    };
    let mut cut = Vec::new();
    // Within the body, found from it (a `body [class]` selector walks up from every element).
    let Some(body) = doc.body() else {
        return;
    };
    for node in dom_query::Selection::from(body)
        .select("[class], [id]")
        .nodes()
    {
        // The content's own containers are never cut for a class word.
        let is_root = node.node_name().is_some_and(|n| {
            ["main", "article", "body"]
                .iter()
                .any(|r| n.eq_ignore_ascii_case(r))
        });
        if is_root {
            continue;
        }
        let class = node.attr("class").unwrap_or_default();
        let id = node.attr("id").unwrap_or_default();
        if re.is_match(&class) || re.is_match(&id) {
            cut.push(*node);
        }
    }
    if let Some(heading) = BOILERPLATE_HEADING_RE.as_ref() {
        for node in doc.select("h2, h3, h4, h5, h6").nodes() {
            if heading.is_match(&node.text()) {
                cut.push(*node);
            }
        }
    }
    cut.iter().for_each(NodeRef::remove_from_parent);
}

/// An attribute that marks a heading as the page's `h1` through Readability's renaming.
pub(crate) const H1_MARK: &str = "data-leadscout-h1";

/// The main text of `doc` as Markdown (headings `#`, list items `- `, one block a line).
pub(crate) fn main_text(doc: Document, base: &Url) -> String {
    cut_boilerplate(&doc);
    let containers = containers_text(&doc);
    // Readability drops a heading that repeats the page title; the page's own `h1` is kept.
    let h1 = crate::page::squash(&doc.select_single("h1").text());
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
        if let Some(body) = doc.body() {
            text.walk(&body, 0);
        }
    } else {
        for node in &outermost {
            text.walk(node, 0);
        }
    }
    text.finish()
}

#[cfg(test)]
mod tests {
    use crate::{plain_text, read};
    use url::Url;

    const PARAGRAPH: &str = "Acme forges anvils from drop-forged steel in Sheffield, and every \
        anvil is tracked from the forge to the workshop that uses it, so a smith can see where \
        the steel came from and how it was tempered. ";

    #[test]
    fn each_container_is_read_once_and_boilerplate_is_cut() {
        let body = PARAGRAPH.repeat(4);
        let html = format!(
            r#"<html><head><title>Anvils | Acme</title></head><body>
            <div class="cookie-banner"><p>We use cookies to improve your experience. Accept all cookies.</p></div>
            <nav class="breadcrumbs"><a href="/">Home</a> › <a href="/blog">Blog</a></nav>
            <div class="menu"><a href="/a">Products</a> <a href="/b">Pricing</a> <a href="/c">About</a></div>
            <main><article><header><h1>How we forge anvils</h1></header>
              <h2>#1 choice of smiths</h2><p>{body}</p><p>-20% on all anvils this week, as stated.</p>
              <div class="author-bio"><p>Jane Doe writes about forging and has done so for twenty years at Acme.</p></div>
              <div class="promo"><p>Learn more about our premium anvil subscription today.</p></div>
              <h3>You might also like:</h3>
              <div class="related-posts"><article><h4>Ten hammers every smith needs</h4><p>Teaser text of another post.</p></article></div>
            </article></main>
            <footer><p>© Acme Ltd</p></footer></body></html>"#
        );
        let page = read(
            &html,
            &Url::parse("https://acme.example/blog/anvils").unwrap(),
        );
        let text = plain_text(&page.text);
        assert_eq!(
            text.matches("drop-forged steel in Sheffield").count(),
            4,
            "{}",
            page.text
        );
        assert!(page.text.contains("# How we forge anvils"), "{}", page.text);
        assert!(text.contains("#1 choice of smiths"), "{text}");
        assert!(text.contains("-20% on all anvils"), "{text}");
        for gone in [
            "cookies",
            "Products",
            "Jane Doe writes",
            "premium anvil subscription",
            "You might also like",
            "Ten hammers",
            "Acme Ltd",
        ] {
            assert!(!text.contains(gone), "{gone}: {}", page.text);
        }
    }
}
