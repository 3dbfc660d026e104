//! Choosing what a model reads: the pages research stored are cut into chunks (paragraphs, at
//! most ~800 characters, never mid-word), scored by BM25 against the stage's questions, and the
//! best chunks kept, whole, until the task budget is spent. Each chunk keeps the id of its page
//! (`S1`...) so claims can cite it.

use std::collections::{BTreeMap, HashMap};

use crate::prompt::{tokens, Excerpt};

/// A page as stored: its URL and Markdown text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub url: String,
    pub text: String,
}

const CHUNK_CHARS: usize = 800;
// BM25's usual constants.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Words too common to tell chunks apart.
const STOP: &[&str] = &[
    "the", "and", "for", "are", "was", "were", "with", "what", "they", "them", "their", "this",
    "that", "from", "have", "has", "had", "our", "we", "you", "your", "do", "does", "did", "of",
    "to", "in", "on", "at", "by", "is", "it", "its", "an", "as", "or", "be", "who", "how", "all",
];

fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.chars().count() > 1)
        .map(str::to_lowercase)
        .filter(|t| !STOP.contains(&t.as_str()))
        .map(stem)
        .collect()
}

/// A light plural fold, so "products" matches "product" and "customers" "customer".
pub(crate) fn stem(term: String) -> String {
    if term.len() > 4 && term.ends_with("ies") {
        format!("{}y", &term[..term.len() - 3])
    } else if term.len() > 3 && term.ends_with('s') && !term.ends_with("ss") {
        term[..term.len() - 1].to_owned()
    } else {
        term
    }
}

/// Paragraph-sized pieces of a page, at most [`CHUNK_CHARS`] characters, cut between words.
fn chunks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for paragraph in text.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
        for word in paragraph.split_whitespace() {
            if !current.is_empty()
                && current.chars().count() + word.chars().count() + 1 > CHUNK_CHARS
            {
                out.push(std::mem::take(&mut current));
            }
            if !current.is_empty() && !current.ends_with('\n') {
                current.push(' ');
            }
            current.push_str(word);
        }
        // A heading stays with the paragraph that follows it; a paragraph ends its chunk, so
        // unrelated paragraphs are not glued together.
        if paragraph.starts_with('#') && current.chars().count() < CHUNK_CHARS / 2 {
            current.push('\n');
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out.into_iter().map(|c| c.trim().to_owned()).collect()
}

