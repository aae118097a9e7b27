#!/usr/bin/env bash
# Runs a command (the tests) with the real servers they need, passed on in TEST_* variables:
#   TEST_POSTGRES_DSN  an existing server if one answers, else (or with TEST_POSTGRES_PRIVATE=1)
#                      a private cluster started here
#   TEST_NATS_URL      a private nats-server with JetStream from ./bin
#   TEST_MINIO_*       a private MinIO from ./bin
#   TEST_AXE_JS        axe-core's script for the browser tests' accessibility checks
#                      (installed by infra/test-deps.sh)
# Every server listens on 127.0.0.1 on a free port and is stopped when the command ends.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/egov-test.XXXXXX")
pids=()
pg_stop=""

cleanup() {
	local rc=$?
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -n "$pg_stop" ] && eval "$pg_stop" >/dev/null 2>&1 || true
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT INT TERM

log() { printf 'test-env: %s\n' "$*" >&2; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		port_free "$p" && { echo "$p"; return; }
	done
}

wait_port() {
	local i
	for i in $(seq 1 600); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	log "$2 did not start on 127.0.0.1:$1; its log:"; cat "$3" >&2 || true
	return 1
}

start_postgres() {
	if [ -n "${TEST_POSTGRES_DSN:-}" ]; then
		log "PostgreSQL: using TEST_POSTGRES_DSN"
		return
	fi
	if [ -z "${TEST_POSTGRES_PRIVATE:-}" ] && command -v psql >/dev/null 2>&1 &&
		psql "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -Atqc 'select 1' >/dev/null 2>&1; then
		export TEST_POSTGRES_DSN="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
		log "PostgreSQL: using the server on 127.0.0.1:5432"
		return
	fi
	local pgbin port data
	pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	port=$(free_port)
	data=$work/pg
	mkdir -p "$data"
	# PostgreSQL refuses to run as root; run the private cluster as the postgres user.
	local as=()
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres "$work" "$data"
		as=(runuser -u postgres --)
	fi
	"${as[@]}" "$pgbin/initdb" -D "$data" -U postgres -A trust -E UTF8 >"$work/initdb.log" 2>&1 ||
		{ cat "$work/initdb.log" >&2; return 1; }
	"${as[@]}" "$pgbin/pg_ctl" -D "$data" -l "$work/pg.log" -w \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c max_connections=300" start >/dev/null
	pg_stop="${as[*]} $pgbin/pg_ctl -D $data -m fast stop"
	export TEST_POSTGRES_DSN="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	log "PostgreSQL: started a private cluster on 127.0.0.1:$port"
}

start_nats() {
	local port
	port=$(free_port)
	"$bin/nats-server" -a 127.0.0.1 -p "$port" -js -sd "$work/nats" >"$work/nats.log" 2>&1 &
	pids+=($!)
	wait_port "$port" nats-server "$work/nats.log"
	export TEST_NATS_URL="nats://127.0.0.1:$port"
	log "NATS: started on 127.0.0.1:$port"
}

start_minio() {
	local port console
	port=$(free_port)
	console=$(free_port)
	export TEST_MINIO_ENDPOINT="127.0.0.1:$port" TEST_MINIO_ACCESS_KEY=egovtest
	TEST_MINIO_SECRET_KEY=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	export TEST_MINIO_SECRET_KEY
	MINIO_ROOT_USER=$TEST_MINIO_ACCESS_KEY MINIO_ROOT_PASSWORD=$TEST_MINIO_SECRET_KEY MINIO_BROWSER=off \
		MINIO_UPDATE=off "$bin/minio" server --quiet --address "127.0.0.1:$port" \
		--console-address "127.0.0.1:$console" "$work/minio" >"$work/minio.log" 2>&1 &
	pids+=($!)
	wait_port "$port" minio "$work/minio.log"
	log "MinIO: started on 127.0.0.1:$port"
}

start_postgres
start_nats
start_minio
axe_js=$root/libs/devkit/browser/axe/node_modules/axe-core/axe.min.js
[ -f "$axe_js" ] && export TEST_AXE_JS=$axe_js
# envtest finds etcd and kube-apiserver here.
export KUBEBUILDER_ASSETS=$bin

"$@"
