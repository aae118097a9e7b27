#!/usr/bin/env bash
# Builds the images the test cluster and the trial profile need, without any registry, into
# var/cluster/images/<name>.tar (`docker save` format), and imports them into containerd's k8s.io
# namespace when it runs (/run/containerd/containerd.sock):
#   localhost/egov/pause:local       the pod sandbox (libs/devkit/cmd/egov-pause)
#   localhost/egov/coredns:<v>       cluster DNS (infra/cluster/build.sh, the Go module proxy)
#   localhost/egov/caddy:<v>         the trial's front proxy (the same)
#   localhost/egov/nats:<v>          nats-server with JetStream (infra/servers.sh)
#   localhost/egov/minio:local       MinIO (infra/servers.sh)
#   localhost/egov/postgresql:15     Debian's PostgreSQL 15 (the host's package, with btree_gin),
#                                    behind the upstream image's entrypoint interface
# Each image is one layer: the binaries with the shared libraries ldd names. Usage:
# infra/cluster/images.sh [build|import] (default both).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/var/cluster/images
mkdir -p "$out"
export PATH=$root/bin:$PATH
# shellcheck source=infra/cluster/versions.sh
. "$root/infra/cluster/versions.sh"
log() { printf 'cluster-images: %s\n' "$*" >&2; }

# add ROOTFS FILE [DEST]: copies FILE (to DEST, default the same path) and every shared library it
# links to, with the dynamic loader.
add() {
	local r=$1 f=$2 d=${3:-$2} lib
	mkdir -p "$r$(dirname "$d")"
	cp -L "$f" "$r$d"
	for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+' || true); do
		[ -e "$r$lib" ] && continue
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
}
passwd() { # passwd ROOTFS NAME UID
	mkdir -p "$1/etc"
	printf 'root:x:0:0:root:/root:/sbin/nologin\n%s:x:%s:%s:%s:/tmp:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' "$2" "$3" "$3" "$2" >"$1/etc/passwd"
	printf 'root:x:0:\n%s:x:%s:\nnonroot:x:65532:\n' "$2" "$3" >"$1/etc/group"
}

# image NAME DIR REF ENTRYPOINT_JSON [ENV_JSON]: packs DIR.rootfs (filled by the caller) into
# var/cluster/images/NAME.tar.
image() {
	mkdir -p "$2.rootfs/tmp" && chmod 1777 "$2.rootfs/tmp"
	"$root/infra/cluster/mkimage.sh" "$2.rootfs" "$3" "$out/$1.tar" "$4" ${5:+"$5"} >&2
	rm -rf "$2.rootfs"
}

build() {
	local w
	w=$(mktemp -d); trap 'rm -rf "$w"' RETURN
	"$root/infra/cluster/build.sh" coredns caddy
	"$root/infra/servers.sh" nats-server minio

	(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$w/pause" ./libs/devkit/cmd/egov-pause)
	add "$w/p.rootfs" "$w/pause" /pause
	image pause "$w/p" "$PAUSE_IMAGE" '["/pause"]'

	add "$w/c.rootfs" "$root/bin/coredns" /coredns
	image coredns "$w/c" "$COREDNS_IMAGE" '["/coredns"]'

	add "$w/y.rootfs" "$root/bin/caddy" /usr/bin/caddy
	passwd "$w/y.rootfs" caddy 65532
	image caddy "$w/y" "$CADDY_IMAGE" '["caddy"]'

	add "$w/n.rootfs" "$root/bin/nats-server" /nats-server
	image nats "$w/n" "$NATS_IMAGE" '["/nats-server"]'

	add "$w/m.rootfs" "$root/bin/minio" /minio
	image minio "$w/m" "$MINIO_IMAGE" '["/minio"]'

	# PostgreSQL: the server, initdb, pg_ctl and psql, its modules (not the LLVM JIT, 100 MB of
	# LLVM for a trial), its share/ (btree_gin's scripts), tzdata, and bash as /bin/sh, which
	# pg_ctl and initdb start the server through.
	local pg=/usr/lib/postgresql/15 r=$w/pg.rootfs f
	[ -x "$pg/bin/postgres" ] || { log "Debian's postgresql-15 is not installed (apt-get install postgresql-15)"; return 1; }
	for f in postgres initdb pg_ctl psql; do add "$r" "$pg/bin/$f"; done
	for f in "$pg"/lib/*.so; do case $f in */llvmjit*) continue ;; esac; add "$r" "$f"; done
	mkdir -p "$r/usr/share/postgresql" "$r/usr/share" "$r/var/run/postgresql" "$r/var/lib/postgresql/data"
	cp -a /usr/share/postgresql/15 "$r/usr/share/postgresql/15"
	cp -a /usr/share/zoneinfo "$r/usr/share/zoneinfo"
	add "$r" /bin/bash
	ln -s bash "$r/bin/sh"
	install -D -m 0755 "$root/infra/cluster/postgresql/docker-entrypoint.sh" "$r/usr/local/bin/docker-entrypoint.sh"
	passwd "$r" postgres 999
	image postgresql "$w/pg" "$POSTGRES_IMAGE" '["/usr/local/bin/docker-entrypoint.sh"]' \
		'["PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/bin:/bin","PGDATA=/var/lib/postgresql/data"]'
	local tars=("$out"/*.tar)
	log "built ${#tars[@]} images in $out"
}

import() {
	local t n=0
	for t in "$out"/*.tar; do ctr -n k8s.io images import "$t" >/dev/null; n=$((n + 1)); done
	log "imported $n images into containerd"
}

case ${1:-all} in
build) build ;;
import) import ;;
all) build; import ;;
*) log "usage: $0 [build|import]"; exit 2 ;;
esac
