#!/usr/bin/env bash
# Runs every Go fuzz target (`func FuzzX(f *testing.F)` in a test file under libs/, services/ or
# operator/) for FUZZTIME each (default 10s), one `go test -fuzz` run per target since Go fuzzes
# one target at a time. Every target is run even when one fails; a failing input is written to
# its package's testdata/fuzz/FuzzX/ (commit it as a seed once fixed). Plain `go test` (make test)
# runs the seeds of every target too.
#
# Go 1.26's fuzz coordinator can fail a target at the end of a duration -fuzztime with a bare
# "context deadline exceeded" and no failing input (golang/go#75804, fixed in Go 1.27): a race
# between its deadline and its workers' shutdown, seen here once in 28 targets. Such a run is
# repeated once; the target fails if the repeat fails too, and always when an input was written.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
start=$(date +%s)
n=0
failed=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# inputs lists the failing inputs kept for a target.
inputs() { find "$1/testdata/fuzz/$2" -type f 2>/dev/null | sort || true; }

# fuzz runs one target; its output goes to the terminal and to $log.
fuzz() { go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1" 2>&1 | tee "$log"; }

# coordinatorRace: the run failed with the coordinator's deadline alone, writing no input.
coordinatorRace() {
	grep -qx '    context deadline exceeded' "$log" && ! grep -qE 'Failing input written|panic:' "$log"
}

# shellcheck disable=SC2013 # file paths and target names hold no spaces
for file in $(grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' libs services operator | sort); do
	pkg=./$(dirname "$file")
	# shellcheck disable=SC2013
	for target in $(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\(f \*testing\.F\).*/\1/p' "$file"); do
		n=$((n + 1))
		echo "fuzz: $target in $pkg for $fuzztime"
		before=$(inputs "$pkg" "$target")
		if fuzz "$pkg" "$target"; then
			continue
		fi
		if [ "$(inputs "$pkg" "$target")" = "$before" ] && coordinatorRace; then
			echo "fuzz: $target stopped on Go's fuzz coordinator race (golang/go#75804, no input written); running it again"
			if fuzz "$pkg" "$target"; then
				continue
			fi
		fi
		failed+=("$target")
	done
done
echo "fuzz: $n targets, $fuzztime each, $(($(date +%s) - start))s in all"
[ "$n" -gt 0 ] || { echo "fuzz: FAIL: no fuzz target found"; exit 1; }
[ ${#failed[@]} -eq 0 ] || { echo "fuzz: FAIL: ${failed[*]}"; exit 1; }
