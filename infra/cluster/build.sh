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
cache=${XDG_CACHE_HOME:-$HOME/.cache}/egov/bin
mkdir -p "$cache" "$root/bin"
log() { printf 'cluster-build: %s\n' "$*" >&2; }
link() { ln -sf "$cache/$1-$2" "$root/bin/$1"; }

# build_kube CMD WORK OUT: k8s.io/kubernetes pins its staging modules at v0.0.0 with replace lines
# to ./staging, so a wrapper module replaces each one with its published v0.<minor>.<patch>
# (the same wrapper as servers.sh's kube-apiserver). The version is stamped as Kubernetes' own
# build does. CGO stays at its default: kubelet links to the host's glibc, which it runs on.
build_kube() {
	local cmd=$1 work=$2 out=$3
	local staging="api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
		cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client
		csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator
		kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils
		pod-security-admission sample-apiserver sample-cli-plugin sample-controller"
	{
		echo "module egov.local/kube-build"
		echo "go 1.24"
		echo "require k8s.io/kubernetes v$KUBE_VERSION"
		for m in $staging; do echo "replace k8s.io/$m => k8s.io/$m v0.${KUBE_VERSION#1.}"; done
	} >"$work/go.mod"
	printf 'package main\n\nimport _ "k8s.io/kubernetes/cmd/%s"\n\nfunc main() {}\n' "$cmd" >"$work/tools.go"
	local v=k8s.io/component-base/version minor=${KUBE_VERSION#1.}
	minor=${minor%%.*}
	(cd "$work" && go mod tidy && nice -n 19 go build -o "$out" \
		-ldflags "-s -w -X $v.gitVersion=v$KUBE_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
		"k8s.io/kubernetes/cmd/$cmd")
}
build_kubelet() { build_kube kubelet "$@"; }
build_kcm() { build_kube kube-controller-manager "$@"; }
build_scheduler() { build_kube kube-scheduler "$@"; }
build_proxy() { build_kube kube-proxy "$@"; }
build_kubectl() { build_kube kubectl "$@"; }

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

ensure() {
	local name=$1 version=$2 builder=$3 out="$cache/$1-$2"
	if [ ! -x "$out" ]; then
		exec 9>"$out.lock"
		flock 9
		if [ ! -x "$out" ]; then
			log "building $name $version (first time only; cached in $cache)"
			local work t0=$SECONDS
			work=$(mktemp -d)
			if ! "$builder" "$work" "$out.tmp"; then
				chmod -R u+w "$work" 2>/dev/null; rm -rf "$work" "$out.tmp"
				log "building $name failed"; return 1
			fi
			chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"
			mv "$out.tmp" "$out"
			log "built $name in $((SECONDS - t0)) s"
			[ -z "${BUILD_TIMES:-}" ] || echo "$name $((SECONDS - t0))" >>"$BUILD_TIMES"
		fi
		exec 9>&-
	fi
	link "$name" "$version"
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
