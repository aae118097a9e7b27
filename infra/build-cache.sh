# shellcheck shell=bash
# What infra/servers.sh and infra/cluster/build.sh share (sourced; the caller sets root and
# defines log): a binary is built once from the Go module proxy into
# ~/.cache/egov/bin/<name>-<version>, outside the clone so that every clone and CI reuse it, and
# linked into ./bin.

# KUBE_VERSION pins every Kubernetes binary, the test servers' kube-apiserver and the cluster's
# kubelet alike: the controller-runtime the operator pins (v0.22) speaks 1.34.
KUBE_VERSION=1.34.2

cache=${XDG_CACHE_HOME:-$HOME/.cache}/egov/bin
# shellcheck disable=SC2154 # root is set by the script that sources this file
mkdir -p "$cache" "$root/bin"

# build_prefix runs before each `go build` of a Kubernetes binary (the cluster's: nice -n 19).
build_prefix=()

# link NAME VERSION: point ./bin/NAME at the cached build.
link() { ln -sf "$cache/$1-$2" "$root/bin/$1"; }

# ensure NAME VERSION BUILDER: build NAME with `BUILDER WORKDIR OUTFILE` unless the cache has it,
# then link it. BUILD_TIMES=file appends "name seconds" for each build.
ensure() {
	local name=$1 version=$2 builder=$3 out="$cache/$1-$2"
	if [ ! -x "$out" ]; then
		# One build at a time per binary, even when several clones or CI ask together.
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

# build_kube CMD WORK OUT [LDFLAGS]: k8s.io/kubernetes pins its staging modules at v0.0.0 with
# replace lines to ./staging, so a wrapper module in WORK replaces each one with its published
# v0.<minor>.<patch> release. The version is stamped the way Kubernetes' own build does, so
# /version (read by clients, Helm's kubeVersion checks and envtest users) reports v$KUBE_VERSION
# instead of v0.0.0-master. CGO stays at its default: kubelet links to the host's glibc.
build_kube() {
	local cmd=$1 work=$2 out=$3 extra=${4:-}
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
	(cd "$work" && go mod tidy && "${build_prefix[@]}" go build -o "$out" \
		-ldflags "$extra -X $v.gitVersion=v$KUBE_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
		"k8s.io/kubernetes/cmd/$cmd")
}
