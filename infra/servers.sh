#!/usr/bin/env bash
# Builds the real servers that tests and `make run` talk to, from the Go module proxy, at pinned
# versions. Each binary is built once into a cache outside the clone (so every clone and CI reuse
# it) and linked into ./bin. Usage: infra/servers.sh [minio|nats-server|etcd|kube-apiserver|golangci-lint|controller-gen|helm ...]
# With no names it builds what `make test` needs (all but helm).
set -euo pipefail

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
NATS_VERSION=v2.14.9
ETCD_VERSION=v3.6.6
GOLANGCI_LINT_VERSION=v2.15.0
CONTROLLER_GEN_VERSION=v0.19.0
HELM_VERSION=v3.19.5

root=$(cd "$(dirname "$0")/.." && pwd)
log() { printf 'servers: %s\n' "$*" >&2; }
# shellcheck source=infra/build-cache.sh
. "$root/infra/build-cache.sh" # KUBE_VERSION, ensure, build_kube


build_minio() {
	GOBIN="$1" GOFLAGS=-buildvcs=false go install "github.com/minio/minio@$MINIO_VERSION"
	mv "$1/minio" "$2"
}

build_nats() {
	GOBIN="$1" go install "github.com/nats-io/nats-server/v2@$NATS_VERSION"
	mv "$1/nats-server" "$2"
}

build_etcd() {
	# etcd's server module carries replace lines of its own, so `go install` refuses it; a
	# throwaway module that requires it builds the same binary.
	(cd "$1" && go mod init egov.local/etcd-build >/dev/null 2>&1 &&
		go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" &&
		go build -o "$2" go.etcd.io/etcd/server/v3)
}

build_kube_apiserver() { build_kube kube-apiserver "$@"; }

build_golangci_lint() {
	GOBIN="$1" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION"
	mv "$1/golangci-lint" "$2"
}

build_controller_gen() {
	GOBIN="$1" go install "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_GEN_VERSION"
	mv "$1/controller-gen" "$2"
}

build_helm() {
	GOBIN="$1" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
	mv "$1/helm" "$2"
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(minio nats-server etcd kube-apiserver golangci-lint controller-gen)
for n in "${names[@]}"; do
	case $n in
	minio) ensure minio "$MINIO_VERSION" build_minio ;;
	nats-server) ensure nats-server "$NATS_VERSION" build_nats ;;
	etcd) ensure etcd "$ETCD_VERSION" build_etcd ;;
	# "-2": the second recipe (version stamped); a new recipe must not reuse an old cached build.
	kube-apiserver) ensure kube-apiserver "v$KUBE_VERSION-2" build_kube_apiserver ;;
	golangci-lint) ensure golangci-lint "$GOLANGCI_LINT_VERSION" build_golangci_lint ;;
	controller-gen) ensure controller-gen "$CONTROLLER_GEN_VERSION" build_controller_gen ;;
	helm) ensure helm "$HELM_VERSION" build_helm ;;
	*) log "unknown server '$n' (known: minio nats-server etcd kube-apiserver golangci-lint controller-gen helm)"; exit 2 ;;
	esac
done
