#!/usr/bin/env bash
# `make eval-model`: lead research with a real local model. Builds llama.cpp's llama-server and
# assembles the Gemma 3 270M GGUF once (scripts/llama-server.sh, cached under target/llama),
# serves the model on 127.0.0.1 with Gemma 3's chat template (the GGUF carries none), and runs
# crates/research/examples/eval_model.rs over every saved page under ../shared/eval/pages and
# the research fixtures; its figures replace the `eval-model` block of docs/benchmarks.md.
# LEADSCOUT_EVAL_SITES=5 researches only the first five sites; LEADSCOUT_EVAL_MINUTES=30 starts no
# new site after 30 minutes; LEADSCOUT_EVAL_ONLY=acme,fairkom researches only the sites whose names
# hold one of those; LEADSCOUT_EVAL_THREADS sets the server's threads (default 2; try 1 on a
# machine busy with other work, where two threads keep waiting for each other). Not part of
# `make test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

eval "$(scripts/llama-server.sh)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$root/target/llama/server.log"
echo "serving $(basename "$MODEL") on 127.0.0.1:$port (log: $log)"
"$SERVER" -m "$MODEL" --host 127.0.0.1 --port "$port" -c 8192 -np 1 -t "${LEADSCOUT_EVAL_THREADS:-2}" \
    --jinja --chat-template-file scripts/gemma3.jinja >"$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "llama-server exited while loading the model; see $log" >&2
        exit 1
    fi
    sleep 1
done
curl -fs "http://127.0.0.1:$port/health" >/dev/null || { echo "llama-server did not become ready in 120 s; see $log" >&2; exit 1; }

results="$root/target/eval-model-results.jsonl"
rm -f "$results"
LEADSCOUT_BENCH_RESULTS="$results" \
LEADSCOUT_EVAL_BASE_URL="http://127.0.0.1:$port/v1" \
LEADSCOUT_EVAL_MODEL="gemma-3-270m" \
    cargo run --quiet -p leadscout-research --example eval_model
cargo run --quiet -p leadscout-bench --bin bench-report -- "$results" docs/benchmarks.md
