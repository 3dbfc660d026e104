#!/usr/bin/env bash
# Part of `make bundle`: Tauri writes the .deb with gzip; this rewrites it with xz (-9e), which
# dpkg has read since Debian 6 and Ubuntu 10.04: 12.3 MiB became 8.2 MiB (docs/benchmarks.md,
# "The installer"). It also drops the unversioned webkit and gtk entries Tauri appends to
# Depends, which the versioned ones from tauri.conf.json already cover, and puts the changelog
# where lintian looks for it. Run once per Tauri build (it rewrites the .deb in place).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
version="$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')"
deb="$target/release/bundle/deb/Leadscout_${version}_amd64.deb"
[[ -f "$deb" ]] || { echo "repack-deb: no $deb; the Tauri build did not write it" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -R "$deb" "$tmp/pkg"
# Tauri writes the changelog under the product's name; Debian policy wants the package's.
if [[ -d "$tmp/pkg/usr/share/doc/Leadscout" ]]; then
  mkdir -p "$tmp/pkg/usr/share/doc/leadscout"
  mv "$tmp/pkg/usr/share/doc/Leadscout/"* "$tmp/pkg/usr/share/doc/leadscout/"
  rmdir "$tmp/pkg/usr/share/doc/Leadscout"
  sed -i 's| usr/share/doc/Leadscout/| usr/share/doc/leadscout/|' "$tmp/pkg/DEBIAN/md5sums"
fi
python3 - "$tmp/pkg/DEBIAN/control" <<'PY'
import sys
path = sys.argv[1]
lines = open(path).read().splitlines()
out = []
for line in lines:
    if line.startswith("Depends:"):
        seen, kept = set(), []
        for dep in line[len("Depends:"):].split(","):
            dep = dep.strip()
            name = dep.split("(")[0].strip()
            if name in seen:
                continue
            seen.add(name)
            kept.append(dep)
        line = "Depends: " + ", ".join(kept)
    out.append(line)
open(path, "w").write("\n".join(out) + "\n")
PY
before="$(stat -c %s "$deb")"
dpkg-deb --root-owner-group -Zxz -z9 -Sextreme --build "$tmp/pkg" "$tmp/out.deb" >/dev/null
mv "$tmp/out.deb" "$deb"
awk -v a="$before" -v b="$(stat -c %s "$deb")" -v n="$(basename "$deb")" \
  'BEGIN { printf "%s: %.1f MiB with gzip, %.1f MiB with xz\n", n, a / 1048576, b / 1048576 }'
