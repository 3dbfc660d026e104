#!/usr/bin/env bash
# `make bundle-check` (after `make bundle`): the installers as a user gets them. Unpacks the .deb
# into a temporary root and checks the package (size budget, Depends against what the binary
# links, Recommends, AppStream metainfo, icons, lintian), looks into the .rpm, then starts the
# unpacked binary under Xvfb with a fresh data folder over WebDriver: it must reach an interactive
# board and quit cleanly (tests/bundle.rs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf 'bundle-check: %s\n' "$*" >&2; exit 1; }

# The .deb must stay under this (issue 24); it was 15.7 MiB before the release profile.
max_deb_bytes=$((10 * 1024 * 1024))

for tool in dpkg-deb dpkg-shlibdeps lintian rpm; do
  command -v "$tool" >/dev/null || fail "$tool is missing; \`scripts/deps.sh bundle\` installs it."
done

target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
bundle="$target/release/bundle"
version="$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')"
deb="$bundle/deb/Leadscout_${version}_amd64.deb"
rpm_file="$bundle/rpm/Leadscout-${version}-1.x86_64.rpm"
[[ -f "$deb" ]] || fail "no $deb; run \`make bundle\` first."
[[ -f "$rpm_file" ]] || fail "no $rpm_file; run \`make bundle\` first."

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
unpacked="$tmp/root"
binary="$unpacked/usr/bin/leadscout"

step "size"
deb_bytes="$(stat -c %s "$deb")"
dpkg-deb -x "$deb" "$unpacked"
[[ -x "$binary" ]] || fail "the .deb has no executable usr/bin/leadscout"
awk -v name="$(basename "$deb")" -v deb="$deb_bytes" -v bin="$(stat -c %s "$binary")" \
  'BEGIN { printf "%s: %.1f MiB; the binary in it: %.1f MB\n", name, deb / 1048576, bin / 1000000 }'
((deb_bytes < max_deb_bytes)) || fail "the .deb is $deb_bytes bytes, over the 10 MiB budget"
if file "$binary" | grep -q "not stripped"; then
  fail "the binary still has its symbol table (the release profile strips it)"
fi

step "Depends covers every library the binary links"
depends="$(dpkg-deb -f "$deb" Depends)"
recommends="$(dpkg-deb -f "$deb" Recommends)"
echo "Depends: $depends"
echo "Recommends: $recommends"
mkdir -p "$tmp/shlibs/debian"
printf 'Source: leadscout\n\nPackage: leadscout\nArchitecture: amd64\n' > "$tmp/shlibs/debian/control"
needed="$(cd "$tmp/shlibs" && dpkg-shlibdeps -O "$binary" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[[ -n "$needed" ]] || fail "dpkg-shlibdeps found no libraries for the binary"
declared=" $(echo "$depends" | tr ',|' '\n\n' | sed 's/(.*//; s/^ *//; s/ *$//' | tr '\n' ' ') "
missing=()
while read -r package; do
  [[ -z "$package" ]] && continue
  [[ "$declared" == *" $package "* ]] || missing+=("$package")
done < <(echo "$needed" | tr ',' '\n' | sed 's/(.*//; s/^ *//; s/ *$//')
((${#missing[@]} == 0)) || fail "the binary links libraries of ${missing[*]}, which Depends does not name (dpkg-shlibdeps says: $needed)"
[[ "$declared" == *" libdbus-1-3 "* ]] || fail "Depends does not name libdbus-1-3"
[[ "$recommends" == *gnome-keyring* ]] || fail "Recommends names no Secret Service provider (gnome-keyring)"
[[ "$recommends" == *notification-daemon* ]] || fail "Recommends names no notification daemon"

step "desktop entry, AppStream metainfo and icons"
desktop="$unpacked/usr/share/applications/Leadscout.desktop"
metainfo="$unpacked/usr/share/metainfo/app.leadscout.desktop.metainfo.xml"
[[ -f "$desktop" ]] || fail "no desktop entry at ${desktop#"$unpacked"}"
grep -q '^Icon=leadscout$' "$desktop" || fail "the desktop entry does not use the leadscout icon"
[[ -f "$metainfo" ]] || fail "no AppStream metainfo at ${metainfo#"$unpacked"}"
grep -q '<launchable type="desktop-id">Leadscout.desktop</launchable>' "$metainfo" \
  || fail "the metainfo does not launch Leadscout.desktop"
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$metainfo"
else
  echo "appstreamcli is not installed; the metainfo was not validated (\`scripts/deps.sh bundle\`)"
fi
for size in 16x16 32x32 48x48 64x64 128x128 256x256 512x512; do
  icon="$unpacked/usr/share/icons/hicolor/$size/apps/leadscout.png"
  [[ -f "$icon" ]] || fail "no $size icon"
  file "$icon" | grep -q "${size/x/ x }," || fail "the $size icon is $(file -b "$icon")"
done
[[ -f "$unpacked/usr/share/icons/hicolor/scalable/apps/leadscout.svg" ]] || fail "no scalable icon"
echo "desktop entry, metainfo and icons (16 to 512 px, scalable) are in place"

step "lintian"
# Errors fail the check; warnings are printed. Overrides, each with its reason, are in
# packaging/lintian-overrides (installed into the package).
lintian --fail-on error --no-tag-display-limit "$deb"

step "rpm"
rpm -qp --requires "$rpm_file" | tee "$tmp/rpm-requires"
grep -q '^dbus-libs' "$tmp/rpm-requires" || fail "the .rpm does not require dbus-libs"
rpm -qp --recommends "$rpm_file" | grep -q gnome-keyring || fail "the .rpm does not recommend gnome-keyring"
rpm -qpl "$rpm_file" | grep -q '^/usr/share/metainfo/app.leadscout.desktop.metainfo.xml$' \
  || fail "the .rpm has no metainfo"
rpm -qpl "$rpm_file" | grep -q '^/usr/bin/leadscout$' || fail "the .rpm has no usr/bin/leadscout"

step "the unpacked app under Xvfb: an interactive board, then a clean quit"
LEADSCOUT_APP_BINARY="$binary" cargo test --quiet --test bundle -- --ignored --nocapture

step "bundle-check passed"
