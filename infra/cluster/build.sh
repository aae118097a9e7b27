#!/usr/bin/env bash
# Builds the single-node cluster's binaries from the Go module proxy at pinned versions, the way
# infra/servers.sh builds the test servers: once into ~/.cache/egov/bin/<name>-<version> (shared by
# every clone and CI), linked into ./bin. kube-apiserver, etcd and helm come from servers.sh itself.
# The Kubernetes builds run under `nice -n 19`: the machine has 2 cores and other work shares them.
# Usage: infra/cluster/build.sh [kubelet|kube-controller-manager|kube-scheduler|kube-proxy|kubectl|crictl|coredns|caddy ...]
# With no names it builds everything infra/cluster.sh needs. BUILD_TIMES=file appends "name seconds".
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=infra/cluster/versions.sh
. "$root/infra/cluster/versions.sh"
log() { printf 'cluster-build: %s\n' "$*" >&2; }
# shellcheck source=infra/build-cache.sh
. "$root/infra/build-cache.sh" # KUBE_VERSION, ensure, build_kube
# The Kubernetes builds run under nice: the machine has 2 cores and other work shares them.
build_prefix=(nice -n 19)

# The cluster's binaries are stripped (-s -w): they are run, never debugged here.
build_kube_stripped() { build_kube "$1" "$2" "$3" "-s -w"; }
build_kubelet() { build_kube_stripped kubelet "$@"; }
build_kcm() { build_kube_stripped kube-controller-manager "$@"; }
build_scheduler() { build_kube_stripped kube-scheduler "$@"; }
build_proxy() { build_kube_stripped kube-proxy "$@"; }
build_kubectl() { build_kube_stripped kubectl "$@"; }

# crictl removes the pods through the CRI on `down`, so that CNI tears their networks down.
build_crictl() {
	GOBIN="$1" nice -n 19 go install "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
	mv "$1/crictl" "$2"
}

# CoreDNS and Caddy go into images, so they are static.
build_coredns() {
	GOBIN="$1" CGO_ENABLED=0 nice -n 19 go install -trimpath -ldflags '-s -w' "github.com/coredns/coredns@$COREDNS_VERSION"
	mv "$1/coredns" "$2"
}
build_caddy() {
	GOBIN="$1" CGO_ENABLED=0 nice -n 19 go install -trimpath -ldflags '-s -w' "github.com/caddyserver/caddy/v2/cmd/caddy@$CADDY_VERSION"
	mv "$1/caddy" "$2"
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(kubelet kube-controller-manager kube-scheduler kube-proxy kubectl crictl coredns caddy)
for n in "${names[@]}"; do
	case $n in
	kubelet) ensure kubelet "v$KUBE_VERSION" build_kubelet ;;
	kube-controller-manager) ensure kube-controller-manager "v$KUBE_VERSION" build_kcm ;;
	kube-scheduler) ensure kube-scheduler "v$KUBE_VERSION" build_scheduler ;;
	kube-proxy) ensure kube-proxy "v$KUBE_VERSION" build_proxy ;;
	kubectl) ensure kubectl "v$KUBE_VERSION" build_kubectl ;;
	crictl) ensure crictl "$CRICTL_VERSION" build_crictl ;;
	coredns) ensure coredns "$COREDNS_VERSION" build_coredns ;;
	caddy) ensure caddy "$CADDY_VERSION" build_caddy ;;
	*) log "unknown binary '$n'"; exit 2 ;;
	esac
done
