//! The real exports in ../shared/eval/csv: every file is decoded in the right encoding, its
//! delimiter, preamble and columns found as the eval's report says, and every data row read
//! (imported or explained), with the preset that fits where there is one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use leadscout_import::{
    decode, encoding_of, rows, rows_from_reader, sniff, suggest, Row, RowProblem,
};
use serde_json::Value;

#[test]
fn real_exports_are_read_as_their_report_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval");
    let Ok(report) = std::fs::read_to_string(root.join("csv/CSV_REPORT.json")) else {
        println!("../shared/eval/csv is not here: skipping the real-export check");
        return;
    };
    let report: Vec<Value> = serde_json::from_str(&report).unwrap();
    let mut summary = Vec::new();
    for entry in &report {
        let file = entry["file"].as_str().unwrap();
        let bytes = std::fs::read(root.join(file)).unwrap();
        let decoded = decode(&bytes);
        let expected_encoding = entry["encoding"].as_str().unwrap();
        let family_ok = match decoded.encoding {
            "UTF-8" => expected_encoding.starts_with("UTF-8") || expected_encoding == "ASCII",
            "UTF-16LE" => expected_encoding.contains("UTF-16"),
            "windows-1252" => expected_encoding.contains("1252"),
            _ => false,
        };
        assert!(
            family_ok,
            "{file}: read as {} but it is {expected_encoding}",
            decoded.encoding
        );
        assert!(
            !decoded.text.starts_with('\u{feff}'),
            "{file}: BOM left in the text"
        );

        let sniffed = sniff(&decoded.text).unwrap_or_else(|| panic!("{file}: not seen as a table"));
        assert_eq!(
            sniffed.headers.len() as u64,
            entry["columns"].as_u64().unwrap(),
            "{file}: columns"
        );
        assert_eq!(
            sniffed.header_line as u64,
            entry["preamble_lines"].as_u64().unwrap(),
            "{file}: preamble lines"
        );
        let mapping = suggest(&sniffed.headers);
        // Streaming gives exactly what reading the whole text gives.
        let whole: Vec<Result<Row, RowProblem>> = rows(&decoded.text, &sniffed, &mapping).collect();
        let streamed: Vec<Result<Row, RowProblem>> =
            rows_from_reader(&bytes[..], encoding_of(&bytes), &sniffed, &mapping).collect();
        assert_eq!(whole, streamed, "{file}: streamed rows differ");
        let (mut ok, mut refused, mut warned) = (0u64, Vec::new(), 0usize);
        for row in rows(&decoded.text, &sniffed, &mapping) {
            match row {
                Ok(row) => {
                    ok += 1;
                    warned += row.warnings.len();
                }
                Err(problem) => refused.push(problem),
            }
        }
        assert_eq!(
            ok + refused.len() as u64,
            entry["data_rows"].as_u64().unwrap(),
            "{file}: data rows ({refused:?})"
        );
        for problem in &refused {
            assert!(
                !problem.message.is_empty() && problem.line > 0,
                "{file}: {problem:?}"
            );
        }
        summary.push(format!(
            "{file}: {} {:?}, preset {:?}, {ok} ok ({warned} values left out), {} refused {:?}",
            decoded.encoding,
            sniffed.delimiter as char,
            mapping.preset,
            refused.len(),
            refused
                .iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
        ));
    }
    println!("{}", summary.join("\n"));
    // Every file with people in it yields people; the only refusals are rows without a name
    // or email (the encoding samples have neither).
    for line in &summary {
        let people_file = !line.contains("/encoding/") && !line.contains("HEADER-ONLY");
        if people_file {
            assert!(!line.contains(" 0 ok"), "{line}");
        }
    }
}
