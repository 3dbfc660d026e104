//! Bounded fuzzing of the import paths: random bytes and mutated real files go through
//! decoding, sniffing, mapping, row validation and the vCard reader. Nothing may panic, and
//! every row either imports or says why not. Deterministic (a fixed seed), so a failure is
//! reproducible; `LEADSCOUT_FUZZ_ROUNDS` runs longer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_import::{cards, decode, rows, sniff, suggest};

struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap()
    }
}

/// Bytes that matter to the parsers, more often than chance would give them.
const SPICE: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"|",
    b"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\0",
    b"BEGIN:VCARD\r\n",
    b"END:VCARD\r\n",
    b"=\r\n",
    b"=C3=A9",
    b"\\,",
    b"\\n",
    b";TYPE=WORK:",
    b"CHARSET=UTF-16:",
    b"ENCODING=QUOTED-PRINTABLE:",
    b"\xC3",
    b"\xE2\x82",
    b"@",
    b"http://",
    b"Email,Name\n",
    b" ",
    b"FN:",
    b"N:;;;;",
];

fn exercise(bytes: &[u8]) {
    let decoded = decode(bytes);
    if let Some(sniffed) = sniff(&decoded.text) {
        let mapping = suggest(&sniffed.headers);
        for row in rows(&decoded.text, &sniffed, &mapping) {
            if let Err(problem) = row {
                assert!(!problem.message.is_empty());
            }
        }
    }
    for card in cards(&decoded.text) {
        if let Err(problem) = card {
            assert!(!problem.message.is_empty());
        }
    }
}

fn mutate(g: &mut Gen, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..1 + g.below(8) {
        let at = g.below(out.len() + 1);
        match g.below(4) {
            0 => {
                let spice = SPICE[g.below(SPICE.len())];
                out.splice(at..at, spice.iter().copied());
            }
            1 if !out.is_empty() => {
                let end = (at + g.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            2 if at < out.len() => out[at] = u8::try_from(g.next() % 256).unwrap(),
            _ => {
                let chunk: Vec<u8> = (0..g.below(32))
                    .map(|_| u8::try_from(g.next() % 256).unwrap())
                    .collect();
                out.splice(at..at, chunk);
            }
        }
    }
    out
}

#[test]
fn random_and_mutated_files_never_panic() {
    let rounds: usize = std::env::var("LEADSCOUT_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1500);
    let mut g = Gen(0x5eed_1ead_5c07);
    let seeds: Vec<Vec<u8>> = vec![
        b"First Name,Last Name,Email,Company\nAda,Lovelace,ada@ae.example,Analytical Engines\n\"Hopper, Grace\",,grace@navy.example,\"US \"\"Navy\"\"\"\n".to_vec(),
        b"Notes:\n\"A preamble, with commas\"\n\nName;Mail;Phone\nRen\xe9e;r@x.example;+33 1 23\n".to_vec(),
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE:M=FCller;J=\r\nrgen\r\nTEL;WORK:+49 30 1\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\nEMAIL;PREF=1:ada@ae.example\r\nEND:VCARD\r\n".to_vec(),
        "Name\tEmail\n李雷\tli@example.cn\n🚀 Rocket\trocket@example.com\n".as_bytes().to_vec(),
    ];
    for round in 0..rounds {
        let bytes = if round % 4 == 0 {
            (0..g.below(2048))
                .map(|_| u8::try_from(g.next() % 256).unwrap())
                .collect()
        } else {
            let seed = &seeds[g.below(seeds.len())];
            mutate(&mut g, seed)
        };
        exercise(&bytes);
    }
}

#[test]
fn pathological_shapes_are_read_or_refused() {
    // One enormous field, an unclosed quote over the whole file, thousands of columns, and a
    // vCard whose every line is a continuation: each is read or refused.
    let huge_field = format!("Name,Notes\nAda,\"{}\"\n", "x".repeat(2_000_000));
    let unclosed = format!("Name,Email\n\"Ada,{}\n", "a@b.c\n".repeat(50_000));
    let wide = format!(
        "{}\n{}\n",
        (0..5_000)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(","),
        "v,".repeat(5_000)
    );
    let folded = format!("BEGIN:VCARD\nFN:Ada\n{}END:VCARD\n", " x\n".repeat(100_000));
    for text in [huge_field, unclosed, wide, folded] {
        exercise(text.as_bytes());
    }
}
