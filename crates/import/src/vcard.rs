//! vCard 2.1, 3.0 and 4.0: several cards per file, folded lines, quoted-printable values with
//! their charset (2.1), bare and `TYPE=` parameters, escapes, and the quirks of Apple, Google,
//! Outlook and Android exports. Each card becomes a [`Row`] through the same validation as CSV.

use std::collections::HashMap;

use crate::{build, Row, RowProblem, Target};

/// A property: name (upper-case, group removed), parameters (upper-case names), raw value.
#[derive(Debug)]
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Bare 2.1 types (`TEL;WORK;VOICE`) and `TYPE=work,voice` alike.
    fn has_type(&self, kind: &str) -> bool {
        self.params.iter().any(|(n, v)| {
            (n == "TYPE" && v.split(',').any(|t| t.trim().eq_ignore_ascii_case(kind)))
                || (v.is_empty() && n.eq_ignore_ascii_case(kind))
        })
    }

    fn preferred(&self) -> bool {
        self.has_type("PREF") || self.param("PREF").is_some()
    }
}

/// Joins folded lines (a line starting with a space or tab continues the previous one) and
/// quoted-printable soft breaks (a line ending in `=` inside a QP value).
fn unfold(text: &str) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = Vec::new();
    let mut qp_continues = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let number = i as u64 + 1;
        if let Some(last) = out.last_mut() {
            if qp_continues {
                last.1.pop(); // the soft-break '='
                last.1.push_str(line);
                qp_continues = last.1.ends_with('=') && is_qp(&last.1);
                continue;
            }
            if line.starts_with([' ', '\t']) {
                last.1.push_str(&line[1..]);
                continue;
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        qp_continues = line.ends_with('=') && is_qp(line);
        out.push((number, line.to_owned()));
    }
    out
}

fn is_qp(line: &str) -> bool {
    line.split(':')
        .next()
        .is_some_and(|head| head.to_ascii_uppercase().contains("QUOTED-PRINTABLE"))
}

fn parse(line: &str) -> Option<Property> {
    // The value starts after the first ':' outside a quoted parameter value.
    let mut quoted = false;
    let split = line.char_indices().find(|(_, c)| {
        if *c == '"' {
            quoted = !quoted;
        }
        *c == ':' && !quoted
    })?;
    let (head, value) = (&line[..split.0], &line[split.0 + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?.trim();
    let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (
                k.trim().to_ascii_uppercase(),
                v.trim().trim_matches('"').to_owned(),
            ),
            None => (p.trim().to_ascii_uppercase(), String::new()),
        })
        .collect();
    Some(Property {
        name,
        params,
        value: value.to_owned(),
    })
}

