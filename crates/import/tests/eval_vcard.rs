//! The real vCards in ../shared/eval/vcard (Apple, Google, Outlook, Android, BlackBerry, Lotus
//! Notes, Evolution, Thunderbird, The Bat!, RFC examples, a UTF-16 file): every card is read
//! without a panic, and yields a person or a reason.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use leadscout_domain::{FieldValue, LeadField};
use leadscout_import::{cards, count_cards, decode};

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
        let text = decode(&std::fs::read(path).unwrap()).text;
        let rows = cards(&text);
        assert_eq!(rows.len(), count_cards(&text), "{}", path.display());
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
