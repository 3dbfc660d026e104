//! The real vCards in ../shared/eval/vcard (Apple, Google, Outlook, Android, BlackBerry, Lotus
//! Notes, Evolution, Thunderbird, The Bat!, RFC examples, a UTF-16 file): every card is read
//! without a panic, and yields a person or a reason.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use leadscout_domain::{FieldValue, LeadField};
use leadscout_import::{cards, cards_from_bytes, decode};

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "vcf") {
            out.push(path);
        }
    }
}

#[test]
fn real_vcards_are_read() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/vcard");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    if paths.is_empty() {
        println!("../shared/eval/vcard is not here: skipping the real-vCard check");
        return;
    }
    paths.sort();
    let (mut total, mut people) = (0, 0);
    let mut outlook = None;
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let rows = cards_from_bytes(&bytes, None);
        for row in &rows {
            total += 1;
            match row {
                Ok(_) => people += 1,
                Err(problem) => assert!(!problem.message.is_empty()),
            }
        }
        if path.ends_with("vendor-exports/John_Doe_MS_OUTLOOK.vcf") {
            outlook = rows.into_iter().next().and_then(Result::ok);
        }
    }
    println!("{} files, {total} cards, {people} people", paths.len());
    assert!(total >= 30, "{total} cards");
    assert!(
        people * 10 >= total * 9,
        "{people} of {total} cards read as people"
    );

    let john = outlook.expect("the Outlook card");
    assert_eq!(john.full_name, "Mr. John Richter James Doe Sr.");
    let field = |f: LeadField| {
        john.values.iter().find_map(|v| match v {
            FieldValue::Text(x, t) if *x == f => t.clone(),
            _ => None,
        })
    };
    assert_eq!(field(LeadField::Email).as_deref(), Some("john.doe@ibm.cm"));
    assert_eq!(field(LeadField::CompanyName).as_deref(), Some("IBM"));
    assert_eq!(field(LeadField::Title).as_deref(), Some("Money Counter"));
    assert_eq!(field(LeadField::Phone).as_deref(), Some("(905) 555-1234"));
}

/// calcard (Apache-2.0 OR MIT, see ../shared/eval/LICENSES) normalises each input file to clean
/// UTF-8 in `*.vcf.out`: every card's name read from the original bytes, whatever its charset,
/// folding and encoding, must be the name read from that normalised copy.
#[test]
fn names_match_calcards_normalised_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/vcard");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    if paths.is_empty() {
        println!("../shared/eval/vcard is not here: skipping the calcard comparison");
        return;
    }
    paths.sort();
    let (mut compared, mut mismatches) = (0, Vec::new());
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let stem = name.trim_end_matches(".vcf");
        let expected = ["vcf.out", "expected.calcard.vcf.out"]
            .iter()
            .map(|ext| path.with_file_name(format!("{stem}.{ext}")))
            .find(|p| p.exists());
        let Some(expected) = expected else { continue };
        let names = |rows: Vec<Result<leadscout_import::Row, leadscout_import::RowProblem>>| {
            rows.into_iter()
                .map(|r| r.ok().map(|r| r.full_name))
                .collect::<Vec<_>>()
        };
        let ours = names(cards_from_bytes(&std::fs::read(path).unwrap(), None));
        let theirs = names(cards(&decode(&std::fs::read(&expected).unwrap()).text));
        compared += ours.len();
        if ours != theirs {
            mismatches.push(format!("{name}: {ours:?} != {theirs:?}"));
        }
    }
    println!("{compared} cards compared with calcard's output");
    assert!(compared >= 30, "{compared}");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
