# Leadscout. The two commands a newcomer needs are `make run` and `make test`; both install
# whatever is missing first.

.PHONY: run test deps bundle bundle-check bindings dev fmt clean soak fuzz bench eval-model

run:  ## Build the UI and start the app (compiles Tauri once without the tests' mock runtime)
	@scripts/run.sh

test:  ## Every check and test: fmt, clippy, Rust tests, svelte-check, eslint, prettier, vitest, end to end
	@scripts/test.sh

soak:  ## At scale: 200 companies with 30% of model calls failing, then 200 leads in the real app SIGKILLed 10 times (make test runs both smaller)
	@scripts/deps.sh test
	LEADSCOUT_FAULT_LEADS=200 cargo test -p leadscout-research --test faults -- --nocapture
	LEADSCOUT_SOAK_LEADS=200 LEADSCOUT_SOAK_KILLS=10 cargo test --test crash research_under -- --nocapture

bench:  ## Every benchmark (release builds; BENCHES="store-board render" for some), figures written into docs/benchmarks.md
	@scripts/bench.sh

eval-model:  ## Lead research with a real local model (Gemma 3 270M in llama.cpp, built once into target/llama), figures into docs/benchmarks.md; LEADSCOUT_EVAL_SITES=N for fewer sites
	@scripts/eval-model.sh

deps:  ## Install what building and testing need, and nothing that is already there
	@scripts/deps.sh test

bundle:  ## Build the installers, .deb and .rpm (release build, 15-30 minutes), into target/release/bundle/
	@scripts/deps.sh bundle
	npx --yes @tauri-apps/cli@2.12.5 build --bundles deb,rpm
	@scripts/repack-deb.sh

bundle-check: bundle  ## Build the installers, then check them as a user gets them: package contents, lintian, and the unpacked app under Xvfb (not part of `make test`)
	@scripts/bundle-check.sh

bindings:  ## Regenerate ui/src/ipc/bindings.ts from the Rust command signatures
	LEADSCOUT_UPDATE_BINDINGS=1 cargo test --quiet --test bindings

dev:  ## Hot-reloading UI against the Rust backend
	@scripts/deps.sh run
	npx --yes @tauri-apps/cli@2.12.5 dev --config tauri.dev.conf.json

fmt:  ## Format the Rust code
	cargo fmt --all

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules

fuzz:  ## Every fuzz target for FUZZ_SECONDS each (default 60; nightly and cargo-fuzz are installed)
	@scripts/fuzz.sh
