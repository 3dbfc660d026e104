//! Contact details a page gives: `tel:` links decoded, phone numbers written in the text (read
//! with libphonenumber's data, the site's country as the hint for national numbers), plain and
//! lightly obfuscated email addresses ("name [at] acme [dot] com", "name(at)acme.com").

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use url::Url;

/// Phone candidates read per page: libphonenumber costs about 25 µs a number.
const MAX_PHONE_CANDIDATES: usize = 40;
/// Contacts kept per page and kind.
const MAX_PER_PAGE: usize = 20;

/// A run of digits with the separators phone numbers are written with, optionally after `+`.
static PHONE_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:\+|(?-u:\b)00|\()?\d[\d \u{a0}()./\-–]{5,22}\d(?-u:\b)").ok());

/// Words that say the number after them is a phone (or fax) number, in the languages of the
/// sites we read most.
static PHONE_LABEL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\b(?:tel|tél|phone|telephone|téléphone|telefon|telefono|teléfono|fon|call|mobile|mobil|cell|hotline|fax|telefax|ph)\b\.?|☎|📞)[^\d+\n]{0,12}$",
    )
    .ok()
});

static EMAIL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?)*\.[a-z]{2,24}(?-u:\b)").ok()
});

/// `name [at] acme [dot] com`, `name(at)acme.com`, `name {at} acme {dot} co {dot} uk`,
/// `name at acme dot com` (the bare-word form only with a bare-word dot).
static OBFUSCATED_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)([a-z0-9][a-z0-9._%+\-]{0,63})\s*(\[\s*(?:at|ät|@)\s*\]|\(\s*(?:at|ät|@)\s*\)|\{\s*(?:at|@)\s*\}|\s(?:at|AT)\s)\s*([a-z0-9][a-z0-9\-]{0,62}(?:\s*(?:\[\s*(?:dot|punkt|\.)\s*\]|\(\s*(?:dot|punkt|\.)\s*\)|\{\s*dot\s*\}|\s(?:dot|DOT)\s|\.)\s*[a-z0-9][a-z0-9\-]{0,62})+)",
    )
    .ok()
});

static DOT_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*(?:\[\s*(?:dot|punkt|\.)\s*\]|\(\s*(?:dot|punkt|\.)\s*\)|\{\s*dot\s*\}|\s(?:dot)\s|\.)\s*").ok()
});

/// The country a site's national phone numbers belong to: its country-code top-level domain,
/// else the region of its language (`de-AT` → AT), else none (only `+` numbers are read).
pub fn site_country(url: &Url, language: Option<&str>) -> Option<phonenumber::country::Id> {
    let host = url.host_str()?.to_ascii_lowercase();
    let tld = host.rsplit('.').next()?;
    let from_tld = match tld {
        "uk" => Some("GB"),
        // Two-letter domains sold as generic names say nothing of a country.
        t if t.len() == 2 && !["io", "ai", "co", "me", "tv", "fm", "ly", "gg"].contains(&t) => {
            Some(t)
        }
        _ => None,
    };
    let from_lang = language
        .and_then(|l| l.split(['-', '_']).nth(1))
        .filter(|r| r.len() == 2);
    from_tld
        .or(from_lang)
        .and_then(|c| c.to_ascii_uppercase().parse().ok())
}

/// A `tel:` link's number: percent-decoded, and read as a phone number; `None` when it is not
/// one (a press release's `tel:PR%20Newswire...`).
pub fn tel_number(href: &str, country: Option<phonenumber::country::Id>) -> Option<String> {
    let rest = href
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("tel:"))
        .map(|_| &href[4..])?;
    let decoded = percent_decode(rest);
    let number = decoded.split(';').next().unwrap_or("").trim();
    if number.chars().filter(char::is_ascii_digit).count() < 5 {
        return None;
    }
    if let Some(formatted) = parse_phone(number, country) {
        return Some(formatted);
    }
    // Not in libphonenumber's data (a new range, a short service number): kept as written when
    // it is made of phone characters only.
    let written = number.split_whitespace().collect::<Vec<_>>().join(" ");
    written
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().\u{a0}/".contains(c))
        .then_some(written)
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

/// A number valid by libphonenumber's data, in its international format (`+49 711 1234567`).
fn parse_phone(text: &str, country: Option<phonenumber::country::Id>) -> Option<String> {
    let international = text.trim_start().starts_with('+') || text.trim_start().starts_with("00");
    let text = match text.trim_start().strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => text.to_owned(),
    };
    let region = if international { None } else { Some(country?) };
    let number = phonenumber::parse(region, &text).ok()?;
    phonenumber::is_valid(&number).then(|| {
        number
            .format()
            .mode(phonenumber::Mode::International)
            .to_string()
    })
}

