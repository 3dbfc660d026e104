#!/usr/bin/env bash
# Installs what Leadscout needs and is missing, and nothing else.
#   scripts/deps.sh run    what building and running the app needs
#   scripts/deps.sh test   that, plus what the test suite needs (Xvfb, WebDriver, D-Bus, keyring)
#   scripts/deps.sh bundle that, plus what `make bundle` builds packages and `make bundle-check`
#                          inspects them with
set -euo pipefail

mode="${1:-run}"
root="$(cd "$(dirname "$0")/.." && pwd)"
prereq_url="https://v2.tauri.app/start/prerequisites/"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

run_packages=(build-essential pkg-config curl ca-certificates libwebkit2gtk-4.1-dev libdbus-1-dev
  # The system tray (tauri tray-icon loads it at run time; without it the app has no tray).
  libayatana-appindicator3-1)
test_packages=(xvfb xauth webkit2gtk-driver dbus dbus-daemon gnome-keyring)
bundle_packages=(lintian appstream dpkg-dev rpm
  # The Tauri bundler finds the tray library through pkg-config to declare it in the packages;
  # without its .pc file `tauri build` stops with "Can't detect any appindicator library".
  libayatana-appindicator3-dev)

install_system_packages() {
  local wanted=("${run_packages[@]}")
  [[ "$mode" == test || "$mode" == bundle ]] && wanted+=("${test_packages[@]}")
  [[ "$mode" == bundle ]] && wanted+=("${bundle_packages[@]}")

  case "$(uname -s)" in
    Linux) ;;
    Darwin)
      if [[ "$mode" != run ]]; then
        die "the end-to-end tests drive the app through tauri-driver, which supports Linux and Windows only. Run \`make test\` on Linux (a Debian or Ubuntu VM works)."
      fi
      say "macOS: Leadscout needs Xcode's command line tools, Rust and Node.js 20.19+; see $prereq_url"
      return ;;
    *)
      die "this script sets up Debian and Ubuntu. On $(uname -s), install the Tauri prerequisites ($prereq_url), Rust and Node.js 20.19+, then run \`cargo run\` after \`npm --prefix ui ci && npm --prefix ui run build\`." ;;
  esac

  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    say "not a Debian-based system: install the equivalents of ${wanted[*]} yourself ($prereq_url)"
    pkg-config --exists webkit2gtk-4.1 2>/dev/null \
      || die "WebKitGTK 4.1 development files are missing; see $prereq_url"
    return
  fi

  local missing=()
  for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  ((${#missing[@]} == 0)) && return

  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null || die "missing packages (${missing[*]}) and no sudo to install them"
    sudo=(sudo)
  fi
  say "installing system packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

check_toolchains() {
  command -v cargo >/dev/null \
    || die "Rust is not installed. Install it from https://rustup.rs (see $prereq_url), then run this again."
  command -v node >/dev/null && command -v npm >/dev/null \
    || die "Node.js is not installed. Install Node.js 20.19 or newer (https://nodejs.org), then run this again."
  local node_version major minor
  node_version="$(node --version)"
  IFS=. read -r major minor _ <<<"${node_version#v}"
  if ((major < 20 || (major == 20 && minor < 19))); then
    die "Node.js $node_version is too old for the UI toolchain (Vite 8); install 20.19 or newer."
  fi
}

install_ui_packages() {
  local stamp="$root/ui/node_modules/.package-lock.json"
  if [[ ! -f "$stamp" || "$root/ui/package-lock.json" -nt "$stamp" ]]; then
    say "installing UI packages (npm ci)"
    (cd "$root/ui" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

install_test_tools() {
  [[ "$mode" == test || "$mode" == bundle ]] || return 0
  if command -v rustup >/dev/null; then
    local component
    for component in rustfmt clippy; do
      if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
        say "installing the Rust $component component"
        rustup component add "$component"
      fi
    done
  fi
  if ! command -v tauri-driver >/dev/null && [[ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]]; then
    say "installing tauri-driver (WebDriver bridge for the end-to-end tests)"
    cargo install tauri-driver --locked --version '^2' --quiet
  fi
}

install_system_packages
check_toolchains
install_ui_packages
install_test_tools
