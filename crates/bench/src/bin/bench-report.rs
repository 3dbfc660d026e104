//! `bench-report RESULTS DOCUMENT`: writes the figures `make bench` collected in RESULTS (one
//! JSON record a line) into DOCUMENT (docs/benchmarks.md), replacing only the sections measured.

use std::process::ExitCode;

use leadscout_bench::report;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [results, document] = args.as_slice() else {
        eprintln!("usage: bench-report RESULTS.jsonl docs/benchmarks.md");
        return ExitCode::from(2);
    };
    let lines = match std::fs::read_to_string(results) {
        Ok(lines) => lines,
        Err(err) => {
            eprintln!("could not read the results {results}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let measured = match report::collect(&lines) {
        Ok(measured) if !measured.is_empty() => measured,
        Ok(_) => {
            eprintln!("{results} holds no figures: no benchmark reported anything");
            return ExitCode::FAILURE;
        }
        Err(err) => {
            eprintln!("{results}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let before = std::fs::read_to_string(document).unwrap_or_else(|_| "# Benchmarks\n".into());
    let after = report::rewrite(&before, &measured);
    // Written beside and renamed over, so an interrupted write never leaves half a document.
    let temporary = format!("{document}.tmp");
    if let Err(err) =
        std::fs::write(&temporary, after).and_then(|()| std::fs::rename(&temporary, document))
    {
        eprintln!("could not write {document}: {err}");
        return ExitCode::FAILURE;
    }
    let missed: Vec<String> = measured
        .iter()
        .flat_map(|(_, m)| m.figures.iter())
        .filter(|f| f.3 == Some(false))
        .map(|f| {
            format!(
                "{}: {} (goal {})",
                f.0,
                f.1,
                f.2.clone().unwrap_or_default()
            )
        })
        .collect();
    println!(
        "{document}: {} sections rewritten ({})",
        measured.len(),
        measured
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for line in &missed {
        println!("goal not met: {line}");
    }
    ExitCode::SUCCESS
}
