//! vCard 2.1, 3.0 and 4.0: several cards per file, folded lines, quoted-printable values,
//! per-property charsets, bare and `TYPE=` parameters, each version's escapes, nested (AGENT)
//! cards, and the quirks of Apple, Google, Outlook and Android exports. Each card becomes a
//! [`Row`] through the same validation as CSV.
//!
//! The file is worked on as bytes until each property is decoded: lines are unfolded first (a
//! fold may cut a UTF-8 character in two), then every value is decoded by its own `CHARSET`
//! (Shift_JIS, ISO-8859-7, windows-1255...), else as UTF-8 when it is valid UTF-8, else in the
//! file's encoding (Windows-1252 for files that are not UTF-8).

use std::collections::HashMap;

use crate::{build, Row, RowProblem, Target};

/// A property: name (upper-case, group removed), parameters (upper-case names), raw value bytes.
#[derive(Debug)]
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: Vec<u8>,
}

/// The escape rules of a card's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    /// 2.1: a backslash escapes only `;` (in structured values); line breaks are
    /// quoted-printable.
    V21,
    /// 3.0 and 4.0: `\n`, `\\`, `\,` and `\;` (and `\:` in some 3.0 writers).
    V3,
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

    fn quoted_printable(&self) -> bool {
        self.param("ENCODING")
            .is_some_and(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
            || self.has_type("QUOTED-PRINTABLE")
    }
}

/// Lines of the file, unfolded on bytes: a line starting with a space or tab continues the
/// previous one, and a quoted-printable value ending in `=` continues on the next line.
fn unfold(bytes: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut out: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut qp_continues = false;
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let number = i as u64 + 1;
        if let Some(last) = out.last_mut() {
            if qp_continues {
                last.1.pop(); // the soft-break '='
                last.1.extend_from_slice(line);
                qp_continues = last.1.ends_with(b"=") && is_qp(&last.1);
                continue;
            }
            if line.starts_with(b" ") || line.starts_with(b"\t") {
                last.1.extend_from_slice(&line[1..]);
                continue;
            }
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        qp_continues = line.ends_with(b"=") && is_qp(line);
        out.push((number, line.to_vec()));
    }
    out
}

fn is_qp(line: &[u8]) -> bool {
    let head = line.split(|b| *b == b':').next().unwrap_or_default();
    head.to_ascii_uppercase()
        .windows(16)
        .any(|w| w == b"QUOTED-PRINTABLE")
}

fn parse(line: &[u8]) -> Option<Property> {
    // The value starts after the first ':' outside a quoted parameter value.
    let mut quoted = false;
    let split = line.iter().position(|c| {
        if *c == b'"' {
            quoted = !quoted;
        }
        *c == b':' && !quoted
    })?;
    // Names and parameters are ASCII; anything else in them is not worth keeping.
    let head = String::from_utf8_lossy(&line[..split]);
    let value = &line[split + 1..];
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
        value: value.to_vec(),
    })
}

fn quoted_printable(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
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

/// A card's reading context: its version and the file's encoding for values that name none.
#[derive(Debug, Clone, Copy)]
struct Context {
    version: Version,
    fallback: &'static encoding_rs::Encoding,
}

/// The raw value as text: quoted-printable undone, then decoded by its `CHARSET`, else as UTF-8
/// when valid, else in the file's encoding. Escapes are kept.
fn decoded(prop: &Property, ctx: Context) -> String {
    let bytes = if prop.quoted_printable() {
        quoted_printable(&prop.value)
    } else {
        prop.value.clone()
    };
    let named = prop
        .param("CHARSET")
        .and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()));
    match named {
        Some(charset) => charset.decode_without_bom_handling(&bytes).0.into_owned(),
        None => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => ctx
                .fallback
                .decode_without_bom_handling(err.as_bytes())
                .0
                .into_owned(),
        },
    }
}

/// The property's text: decoded, escapes resolved by the card's version.
fn text(prop: &Property, ctx: Context) -> String {
    unescape(&decoded(prop, ctx), ctx.version)
}

