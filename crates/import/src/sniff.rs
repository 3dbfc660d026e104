//! Bytes to text, and the shape of the text: delimiter, preamble, header.

use serde::{Deserialize, Serialize};
use specta::Type;

/// The file as text, and the encoding it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// `UTF-8`, `UTF-16LE`, `UTF-16BE` or `windows-1252`.
    pub encoding: &'static str,
}

/// A byte-order mark decides; else valid UTF-8 is UTF-8; else the bytes are Windows-1252 (what
/// Excel on Windows writes by default). UTF-16 without a BOM is recognised by its NUL bytes.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return Decoded {
            text: text.into_owned(),
            encoding: encoding.name(),
        };
    }
    let head = &bytes[..bytes.len().min(4096)];
    let zeros_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    if head.len() >= 4 && zeros_at(1) > head.len() / 4 && zeros_at(0) == 0 {
        let (text, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(bytes);
        return Decoded {
            text: text.into_owned(),
            encoding: "UTF-16LE",
        };
    }
    if head.len() >= 4 && zeros_at(0) > head.len() / 4 && zeros_at(1) == 0 {
        let (text, _) = encoding_rs::UTF_16BE.decode_without_bom_handling(bytes);
        return Decoded {
            text: text.into_owned(),
            encoding: "UTF-16BE",
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: text.to_owned(),
            encoding: "UTF-8",
        },
        Err(_) => Decoded {
            text: encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            encoding: "windows-1252",
        },
    }
}

/// The encoding of a file from its first bytes (see [`decode`] for the rules). A multi-byte
/// character cut at the end of `head` does not make UTF-8 invalid.
pub fn encoding_of(head: &[u8]) -> &'static encoding_rs::Encoding {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(head) {
        return encoding;
    }
    let probe = &head[..head.len().min(4096)];
    let zeros_at = |parity: usize| {
        probe
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    if probe.len() >= 4 && zeros_at(1) > probe.len() / 4 && zeros_at(0) == 0 {
        return encoding_rs::UTF_16LE;
    }
    if probe.len() >= 4 && zeros_at(0) > probe.len() / 4 && zeros_at(1) == 0 {
        return encoding_rs::UTF_16BE;
    }
    match std::str::from_utf8(head) {
        Ok(_) => encoding_rs::UTF_8,
        Err(e) if e.error_len().is_none() => encoding_rs::UTF_8,
        Err(_) => encoding_rs::WINDOWS_1252,
    }
}

/// What the file looks like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Sniffed {
    pub delimiter: u8,
    /// Lines before the header (LinkedIn puts notes there), 0 for most files.
    pub header_line: usize,
    pub headers: Vec<String>,
    /// Lines end in CRLF (the CSV reader counts lines one short after those).
    #[serde(default)]
    pub crlf: bool,
    /// Lines end in a bare CR (Excel's "CSV (Macintosh)"): read as if they ended in LF, so
    /// rows are counted line by line.
    #[serde(default)]
    pub cr_only: bool,
}

/// Turns every CR into LF when `on` (for CR-only files, which hold no LF), else passes bytes
/// through.
pub(crate) struct CrToLf<R> {
    inner: R,
    on: bool,
}

impl<R> CrToLf<R> {
    pub(crate) fn new(inner: R, on: bool) -> Self {
        CrToLf { inner, on }
    }
}

impl<R: std::io::Read> std::io::Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.on {
            for b in &mut buf[..n] {
                if *b == b'\r' {
                    *b = b'\n';
                }
            }
        }
        Ok(n)
    }
}

/// A bare CR ends lines here: there are CRs and no LF at all.
fn is_cr_only(text: &str) -> bool {
    text.contains('\r') && !text.contains('\n')
}

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Records of the first lines of `text` read with `delimiter`: their field counts.
fn field_counts(text: &str, delimiter: u8, limit: usize) -> Vec<usize> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .take(limit)
        .map_while(Result::ok)
        .map(|r| r.len())
        .collect()
}

