#!/usr/bin/env bash
# Re-vendors htmx from npm into this folder and records its version and checksum in VERSIONS.
# The version is pinned here on purpose: a new one is a reviewed change, never a drive-by.
# Usage: web/static/vendor.sh [version]   (from anywhere; needs npm, tar, sha256sum)
set -euo pipefail
HTMX_VERSION="${1:-2.0.11}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "htmx.org@${HTMX_VERSION}" >/dev/null && tar -xzf "htmx.org-${HTMX_VERSION}.tgz")
cp "$work/package/dist/htmx.min.js" "$here/htmx.min.js"
tarball_sha="$(sha256sum "$work/htmx.org-${HTMX_VERSION}.tgz" | cut -d' ' -f1)"
file_sha="$(sha256sum "$here/htmx.min.js" | cut -d' ' -f1)"
cat >"$here/VERSIONS" <<VERSIONS
# Vendored third-party assets. Regenerate with web/static/vendor.sh; do not edit by hand.
htmx.org ${HTMX_VERSION}
  source:  npm pack htmx.org@${HTMX_VERSION} -> package/dist/htmx.min.js
  tarball sha256: ${tarball_sha}
  htmx.min.js sha256: ${file_sha}
  license: 0BSD (https://github.com/bigskysoftware/htmx/blob/master/LICENSE)
VERSIONS
echo "vendored htmx.org ${HTMX_VERSION} (htmx.min.js sha256 ${file_sha})"