/// The best chunks for `questions`, in page order within each page, within `budget` tokens.
/// Page `i` (0-based) is cited as `S{i+1}`; its chunks share that id.
pub fn select(pages: &[Page], questions: &str, budget: usize) -> Vec<Excerpt> {
    let mut all: Vec<(usize, usize, String)> = Vec::new(); // (page, order, text)
    for (p, page) in pages.iter().enumerate() {
        for (i, chunk) in chunks(&page.text).into_iter().enumerate() {
            all.push((p, i, chunk));
        }
    }
    if all.is_empty() {
        return Vec::new();
    }
    let docs: Vec<Vec<String>> = all.iter().map(|(_, _, t)| terms(t)).collect();
    let avg_len = docs.iter().map(Vec::len).sum::<usize>() as f64 / docs.len() as f64;
    let mut df: HashMap<&str, usize> = HashMap::new();
    for doc in &docs {
        let mut seen: Vec<&str> = doc.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for t in seen {
            *df.entry(t).or_default() += 1;
        }
    }
    let n = docs.len() as f64;
    let query = terms(questions);
    let mut scored: Vec<(f64, usize)> = docs
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let len = doc.len() as f64;
            let mut tf: HashMap<&str, f64> = HashMap::new();
            for t in doc {
                *tf.entry(t.as_str()).or_default() += 1.0;
            }
            let score: f64 = query
                .iter()
                .map(|q| {
                    let f = tf.get(q.as_str()).copied().unwrap_or(0.0);
                    if f == 0.0 {
                        return 0.0;
                    }
                    let d = df.get(q.as_str()).copied().unwrap_or(0) as f64;
                    let idf = ((n - d + 0.5) / (d + 0.5) + 1.0).ln();
                    idf * f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * len / avg_len.max(1.0)))
                })
                .sum();
            (score, i)
        })
        .collect();
    // Best first; ties keep page order, so the homepage's first paragraph leads. Chunks that
    // match nothing are read only when nothing matches at all, except each page's opening
    // chunk (its title and lead paragraph, where a company says what it does), which follows
    // the matching ones while the budget lasts.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    if scored.first().is_some_and(|(best, _)| *best > 0.0) {
        scored.retain(|(score, i)| *score > 0.0 || all[*i].1 == 0);
        scored.sort_by(|a, b| {
            (b.0 > 0.0)
                .cmp(&(a.0 > 0.0))
                .then(b.0.total_cmp(&a.0))
                .then(a.1.cmp(&b.1))
        });
    }
    let mut chosen: Vec<usize> = Vec::new();
    let mut spent = 0;
    for (_, i) in scored {
        let cost = tokens(&all[i].2) + 12; // the block's tags
        if spent + cost > budget {
            continue;
        }
        spent += cost;
        chosen.push(i);
    }
    chosen.sort_unstable();
    // The chosen chunks of one page read as one excerpt; "…" marks where text was left out.
    let mut out: BTreeMap<usize, (String, Option<usize>)> = BTreeMap::new();
    for i in chosen {
        let (page, order, text) = &all[i];
        let (joined, last) = out.entry(*page).or_default();
        if let Some(last) = last {
            joined.push_str(if *order == *last + 1 { "\n" } else { "\n…\n" });
        }
        joined.push_str(text);
        *last = Some(*order);
    }
    out.into_iter()
        .map(|(p, (text, _))| Excerpt {
            id: format!("S{}", p + 1),
            url: pages[p].url.clone(),
            text,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chunks_that_answer_the_questions_are_kept_within_the_budget() {
        let filler = "Our values guide everything we do and our culture is strong. ".repeat(30);
        let pages = [
            Page {
                url: "https://acme.example/".into(),
                text: format!("# Acme\n{filler}\nAcme sells drop-forged anvils to workshops."),
            },
            Page {
                url: "https://acme.example/about".into(),
                text: format!("# About\nFounded in 2014. We employ 45 smiths in Austin.\n{filler}"),
            },
        ];
        let picked = select(
            &pages,
            "what the company does and sells, products, customers, industry, size, employees, founded",
            120,
        );
        let text: String = picked
            .iter()
            .map(|e| e.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains("drop-forged anvils"), "{picked:?}");
        assert!(text.contains("45 smiths"), "{picked:?}");
        assert!(
            !text.contains("culture is strong"),
            "filler is left out: {picked:?}"
        );
        assert_eq!(picked[0].id, "S1");
        assert_eq!(picked[1].id, "S2");
        let spent: usize = picked.iter().map(|e| tokens(&e.text)).sum();
        assert!(spent <= 120);
        // Whole chunks only: what was kept is a run of the page's words.
        for e in &picked {
            let page = &pages[if e.id == "S1" { 0 } else { 1 }]
                .text
                .replace('\n', " ");
            for part in e.text.split("\n…\n") {
                assert!(
                    page.contains(part.split('\n').next().unwrap_or("")),
                    "{part}"
                );
            }
        }
    }

    #[test]
    fn nothing_to_read_and_nothing_relevant_are_handled() {
        assert!(select(&[], "anything", 1000).is_empty());
        let pages = [Page {
            url: "https://a.example/".into(),
            text: "Just words.".into(),
        }];
        // Nothing matches: the budget still admits the page.
        assert_eq!(select(&pages, "zebra", 1000).len(), 1);
        assert!(select(&pages, "words", 0).is_empty());
    }
}