fn unescape(value: &str, version: Version) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match (version, chars.peek().copied()) {
            (Version::V3, Some('n' | 'N')) => {
                chars.next();
                out.push('\n');
            }
            (Version::V3, Some(e @ ('\\' | ',' | ';' | ':'))) | (Version::V21, Some(e @ ';')) => {
                chars.next();
                out.push(e);
            }
            // Not an escape in this version (a Windows path, a 2.1 note): the backslash stays.
            _ => out.push('\\'),
        }
    }
    // A bare CR is a line break too (old Mac files); kept, it would vanish on export.
    out.replace("\r\n", "\n").replace('\r', "\n")
}

/// Components of a structured value (`N`, `ORG`), split on unescaped `;`.
fn components(prop: &Property, ctx: Context) -> Vec<String> {
    let raw = decoded(prop, ctx);
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
        .map(|p| unescape(p, ctx.version).trim().to_owned())
        .collect()
}

/// The file's bytes as UTF-8 or single-byte text, and the encoding for values that are not
/// valid UTF-8. UTF-16 files (with a BOM or by their zero bytes) are decoded whole first: no
/// per-property charset survives in them.
fn prepare(bytes: &[u8]) -> (std::borrow::Cow<'_, [u8]>, &'static encoding_rs::Encoding) {
    let encoding = crate::encoding_of(bytes);
    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        let text = crate::decode(bytes).text;
        return (text.into_bytes().into(), encoding_rs::UTF_8);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    (bytes.into(), encoding_rs::WINDOWS_1252)
}

fn is(content: &[u8], marker: &[u8]) -> bool {
    content.trim_ascii().eq_ignore_ascii_case(marker)
}

/// How many cards the text holds (nested AGENT cards are part of their parent).
pub fn count_cards(text: &str) -> usize {
    cards(text).len()
}

/// Every card of a vCard file read as text (already decoded) as a validated row, or why it
/// cannot be imported.
pub fn cards(text: &str) -> Vec<Result<Row, RowProblem>> {
    cards_from_bytes(text.as_bytes(), None)
}