/// Finds the delimiter and the header line: the first line (of the first 20) after which records
/// have a steady number of fields, at least two, with the delimiter that makes that steadiest.
/// `None` for text that is not a table.
pub fn sniff(text: &str) -> Option<Sniffed> {
    if is_cr_only(text) {
        let mut sniffed = sniff(&text.replace('\r', "\n"))?;
        sniffed.cr_only = true;
        return Some(sniffed);
    }
    let lines: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|i| *i < text.len())
        .take(20)
        .collect();
    let mut best: Option<(usize, u8, usize, usize)> = None; // (score, delimiter, line, start)
    for (line, start) in lines.iter().enumerate() {
        let rest = &text[*start..];
        if rest.lines().next().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        for delimiter in DELIMITERS {
            let counts = field_counts(rest, delimiter, 50);
            let Some(&width) = counts.first() else {
                continue;
            };
            if width < 2 {
                continue;
            }
            // Rows under a header have its width, give or take a trailing delimiter.
            let rows = &counts[1..];
            let near = rows.iter().filter(|c| c.abs_diff(width) <= 1).count();
            if !rows.is_empty() && near * 2 < rows.len() {
                continue;
            }
            let score = near * 100 + width;
            if best.is_none_or(|(s, ..)| score > s) {
                best = Some((score, delimiter, line, *start));
            }
        }
        // The first line that works is the header; later lines only start sub-tables.
        if best.is_some_and(|(_, _, l, _)| l == line) {
            break;
        }
    }
    let (_, delimiter, header_line, start) = best?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text.as_bytes()[start..]);
    let headers = reader
        .records()
        .next()?
        .ok()?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    // The header's own line ending (a preamble may end its lines differently).
    let crlf = text[start..]
        .find('\n')
        .is_some_and(|i| i > 0 && text.as_bytes()[start + i - 1] == b'\r');
    Some(Sniffed {
        delimiter,
        header_line,
        headers,
        crlf,
        cr_only: false,
    })
}

/// The text from the header line on.
pub(crate) fn body<'a>(text: &'a str, sniffed: &Sniffed) -> &'a str {
    let mut start = 0;
    let newline = if sniffed.cr_only { '\r' } else { '\n' };
    for _ in 0..sniffed.header_line {
        match text[start..].find(newline) {
            Some(i) => start += i + 1,
            None => return "",
        }
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_told_apart() {
        assert_eq!(decode(b"Name\nAda\n").encoding, "UTF-8");
        assert_eq!(decode(b"\xEF\xBB\xBFName\n").text, "Name\n");
        assert_eq!(decode(b"Caf\xe9\n").text, "Café\n");
        let utf16: Vec<u8> = "Name,Email\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let d = decode(&utf16);
        assert_eq!((d.text.as_str(), d.encoding), ("Name,Email\n", "UTF-16LE"));
    }

    #[test]
    fn row_lines_count_from_the_top_of_the_file() {
        let text = "Notes:\nName,Email\r\nAda,a@b.example\r\n,\r\n,\r\nGrace,\r\n";
        let s = sniff(text).unwrap();
        assert_eq!(s.header_line, 1);
        let mapping = crate::suggest(&s.headers);
        let lines: Vec<u64> = crate::rows(text, &s, &mapping)
            .map(|r| r.map_or_else(|p| p.line, |r| r.line))
            .collect();
        assert_eq!(lines, [3, 6]);
        let streamed: Vec<u64> =
            crate::rows_from_reader(text.as_bytes(), encoding_rs::UTF_8, &s, &mapping)
                .map(|r| r.map_or_else(|p| p.line, |r| r.line))
                .collect();
        assert_eq!(streamed, [3, 6]);
    }

    #[test]
    fn delimiter_and_preamble_are_found() {
        let s = sniff("Notes:\n\"Some words, with a comma\"\n\nFirst Name;Last Name;Email\nAda;Lovelace;a@b.c\nGrace;Hopper;g@h.i\n").unwrap();
        assert_eq!(s.delimiter, b';');
        assert_eq!(s.header_line, 3);
        assert_eq!(s.headers, ["First Name", "Last Name", "Email"]);
        let tabs = sniff("a\tb\tc\n1\t2\t3\n").unwrap();
        assert_eq!(tabs.delimiter, b'\t');
        assert!(sniff("just one column\nand another line\n").is_none());
        assert!(sniff("").is_none());
    }
}
