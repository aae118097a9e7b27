#!/usr/bin/env bash
# Re-vendors Chart.js from npm into this folder and records its version and checksums in VERSIONS.
# The version is pinned here on purpose: a new one is a reviewed change, never a drive-by.
# Usage: internal/ports/static/vendor.sh [version]   (from anywhere; needs npm, tar, sha256sum)
set -euo pipefail
CHARTJS_VERSION="${1:-4.6.1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "chart.js@${CHARTJS_VERSION}" >/dev/null && tar -xzf "chart.js-${CHARTJS_VERSION}.tgz")
cp "$work/package/dist/chart.umd.min.js" "$here/chart.umd.min.js"
tarball_sha="$(sha256sum "$work/chart.js-${CHARTJS_VERSION}.tgz" | cut -d' ' -f1)"
file_sha="$(sha256sum "$here/chart.umd.min.js" | cut -d' ' -f1)"
cat >"$here/VERSIONS" <<VERSIONS
# Vendored third-party assets. Regenerate with internal/ports/static/vendor.sh; do not edit by hand.
chart.js ${CHARTJS_VERSION}
  source:  npm pack chart.js@${CHARTJS_VERSION} -> package/dist/chart.umd.min.js
  tarball sha256: ${tarball_sha}
  chart.umd.min.js sha256: ${file_sha}
  license: MIT (https://github.com/chartjs/Chart.js/blob/master/LICENSE.md)
VERSIONS
echo "vendored chart.js ${CHARTJS_VERSION} (chart.umd.min.js sha256 ${file_sha})"
