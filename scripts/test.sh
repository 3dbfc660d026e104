#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every check and every test, keeps going past
# failures so one run shows all of them, and ends with a single `N passed, N failed` line.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

logs="$root/target/test-logs"
mkdir -p "$logs"
passed=0
failed=0
failures=()

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# A check counts as one test: it passes or it fails.
check() {
  local name="$1"; shift
  step "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

scripts/deps.sh test || { echo "0 passed, 1 failed"; exit 1; }

check "cargo fmt --check" cargo fmt --all --check
check "ui build" bash -c 'cd ui && npm run --silent build'
check "cargo clippy" cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --workspace --no-fail-fast 2>&1 | tee "$logs/cargo-test.log"
cargo_status=${PIPESTATUS[0]}
read -r cargo_passed cargo_failed < <(
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
       END { print p + 0, f + 0 }' "$logs/cargo-test.log")
passed=$((passed + cargo_passed))
failed=$((failed + cargo_failed))
if ((cargo_failed > 0)); then
  failures+=("cargo test: $cargo_failed failed")
elif ((cargo_status != 0)); then
  # It did not get as far as running every test (a compile error, a crashed test binary).
  failed=$((failed + 1))
  failures+=("cargo test exited with status $cargo_status")
fi

check "svelte-check" bash -c 'cd ui && npm run --silent check'
check "eslint" bash -c 'cd ui && npm run --silent lint'
check "prettier --check" bash -c 'cd ui && npm run --silent format:check'

step "vitest"
(cd ui && npx vitest run --reporter=default --reporter=json --outputFile.json="$logs/vitest.json")
vitest_status=$?
if [[ -f "$logs/vitest.json" ]]; then
  read -r ui_passed ui_failed < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests);' "$logs/vitest.json")
  rm -f "$logs/vitest.json"
else
  ui_passed=0 ui_failed=0
fi
passed=$((passed + ui_passed))
failed=$((failed + ui_failed))
if ((ui_failed > 0)); then
  failures+=("vitest: $ui_failed failed")
elif ((vitest_status != 0)); then
  failed=$((failed + 1))
  failures+=("vitest exited with status $vitest_status")
fi

echo
if ((cargo_failed > 0)); then
  # Why each Rust test failed, repeated here at the end where a CI log's tail shows it: the
  # `---- name stdout ----` blocks cargo prints, without the interleaved log lines of apps.
  step "why the Rust tests failed"
  awk '/^---- .* stdout ----$/ { show = 1; lines = 0 }
       /^failures:$/ { show = 0 }
       show && !/ (INFO|DEBUG|TRACE) / && lines < 40 { print; lines++ }' "$logs/cargo-test.log"
fi
if ((${#failures[@]} > 0)); then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
((failed == 0))
