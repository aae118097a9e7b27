#!/usr/bin/env bash
# Builds one image per binary under services/*/cmd/* and operator/cmd/*, tagged
# ${IMAGE_REGISTRY:-egov.local}/<name>:${IMAGE_TAG:-dev}. Needs a Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
	echo "images: no Docker engine answers here; build the images where one runs (CI with Docker, or a workstation)" >&2
	exit 1
fi
shopt -s nullglob
for dir in services/*/cmd/* operator/cmd/*; do
	name=$(basename "$dir")
	tag=${IMAGE_REGISTRY:-egov.local}/$name:${IMAGE_TAG:-dev}
	echo "images: $tag from $dir"
	docker build -f infra/images/Dockerfile --build-arg TARGET="$dir" -t "$tag" .
done
