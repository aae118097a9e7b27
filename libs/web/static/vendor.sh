#!/usr/bin/env bash
# Re-vendors htmx and Chart.js from npm into this folder and records their versions and checksums
# in VERSIONS. The versions are pinned here on purpose: a new one is a reviewed change, never a
# drive-by. Every service's pages get both from the shell (web.Shell.Asset), so there is one copy.
# Usage: web/static/vendor.sh   (from anywhere; needs npm, tar, sha256sum)
set -euo pipefail
HTMX_VERSION="2.0.11"
CHARTJS_VERSION="4.6.1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# vendor <package> <version> <file in package/dist> <licence>: copies the file and appends its
# provenance to VERSIONS.
vendor() {
	local pkg=$1 version=$2 file=$3 licence=$4
	mkdir -p "$work/$pkg"
	(cd "$work/$pkg" && npm pack --silent "${pkg}@${version}" >/dev/null && tar -xzf "${pkg}-${version}.tgz")
	cp "$work/$pkg/package/dist/$file" "$here/$file"
	cat >>"$work/VERSIONS" <<VERSIONS
${pkg} ${version}
  source:  npm pack ${pkg}@${version} -> package/dist/${file}
  tarball sha256: $(sha256sum "$work/$pkg/${pkg}-${version}.tgz" | cut -d' ' -f1)
  ${file} sha256: $(sha256sum "$here/$file" | cut -d' ' -f1)
  license: ${licence}
VERSIONS
	echo "vendored ${pkg} ${version}"
}

echo "# Vendored third-party assets. Regenerate with web/static/vendor.sh; do not edit by hand." >"$work/VERSIONS"
vendor htmx.org "$HTMX_VERSION" htmx.min.js "0BSD (https://github.com/bigskysoftware/htmx/blob/master/LICENSE)"
vendor chart.js "$CHARTJS_VERSION" chart.umd.min.js "MIT (https://github.com/chartjs/Chart.js/blob/master/LICENSE.md)"
cp "$work/VERSIONS" "$here/VERSIONS"
