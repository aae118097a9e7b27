#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing: PostgreSQL (server binaries,
# used when no server already answers), Chromium for the browser tests and npm for axe-core, the
# accessibility checker they run; then axe-core itself at the version package-lock.json pins.
# Idempotent: a machine that has them installs nothing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
axe=$root/libs/devkit/browser/axe

install_axe() {
	# npm writes node_modules/.package-lock.json on install: newer than the lock means up to date.
	[ "$axe/node_modules/.package-lock.json" -nt "$axe/package-lock.json" ] && return 0
	echo "test-deps: installing axe-core (npm ci in $axe)" >&2
	(cd "$axe" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
	need+=(postgresql)
fi
if [ ${#need[@]} -eq 0 ]; then
	install_axe
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "test-deps: missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
	exit 1
fi
echo "test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
install_axe
