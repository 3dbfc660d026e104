#!/usr/bin/env bash
# `make bench`: every benchmark, one after another, then their figures written into
# docs/benchmarks.md with the machine, date and goal (only the sections that ran are replaced).
# BENCHES="store-board render" runs some of them. Release builds: the first run compiles for a
# while. Close other work first: the figures are only as quiet as the machine.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

all="store-board store-search store-reports engine extract quality tokens import render render-small"
selected="${BENCHES:-$all}"
for name in $selected; do
  [[ " $all " == *" $name "* ]] || { echo "unknown benchmark '$name' (known: $all)"; exit 2; }
done

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

scripts/deps.sh test || exit 1
# The app embeds the built UI; the rendering benchmark must see the current one.
step "ui build"
(cd ui && npm run --silent build) || exit 1

results="$root/target/bench-results.jsonl"
mkdir -p "$root/target"
rm -f "$results"
export LEADSCOUT_BENCH_RESULTS="$results"
read -r load _ < /proc/loadavg
echo "load average before the first benchmark: $load (each section records its own)"

failed=()
for name in $selected; do
  step "$name"
  case "$name" in
    store-board) cargo bench -p leadscout-store --bench store -- board ;;
    store-search) cargo bench -p leadscout-store --bench store -- search ;;
    store-reports) cargo bench -p leadscout-store --bench reports ;;
    engine) cargo bench -p leadscout-workflow --bench engine ;;
    extract) cargo bench -p leadscout-research --bench extract ;;
    quality) cargo bench -p leadscout-research --bench quality ;;
    tokens) cargo bench -p leadscout-research --bench tokens ;;
    import) cargo bench -p leadscout-import --bench import ;;
    # The feature the installer is built with: the UI served from the binary, the release CSP.
    render) cargo bench --bench board_render --features custom-protocol ;;
    render-small) LEADSCOUT_BENCH_LEADS=400 cargo bench --bench board_render --features custom-protocol ;;
  esac || failed+=("$name")
done

step "docs/benchmarks.md"
if [[ -s "$results" ]]; then
  cargo run --quiet -p leadscout-bench --bin bench-report -- "$results" docs/benchmarks.md || failed+=("bench-report")
else
  echo "no benchmark reported a figure; docs/benchmarks.md is unchanged"
fi
if ((${#failed[@]} > 0)); then
  echo "failed: ${failed[*]} (their sections in docs/benchmarks.md keep the earlier figures)"
  exit 1
fi
