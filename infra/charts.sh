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
	bin/helm lint "$d"
	# Each profile beside values.yaml (values-trial.yaml) is linted on top of it.
	for v in "$d"/values-*.yaml; do bin/helm lint "$d" -f "$v"; done
	bin/helm package "$d" -d bin/charts
done