/// Phone numbers written in `text`: a number in international form anywhere, a national one
/// only right after a label ("Tel.", "Phone:", "Telefon", "☎") so dates, prices and order
/// numbers are not read as phones.
pub fn text_phones(text: &str, country: Option<phonenumber::country::Id>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let (Some(re), Some(label)) = (PHONE_RE.as_ref(), PHONE_LABEL_RE.as_ref()) else {
        return out;
    };
    for m in re.find_iter(text).take(MAX_PHONE_CANDIDATES) {
        let candidate = m.as_str().trim_end_matches(['-', '–', '/', '.', ' ']);
        let digits = candidate.chars().filter(char::is_ascii_digit).count();
        if !(7..=15).contains(&digits) {
            continue;
        }
        let mut from = m.start().saturating_sub(40);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let before = &text[from..m.start()];
        let labelled = label.is_match(before);
        let international = candidate.starts_with('+');
        if !labelled && !international {
            continue;
        }
        if let Some(number) = parse_phone(candidate, country) {
            out.insert(number);
            if out.len() >= MAX_PER_PAGE {
                break;
            }
        }
    }
    out
}

/// Email addresses written in `text`, plain or obfuscated, lower-cased.
pub fn text_emails(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(re) = EMAIL_RE.as_ref() {
        for m in re.find_iter(text).take(MAX_PER_PAGE) {
            let email = m.as_str().to_ascii_lowercase();
            // Image names such as `logo@2x.png` look like addresses.
            if ![".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"]
                .iter()
                .any(|ext| email.ends_with(ext))
            {
                out.insert(email);
            }
        }
    }
    let (Some(re), Some(dot)) = (OBFUSCATED_RE.as_ref(), DOT_RE.as_ref()) else {
        return out;
    };
    for caps in re.captures_iter(text).take(MAX_PER_PAGE) {
        let (Some(user), Some(at), Some(domain)) = (caps.get(1), caps.get(2), caps.get(3)) else {
            continue;
        };
        // "meet at noon. Look": the bare-word form needs a bare-word "dot" as well.
        let bare = !at.as_str().contains(['[', '(', '{']);
        if bare
            && !domain
                .as_str()
                .split_whitespace()
                .any(|w| w.eq_ignore_ascii_case("dot"))
        {
            continue;
        }
        let domain = dot.replace_all(domain.as_str(), ".").to_ascii_lowercase();
        let email = format!("{}@{domain}", user.as_str().to_ascii_lowercase());
        // The result must be an address; the top-level domain letters only.
        let valid = EMAIL_RE
            .as_ref()
            .and_then(|re| re.find(&email))
            .is_some_and(|m| m.as_str().len() == email.len());
        if valid && domain.contains('.') {
            out.insert(email);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(c: &str) -> Option<phonenumber::country::Id> {
        c.parse().ok()
    }

    #[test]
    fn tel_links_are_decoded_and_must_be_numbers() {
        assert_eq!(
            tel_number("tel:%2B49%20711%20123456", None).as_deref(),
            Some("+49 711 123456")
        );
        assert_eq!(
            tel_number("tel:(408)%20714-1489", id("US")).as_deref(),
            Some("+1 408-714-1489")
        );
        assert_eq!(
            tel_number("TEL:+1 415 555 0100", None).as_deref(),
            Some("+1 415-555-0100")
        );
        assert_eq!(
            tel_number("tel:PR%20Newswire%20%2B1-888-776-0942x", None),
            None
        );
        assert_eq!(tel_number("tel:123", None), None);
    }

    #[test]
    fn phones_in_text_need_a_label_or_the_international_form() {
        let text = "Impressum\nAcme GmbH, Hauptstraße 5, 70173 Stuttgart\nTel.: 0711 / 123 456 78\n\
                    Fax 0711 12345679\nOrder 2015-06-08 12:00, invoice 4711 0815 12\nOffice: +44 20 7946 0958";
        let phones = text_phones(text, id("DE"));
        let got: Vec<&str> = phones.iter().map(String::as_str).collect();
        assert_eq!(
            got,
            ["+44 20 7946 0958", "+49 711 12345678", "+49 711 12345679"]
        );
        // Without a country, a national number cannot be read.
        assert_eq!(text_phones("Tel.: 0711 / 123 456 78", None).len(), 0);
    }

    #[test]
    fn obfuscated_and_plain_emails_are_read() {
        let text = "Write to jane [at] acme [dot] com or sales(at)acme.co.uk, \
                    press {at} acme {dot} de, hello at acme dot io, info@acme.example.\n\
                    Logo: logo@2x.png. We meet at noon. Look at this.";
        let got: Vec<String> = text_emails(text).into_iter().collect();
        assert_eq!(
            got,
            [
                "hello@acme.io",
                "info@acme.example",
                "jane@acme.com",
                "press@acme.de",
                "sales@acme.co.uk"
            ]
        );
    }

    #[test]
    fn the_site_country_comes_from_the_domain_or_the_language() {
        let url = |u: &str| Url::parse(u).unwrap();
        assert_eq!(site_country(&url("https://acme.de/"), None), id("DE"));
        assert_eq!(site_country(&url("https://acme.co.uk/"), None), id("GB"));
        assert_eq!(
            site_country(&url("https://acme.com/"), Some("en-US")),
            id("US")
        );
        assert_eq!(site_country(&url("https://acme.io/"), Some("en")), None);
    }
}