/// Every card of a vCard file as a validated row (or why it cannot be imported). `region` is the
/// user's country (ISO 3166 code, from their locale): national phone numbers are read as that
/// country's.
pub fn cards_from_bytes(bytes: &[u8], region: Option<&str>) -> Vec<Result<Row, RowProblem>> {
    let (bytes, fallback) = prepare(bytes);
    let mut out = Vec::new();
    let mut card: Option<(u64, Vec<Property>)> = None;
    // Lines of a nested card (2.1's `AGENT:` followed by a whole card) still to skip.
    let mut nested = 0usize;
    for (line, content) in unfold(&bytes) {
        if nested > 0 {
            if is(&content, b"BEGIN:VCARD") {
                nested += 1;
            } else if is(&content, b"END:VCARD") {
                nested -= 1;
            }
            continue;
        }
        if is(&content, b"BEGIN:VCARD") {
            let agent_open = card.as_ref().is_some_and(|(_, props)| {
                props
                    .last()
                    .is_some_and(|p| p.name == "AGENT" && p.value.trim_ascii().is_empty())
            });
            if agent_open {
                nested = 1;
                continue;
            }
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
        if is(&content, b"END:VCARD") {
            if let Some((start, props)) = card.take() {
                out.push(to_row(start, &props, fallback, region));
            }
            continue;
        }
        if let (Some((_, props)), Some(prop)) = (card.as_mut(), parse(&content)) {
            // `AGENT:BEGIN:VCARD` with the nested card's lines after it.
            let upper = prop.value.to_ascii_uppercase();
            if prop.name == "AGENT"
                && upper.trim_ascii().starts_with(b"BEGIN:VCARD")
                && !upper.windows(9).any(|w| w == b"END:VCARD")
            {
                nested = 1;
            }
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

/// A phone property's number: a `tel:` URI's (with its `;ext=`) or the text, with an extension
/// written the way the phone field reads it.
fn phone(value: &str) -> String {
    let value = value.trim();
    let value = value.strip_prefix("tel:").unwrap_or(value);
    match value.split_once(";ext=") {
        Some((number, ext)) => {
            let ext = ext.split(';').next().unwrap_or_default();
            format!("{number} ext. {ext}")
        }
        None => value.split(';').next().unwrap_or_default().to_owned(),
    }
}

fn to_row(
    line: u64,
    props: &[Property],
    fallback: &'static encoding_rs::Encoding,
    region: Option<&str>,
) -> Result<Row, RowProblem> {
    let version = match props.iter().find(|p| p.name == "VERSION") {
        Some(v) if v.value.trim_ascii() == b"2.1" => Version::V21,
        Some(_) => Version::V3,
        // No VERSION: 2.1 writers leave it out more often, but `\n` in such files is meant as a
        // line break; read them as 3.0.
        None => Version::V3,
    };
    let ctx = Context { version, fallback };
    fn all<'a>(props: &'a [Property], name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        props.iter().filter(move |p| p.name == name)
    }
    let all = |name: &'static str| all(props, name);
    // Every value in order of preference: the preferred, then work ones, then the rest.
    let ranked = |name: &'static str| -> Vec<String> {
        let mut list: Vec<&Property> = all(name).collect();
        list.sort_by_key(|p| (!p.preferred(), !p.has_type("WORK")));
        list.into_iter()
            .map(|p| text(p, ctx).trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect()
    };
    let mut fields: HashMap<Target, Vec<String>> = HashMap::new();
    let org = all("ORG")
        .next()
        .and_then(|org| components(org, ctx).into_iter().find(|c| !c.is_empty()));
    if let Some(name) = ranked("FN").into_iter().next() {
        fields.insert(Target::FullName, vec![name]);
    } else if let Some(n) = all("N").next() {
        let parts = components(n, ctx);
        let part = |i: usize| parts.get(i).cloned().filter(|p| !p.is_empty());
        for (target, i) in [
            (Target::FirstName, 1),
            (Target::MiddleName, 2),
            (Target::LastName, 0),
        ] {
            if let Some(p) = part(i) {
                fields.insert(target, vec![p]);
            }
        }
    }
    if let Some(company) = &org {
        fields.insert(Target::CompanyName, vec![company.clone()]);
    }
    for (name, target) in [
        ("EMAIL", Target::Email),
        ("TEL", Target::Phone),
        ("TITLE", Target::Title),
        ("NOTE", Target::Notes),
    ] {
        let mut values = ranked(name);
        match target {
            Target::Phone => values = values.iter().map(|v| phone(v)).collect(),
            Target::Title | Target::Notes => values.truncate(1),
            _ => {}
        }
        if !values.is_empty() {
            fields.insert(target, values);
        }
    }
    if let (std::collections::hash_map::Entry::Vacant(slot), Some(role)) = (
        fields.entry(Target::Title),
        ranked("ROLE").into_iter().next(),
    ) {
        slot.insert(vec![role]);
    }
    // Websites and profiles: a LinkedIn page goes to its own field, the first other URL is the
    // website. A social profile is never the website, and linkedin.com itself (no page) is a
    // website like any other, as the export writes it.
    let urls = all("URL")
        .map(|p| (false, p))
        .chain(all("X-SOCIALPROFILE").map(|p| (true, p)));
    for (social, prop) in urls {
        let url = text(prop, ctx).trim().to_owned();
        let lower = url.to_ascii_lowercase();
        let linkedin_page = lower
            .split_once("linkedin.com/")
            .is_some_and(|(_, page)| !page.trim_matches('/').is_empty());
        if linkedin_page || (social && lower.contains("linkedin.com")) {
            fields.entry(Target::LinkedIn).or_insert_with(|| vec![url]);
        } else if !url.is_empty() && !social {
            fields.entry(Target::Website).or_insert_with(|| vec![url]);
        }
    }
    // A card for a firm (an ORG and no person's name or email) is imported under the firm's
    // name rather than refused, and the row says so: it is how address books keep a supplier's
    // switchboard, and the preview shows the choice before anything is written.
    let org_only = !fields.contains_key(&Target::FullName)
        && !fields.contains_key(&Target::FirstName)
        && !fields.contains_key(&Target::LastName)
        && !fields.contains_key(&Target::Email);
    if let (true, Some(company)) = (org_only, &org) {
        fields.insert(Target::FullName, vec![company.clone()]);
    }
    let mut row = build(line, region, |target| {
        fields.get(&target).cloned().unwrap_or_default()
    })?;
    if let (true, Some(company)) = (org_only, org) {
        row.warnings.push(format!(
            "line {line}: this card names no person; it is imported under its organisation's name, \"{}\".",
            company.chars().take(60).collect::<String>()
        ));
    }
    Ok(row)
}

/// The country of a locale (`de_DE.UTF-8`, `en-GB`, `pt_BR`), as the region for national phone
/// numbers. `C`, `POSIX` and a bare language have none.
pub fn region_from_locale(locale: &str) -> Option<String> {
    let tag = locale.split(['.', '@']).next()?;
    let region = tag.split(['_', '-']).nth(1)?;
    (region.len() == 2 && region.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| region.to_ascii_uppercase())
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
        // The other address is kept in the note, not dropped.
        assert_eq!(
            ada.note.as_deref(),
            Some("Met in\nLondon\nOther email: ada@home.example")
        );
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

    fn encoded(label: &str, text: &str) -> Vec<u8> {
        let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{text} in {label}");
        bytes.into_owned()
    }

    fn qp(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("={b:02X}")).collect()
    }

    #[test]
    fn a_fold_inside_a_utf8_character_keeps_every_name_whole() {
        let name = "Ωμέγα Παπαδοπούλου".as_bytes();
        // The fold cuts the second byte of 'μ' from its first.
        let mut file = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:".to_vec();
        file.extend_from_slice(&name[..3]);
        file.extend_from_slice(b"\r\n ");
        file.extend_from_slice(&name[3..]);
        file.extend_from_slice(
            "\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jürgen Müller\r\nEND:VCARD\r\n"
                .as_bytes(),
        );
        let rows = cards_from_bytes(&file, None);
        assert_eq!(rows[0].as_ref().unwrap().full_name, "Ωμέγα Παπαδοπούλου");
        assert_eq!(rows[1].as_ref().unwrap().full_name, "Jürgen Müller");
    }

    #[test]
    fn each_property_is_decoded_by_its_own_charset() {
        let mut file = Vec::new();
        // Japanese phones write Shift_JIS in quoted-printable.
        file.extend_from_slice(
            b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:",
        );
        file.extend_from_slice(
            qp(&encoded("shift_jis", "山田;太郎"))
                .replace("=3B", ";")
                .as_bytes(),
        );
        file.extend_from_slice(b"\r\nORG;CHARSET=SHIFT_JIS:");
        file.extend_from_slice(&encoded("shift_jis", "株式会社テスト"));
        file.extend_from_slice(b"\r\nEND:VCARD\r\n");
        for (charset, name) in [
            ("ISO-8859-7", "Γιώργος Παπαδόπουλος"),
            ("windows-1255", "דוד כהן"),
            ("windows-1251", "Олександр Шевченко"),
            ("KOI8-U", "Ївга Ґалицька"),
        ] {
            file.extend_from_slice(
                format!("BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET={charset}:").as_bytes(),
            );
            file.extend_from_slice(&encoded(charset, name));
            file.extend_from_slice(b"\r\nEND:VCARD\r\n");
        }
        // A value without a charset in a file that is not UTF-8: the file's encoding.
        file.extend_from_slice(
            b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ren\xe9e Dubois\r\nEND:VCARD\r\n",
        );
        let names: Vec<String> = cards_from_bytes(&file, None)
            .into_iter()
            .map(|r| r.unwrap().full_name)
            .collect();
        assert_eq!(
            names,
            [
                "太郎 山田",
                "Γιώργος Παπαδόπουλος",
                "דוד כהן",
                "Олександр Шевченко",
                "Ївга Ґалицька",
                "Renée Dubois"
            ]
        );
        let rows = cards_from_bytes(&file, None);
        assert_eq!(
            value(rows[0].as_ref().unwrap(), LeadField::CompanyName).as_deref(),
            Some("株式会社テスト")
        );
    }

    #[test]
    fn a_nested_agent_card_belongs_to_its_parent() {
        let text = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ada Lovelace\r\nAGENT:\r\nBEGIN:VCARD\r\n\
            VERSION:2.1\r\nFN:Her Assistant\r\nTEL:+1 202 555 0199\r\nEND:VCARD\r\n\
            EMAIL;INTERNET:ada@engines.example\r\nEND:VCARD\r\n\
            BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Grace Hopper\r\nEND:VCARD\r\n";
        let rows = cards(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(count_cards(text), 2);
        let ada = rows[0].as_ref().unwrap();
        assert_eq!(ada.full_name, "Ada Lovelace");
        assert_eq!(
            value(ada, LeadField::Email).as_deref(),
            Some("ada@engines.example")
        );
        assert_eq!(value(ada, LeadField::Phone), None);
        assert_eq!(rows[1].as_ref().unwrap().full_name, "Grace Hopper");
    }

    #[test]
    fn display_name_emails_phone_fallback_trunk_zero_and_extensions() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEMAIL;TYPE=pref:\"Ada Lovelace\" <ada@engines.example>\n\
            TEL;TYPE=pref:n/a\nTEL;TYPE=work:+49 (0611) 123456\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:4.0\nFN:Grace\nTEL;VALUE=uri;TYPE=work:tel:+1-415-555-0100;ext=12\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:3.0\nFN:Linus\nTEL:+1 415 555 0100 x 7\nEND:VCARD\n";
        let rows = cards(text);
        let ada = rows[0].as_ref().unwrap();
        assert_eq!(
            value(ada, LeadField::Email).as_deref(),
            Some("ada@engines.example")
        );
        assert_eq!(
            value(ada, LeadField::Phone).as_deref(),
            Some("+49611123456")
        );
        assert_eq!(ada.warnings.len(), 1, "{:?}", ada.warnings);
        assert!(ada.warnings[0].contains("n/a"));
        assert_eq!(
            value(rows[1].as_ref().unwrap(), LeadField::Phone).as_deref(),
            Some("+14155550100 ext. 12")
        );
        assert_eq!(
            value(rows[2].as_ref().unwrap(), LeadField::Phone).as_deref(),
            Some("+14155550100 ext. 7")
        );
    }

    #[test]
    fn national_numbers_are_read_in_the_users_country() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:Jürgen\nTEL:0611 123456\nEND:VCARD\n";
        let germany = cards_from_bytes(text.as_bytes(), Some("DE"));
        assert_eq!(
            value(germany[0].as_ref().unwrap(), LeadField::Phone).as_deref(),
            Some("+49611123456")
        );
        let unknown = cards_from_bytes(text.as_bytes(), None);
        assert_eq!(
            value(unknown[0].as_ref().unwrap(), LeadField::Phone).as_deref(),
            Some("0611 123456")
        );
        assert_eq!(region_from_locale("de_DE.UTF-8").as_deref(), Some("DE"));
        assert_eq!(region_from_locale("en-GB").as_deref(), Some("GB"));
        assert_eq!(region_from_locale("sr_RS@latin").as_deref(), Some("RS"));
        assert_eq!(region_from_locale("C.UTF-8"), None);
        assert_eq!(region_from_locale("POSIX"), None);
    }

    #[test]
    fn escapes_follow_the_cards_version() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nNOTE:Files in C:\\temp\\data\\, and D:\\data; see \\x\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:2.1\nFN:Grace\nNOTE:Files in C:\\new folder\nORG:Navy\\; Labs;Research\nEND:VCARD\n";
        let rows = cards(text);
        let ada = rows[0].as_ref().unwrap();
        assert_eq!(
            ada.note.as_deref(),
            Some("Files in C:\\temp\\data, and D:\\data; see \\x")
        );
        let grace = rows[1].as_ref().unwrap();
        assert_eq!(grace.note.as_deref(), Some("Files in C:\\new folder"));
        assert_eq!(
            value(grace, LeadField::CompanyName).as_deref(),
            Some("Navy; Labs")
        );
    }

    #[test]
    fn a_card_with_only_an_organisation_is_imported_under_its_name() {
        let rows = cards(
            "BEGIN:VCARD\nVERSION:3.0\nORG:Acme GmbH;Sales\nURL:https://acme.example\nEND:VCARD\n",
        );
        let acme = rows[0].as_ref().unwrap();
        assert_eq!(acme.full_name, "Acme GmbH");
        assert_eq!(
            value(acme, LeadField::CompanyName).as_deref(),
            Some("Acme GmbH")
        );
        assert_eq!(acme.warnings.len(), 1);
        assert!(
            acme.warnings[0].contains("organisation's name"),
            "{:?}",
            acme.warnings
        );
    }
}
