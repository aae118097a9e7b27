#!/usr/bin/env bash
# Lints and packages every Helm chart under charts/ into ./bin/charts.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
charts=(charts/*/Chart.yaml)
if [ ${#charts[@]} -eq 0 ]; then
	echo "charts: no charts under charts/ yet"
	exit 0
fi
infra/servers.sh helm
mkdir -p bin/charts
for c in "${charts[@]}"; do
	d=$(dirname "$c")
	# A chart's ci/lint-values.yaml gives what an installation must set (the platform's trustedProxies).
	lint=()
	[ -f "$d/ci/lint-values.yaml" ] && lint=(-f "$d/ci/lint-values.yaml")
	bin/helm lint "$d" "${lint[@]}"
	# Each profile beside values.yaml (values-trial.yaml) is linted on top of it, on its own: a
	# profile gives everything an installation must set.
	for v in "$d"/values-*.yaml; do [ -e "$v" ] && bin/helm lint "$d" -f "$v"; done
	bin/helm package "$d" -d bin/charts
done
