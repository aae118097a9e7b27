#!/usr/bin/env bash
# Builds the real servers that tests and `make run` talk to, from the Go module proxy, at pinned
# versions. Each binary is built once into a cache outside the clone (so every clone and CI reuse
# it) and linked into ./bin. Usage: infra/servers.sh [minio|nats-server|etcd|kube-apiserver|golangci-lint|controller-gen|helm ...]
# With no names it builds what `make test` needs (all but helm).
set -euo pipefail

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
NATS_VERSION=v2.14.9
ETCD_VERSION=v3.6.6
# kube-apiserver has the minor version of the controller-runtime the operator pins (v0.22 -> 1.34).
KUBE_VERSION=1.34.2
GOLANGCI_LINT_VERSION=v2.15.0
CONTROLLER_GEN_VERSION=v0.19.0
HELM_VERSION=v3.19.5

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/egov/bin
mkdir -p "$cache" "$root/bin"

log() { printf 'servers: %s\n' "$*" >&2; }

# link NAME VERSION: point ./bin/NAME at the cached build.
link() { ln -sf "$cache/$1-$2" "$root/bin/$1"; }


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

build_kube_apiserver() {
	# k8s.io/kubernetes pins its staging modules at v0.0.0 with replace lines to ./staging, so a
	# wrapper module replaces each one with its published v0.<minor>.<patch> release.
	local staging="api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
		cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client
		csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator
		kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils
		pod-security-admission sample-apiserver sample-cli-plugin sample-controller"
	{
		echo "module egov.local/kube-apiserver-build"
		echo "go 1.24"
		echo "require k8s.io/kubernetes v$KUBE_VERSION"
		for m in $staging; do echo "replace k8s.io/$m => k8s.io/$m v0.${KUBE_VERSION#1.}"; done
	} >"$1/go.mod"
	printf 'package main\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n\nfunc main() {}\n' >"$1/tools.go"
	# Stamp the version the way Kubernetes' own build does, so /version (read by clients, Helm's
	# kubeVersion checks and envtest users) reports v$KUBE_VERSION instead of v0.0.0-master.
	local v=k8s.io/component-base/version
	local minor=${KUBE_VERSION#1.}
	minor=${minor%%.*}
	(cd "$1" && go mod tidy && go build -o "$2" \
		-ldflags "-X $v.gitVersion=v$KUBE_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
		k8s.io/kubernetes/cmd/kube-apiserver)
}

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

ensure() {
	local name=$1 version=$2 builder=$3 out="$cache/$1-$2"
	if [ ! -x "$out" ]; then
		# One build at a time per binary, even when several clones or CI ask together.
		exec 9>"$out.lock"
		flock 9
		if [ ! -x "$out" ]; then
			log "building $name $version (first time only; cached in $cache)"
			local work
			work=$(mktemp -d)
			if ! "$builder" "$work" "$out.tmp"; then
				chmod -R u+w "$work" 2>/dev/null; rm -rf "$work" "$out.tmp"
				log "building $name failed"; return 1
			fi
			chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"
			mv "$out.tmp" "$out"
		fi
		exec 9>&-
	fi
	link "$name" "$version"
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
