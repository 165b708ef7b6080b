#!/usr/bin/env bash
# Refreshes the vendored htmx WebSocket extension from the npm registry and records its checksum.
#   scripts/refresh-htmx-ext-ws.sh [version]     (default: the version in VERSION below)
# The htmx WebJar also ships a dist/ext/ws.js, but that is the old htmx 1 extension; htmx 2 needs
# the separate htmx-ext-ws package, which has no WebJar, hence this script.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-2.0.4}"
dest=src/main/resources/chatroom/static/vendor
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

curl -fsSL "https://registry.npmjs.org/htmx-ext-ws/-/htmx-ext-ws-${version}.tgz" -o "$tmp/ext.tgz"
expected=$(curl -fsSL "https://registry.npmjs.org/htmx-ext-ws/${version}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["dist"]["shasum"])')
actual=$(sha1sum "$tmp/ext.tgz" | cut -d' ' -f1)
[ "$expected" = "$actual" ] || { echo "tarball sha1 $actual does not match the registry's $expected" >&2; exit 1; }

tar -xzf "$tmp/ext.tgz" -C "$tmp"
mkdir -p "$dest"
cp "$tmp/package/dist/ws.js" "$dest/htmx-ext-ws.js"
sha=$(sha256sum "$dest/htmx-ext-ws.js" | cut -d' ' -f1)
cat > "$dest/htmx-ext-ws.VERSION" <<TXT
package: htmx-ext-ws
version: ${version}
source: https://registry.npmjs.org/htmx-ext-ws/-/htmx-ext-ws-${version}.tgz (package/dist/ws.js)
tarball sha1 (registry shasum): ${actual}
htmx-ext-ws.js sha256: ${sha}
refresh: scripts/refresh-htmx-ext-ws.sh [version]
TXT
echo "htmx-ext-ws ${version} -> $dest/htmx-ext-ws.js (sha256 ${sha})"
