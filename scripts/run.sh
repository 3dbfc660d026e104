#!/usr/bin/env bash
# `make run`: install what is missing, build the UI, start the app.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

scripts/deps.sh run

if [[ "$(uname -s)" == Linux && -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "error: no graphical session (DISPLAY and WAYLAND_DISPLAY are unset). Leadscout is a desktop" >&2
  echo "app: run it from your desktop, or headless with: xvfb-run make run" >&2
  exit 1
fi

(cd ui && npm run --silent build)
exec cargo run --quiet -- "$@"
