#!/usr/bin/env bash
# `make fuzz`: runs every fuzz target in fuzz/ for FUZZ_SECONDS (default 60) each, on nightly with
# cargo-fuzz (installed when missing). New inputs are kept in fuzz/target/corpus (not committed);
# a crash stops the run and leaves its input in fuzz/artifacts/<target>/. FUZZ_TARGETS limits the
# run to some targets ("csv urls").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

seconds="${FUZZ_SECONDS:-60}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked

# The dev profile (lightly optimised, see fuzz/Cargo.toml) and no sanitizer: the code under test
# forbids `unsafe`, so a panic is what a bug looks like, and the build stays short.
flags=(--dev --sanitizer none)
cargo +nightly fuzz build "${flags[@]}"
targets="${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}"
for target in $targets; do
  printf '\n\033[1m==> fuzz %s for %ss\033[0m\n' "$target" "$seconds"
  # The committed seeds are read, never written: new inputs go to a scratch corpus.
  scratch="fuzz/target/corpus/$target"
  mkdir -p "$scratch"
  cargo +nightly fuzz run "${flags[@]}" "$target" "$scratch" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1
done
