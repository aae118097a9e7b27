#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing: PostgreSQL (server binaries,
# used when no server already answers) and Chromium for the browser tests. Idempotent: a machine
# that has them installs nothing.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
	need+=(postgresql)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "test-deps: missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
	exit 1
fi
echo "test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
