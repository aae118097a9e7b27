#!/usr/bin/env bash
# Builds one OCI image per service (services/*/cmd/*) and the Tenant operator (operator/cmd),
# without Docker, with libs/devkit/cmd/egov-image: var/images/<name>.tar (an OCI layout tarball
# for `ctr -n k8s.io images import` or `docker load`) and var/images/<name>.cdx.json (its SBOM).
#   REGISTRY=host:port[/path]  also push every image, with its SBOM as an OCI referrer
#   IMAGE_TAG=0.1.0            the tag and org.opencontainers.image.version (default dev)
#   SOURCE_DATE_EPOCH=...      the date in the images (default: the commit's), for reproducible digests
#   IMAGES="identity hr"       only these images
# Extra arguments go to egov-image (e.g. -plain-http for a registry without TLS).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2086 # IMAGES is a list of names
exec go run ./libs/devkit/cmd/egov-image "$@" ${IMAGES:-}