fn quoted_printable(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() + 1 {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The property's text: quoted-printable and charset decoded, escapes resolved.
fn text(prop: &Property) -> String {
    unescape(&decoded(prop))
}

/// The raw value with quoted-printable and its charset decoded, escapes kept.
fn decoded(prop: &Property) -> String {
    if prop
        .param("ENCODING")
        .is_some_and(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
        || prop.has_type("QUOTED-PRINTABLE")
    {
        let bytes = quoted_printable(&prop.value);
        let charset = prop
            .param("CHARSET")
            .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
            .unwrap_or(encoding_rs::UTF_8);
        charset.decode_without_bom_handling(&bytes).0.into_owned()
    } else {
        prop.value.clone()
    }
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    // A bare CR is a line break too (old Mac files); kept, it would vanish on export.
    out.replace("\r\n", "\n").replace('\r', "\n")
}

/// Components of a structured value (`N`, `ORG`), split on unescaped `;`.
fn components(prop: &Property) -> Vec<String> {
    let raw = decoded(prop);
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in raw.chars() {
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, ';') => parts.push(String::new()),
            (true, _) => {
                if let Some(last) = parts.last_mut() {
                    last.push('\\');
                    last.push(c);
                }
                escaped = false;
            }
            (false, _) => {
                if let Some(last) = parts.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    parts
        .iter()
        .map(|p| unescape(p).trim().to_owned())
        .collect()
}

/// How many cards the text holds.
pub fn count_cards(text: &str) -> usize {
    text.lines()
        .filter(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCARD"))
        .count()
}

/// Every card of a vCard file as a validated row (or why it cannot be imported).
pub fn cards(text: &str) -> Vec<Result<Row, RowProblem>> {
    let mut out = Vec::new();
    let mut card: Option<(u64, Vec<Property>)> = None;
    for (line, content) in unfold(text) {
        let upper = content.trim().to_ascii_uppercase();
        if upper == "BEGIN:VCARD" {
            // A card left open by the next one is reported, never silently dropped (the
            // preview counts it).
            if let Some((start, _)) = card.replace((line, Vec::new())) {
                out.push(Err(RowProblem {
                    line: start,
                    message: "This card has no END:VCARD before the next card begins.".into(),
                }));
            }
            continue;
        }
        if upper == "END:VCARD" {
            if let Some((start, props)) = card.take() {
                out.push(to_row(start, &props));
            }
            continue;
        }
        if let (Some((_, props)), Some(prop)) = (card.as_mut(), parse(&content)) {
            props.push(prop);
        }
    }
    if let Some((start, _)) = card {
        out.push(Err(RowProblem {
            line: start,
            message: "This card has no END:VCARD; the file may be cut short.".into(),
        }));
    }
    out
}

fn to_row(line: u64, props: &[Property]) -> Result<Row, RowProblem> {
    fn all<'a>(props: &'a [Property], name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        props.iter().filter(move |p| p.name == name)
    }
    let all = |name: &'static str| all(props, name);
    // The preferred value, else the work one, else the first.
    let best = |name: &'static str| {
        all(name)
            .find(|p| p.preferred())
            .or_else(|| all(name).find(|p| p.has_type("WORK")))
            .or_else(|| all(name).next())
            .map(text)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let mut fields: HashMap<Target, String> = HashMap::new();
    if let Some(name) = best("FN") {
        fields.insert(Target::FullName, name);
    } else if let Some(n) = all("N").next() {
        let parts = components(n);
        let (family, given) = (parts.first().cloned(), parts.get(1).cloned());
        let joined = [given, family]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !joined.is_empty() {
            fields.insert(Target::FullName, joined);
        }
    }
    if let Some(org) = all("ORG").next() {
        if let Some(company) = components(org).into_iter().find(|c| !c.is_empty()) {
            fields.insert(Target::CompanyName, company);
        }
    }
    for (name, target) in [
        ("EMAIL", Target::Email),
        ("TEL", Target::Phone),
        ("TITLE", Target::Title),
        ("NOTE", Target::Notes),
    ] {
        if let Some(value) = best(name) {
            // vCard 4 phones may be `tel:` URIs.
            let value = match target {
                Target::Phone => value.trim_start_matches("tel:").to_owned(),
                _ => value,
            };
            fields.insert(target, value);
        }
    }
    if let (std::collections::hash_map::Entry::Vacant(slot), Some(role)) =
        (fields.entry(Target::Title), best("ROLE"))
    {
        slot.insert(role);
    }
    // Websites and profiles: a LinkedIn page goes to its own field, the first other URL is the
    // website. A social profile is never the website, and linkedin.com itself (no page) is a
    // website like any other, as the export writes it.
    let urls = all("URL")
        .map(|p| (false, p))
        .chain(all("X-SOCIALPROFILE").map(|p| (true, p)));
    for (social, prop) in urls {
        let url = text(prop).trim().to_owned();
        let lower = url.to_ascii_lowercase();
        let linkedin_page = lower
            .split_once("linkedin.com/")
            .is_some_and(|(_, page)| !page.trim_matches('/').is_empty());
        if linkedin_page || (social && lower.contains("linkedin.com")) {
            fields.entry(Target::LinkedIn).or_insert(url);
        } else if !url.is_empty() && !social {
            fields.entry(Target::Website).or_insert(url);
        }
    }
    build(line, |target| fields.get(&target).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadscout_domain::{FieldValue, LeadField};

    fn value(row: &Row, field: LeadField) -> Option<String> {
        row.values.iter().find_map(|v| match v {
            FieldValue::Text(f, t) if *f == field => t.clone(),
            FieldValue::Website(u) if field == LeadField::Website => {
                u.as_ref().map(|u| u.to_string())
            }
            _ => None,
        })
    }

    #[test]
    fn social_profiles_are_never_the_website() {
        // Found by the vcard fuzz target: a LinkedIn social profile without a page became the
        // website, and linkedin.com as a website came back as a (refused) LinkedIn address.
        let rows = cards(
            "BEGIN:VCARD\nFN:Ada\nX-SOCIALPROFILE;TYPE=linkedin:https://linkedin.com\n\
             X-SOCIALPROFILE;TYPE=twitter:https://x.com/ada\nEND:VCARD\n\
             BEGIN:VCARD\nFN:Grace\nURL:https://www.linkedin.com/\n\
             X-SOCIALPROFILE:https://www.linkedin.com/in/grace\nEND:VCARD\n",
        );
        let ada = rows[0].as_ref().unwrap();
        assert_eq!(value(ada, LeadField::Website), None);
        assert_eq!(value(ada, LeadField::LinkedinUrl), None);
        assert_eq!(ada.warnings.len(), 1, "{:?}", ada.warnings);
        let grace = rows[1].as_ref().unwrap();
        assert_eq!(
            value(grace, LeadField::Website).as_deref(),
            Some("https://www.linkedin.com/")
        );
        assert_eq!(
            value(grace, LeadField::LinkedinUrl).as_deref(),
            Some("https://www.linkedin.com/in/grace")
        );
    }

    #[test]
    fn a_bare_carriage_return_in_a_value_is_a_line_break() {
        // Found by the vcard fuzz target: the note kept the CR, and the vCard export dropped it,
        // running the two lines together.
        let rows = cards("BEGIN:VCARD\r\nFN:Ada\r\nNOTE:one\rtwo\\nthree\r\nEND:VCARD\r\n");
        let ada = rows[0].as_ref().unwrap();
        assert_eq!(ada.note.as_deref(), Some("one\ntwo\nthree"));
    }

    #[test]
    fn versions_and_their_quirks_read_the_same() {
        let text = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\r\n\
            TEL;WORK;VOICE:+49 30 1234567\r\nEMAIL;INTERNET:juergen@example.de\r\n\
            NOTE;ENCODING=QUOTED-PRINTABLE:Line one=0D=0A=\r\nline two\r\nEND:VCARD\r\n\
            BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nORG:Analytical Engines\\, Ltd;Research\n\
            TITLE:Countess\nEMAIL;TYPE=INTERNET:ada@home.example\nEMAIL;TYPE=INTERNET,WORK,pref:ada@ae.example\n\
            item1.URL:https://ae.example\nitem2.URL:https://www.linkedin.com/in/ada\nNOTE:Met in\\nLondon\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:4.0\nFN:Grace Hopper\nEMAIL;PREF=1:grace@navy.example\nTEL;VALUE=uri;TYPE=work:tel:+1-202-555-0100\n\
            END:VCARD\nBEGIN:VCARD\nVERSION:3.0\nNOTE:no name here\nEND:VCARD\nBEGIN:VCARD\nFN:Cut Short\n";
        assert_eq!(count_cards(text), 5);
        let rows = cards(text);
        assert_eq!(rows.len(), 5);
        let juergen = rows[0].as_ref().unwrap();
        assert_eq!(juergen.full_name, "Jürgen Müller");
        assert_eq!(juergen.note.as_deref(), Some("Line one\nline two"));
        assert_eq!(
            value(juergen, LeadField::Phone).as_deref(),
            Some("+49301234567")
        );
        let ada = rows[1].as_ref().unwrap();
        assert_eq!(
            value(ada, LeadField::Email).as_deref(),
            Some("ada@ae.example")
        );
        assert_eq!(
            value(ada, LeadField::CompanyName).as_deref(),
            Some("Analytical Engines, Ltd")
        );
        assert_eq!(
            value(ada, LeadField::LinkedinUrl).as_deref(),
            Some("https://www.linkedin.com/in/ada")
        );
        assert_eq!(
            value(ada, LeadField::Website).as_deref(),
            Some("https://ae.example/")
        );
        assert_eq!(ada.note.as_deref(), Some("Met in\nLondon"));
        let grace = rows[2].as_ref().unwrap();
        assert_eq!(
            value(grace, LeadField::Email).as_deref(),
            Some("grace@navy.example")
        );
        assert!(rows[3].is_err());
        assert!(rows[4].as_ref().unwrap_err().message.contains("END:VCARD"));
    }

    #[test]
    fn a_card_left_open_by_the_next_is_reported_not_dropped() {
        let text = "BEGIN:VCARD\nFN:Ada\nBEGIN:VCARD\nFN:Grace\nEND:VCARD\n";
        let rows = cards(text);
        assert_eq!(rows.len(), count_cards(text));
        let problem = rows[0].as_ref().unwrap_err();
        assert_eq!(problem.line, 1);
        assert!(problem.message.contains("before the next card begins"));
        assert_eq!(rows[1].as_ref().unwrap().full_name, "Grace");
    }
}
