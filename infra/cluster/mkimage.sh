#!/usr/bin/env bash
# mkimage.sh ROOTFS REF OUT.tar ENTRYPOINT_JSON [ENV_JSON]: packs the directory ROOTFS as a
# single-layer image in `docker save` format (what `ctr images import` reads), with the given
# Entrypoint (a JSON array) and Env (a JSON array, default PATH=/usr/local/bin:/usr/bin:/bin).
# No registry, no tool beyond tar and sha256sum; the same ROOTFS gives the same bytes.
set -euo pipefail
rootfs=$1 ref=$2 out=$3 entrypoint=$4 env=${5:-'["PATH=/usr/local/bin:/usr/bin:/bin"]'}
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
mkdir -p "$w/img"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$w/layer.tar" .
lsum=$(sha256sum "$w/layer.tar" | cut -d' ' -f1)
mkdir "$w/img/$lsum"; mv "$w/layer.tar" "$w/img/$lsum/layer.tar"
cat >"$w/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Entrypoint":$entrypoint,"Env":$env,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$lsum"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"infra/cluster/mkimage.sh"}]}
JSON
csum=$(sha256sum "$w/config.json" | cut -d' ' -f1)
mv "$w/config.json" "$w/img/$csum.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' "$csum" "$ref" "$lsum" >"$w/img/manifest.json"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$w/img" -cf "$out" .
echo "$out: $ref (config sha256:$csum)"
