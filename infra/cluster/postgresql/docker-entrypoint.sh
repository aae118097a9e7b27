#!/bin/bash
# Debian's PostgreSQL behind the upstream postgres image's interface, as the platform chart's trial
# profile uses it: POSTGRES_PASSWORD (the superuser's), POSTGRES_DB (the database the init scripts
# run in), PGDATA, and /docker-entrypoint-initdb.d/*.sql run once, on the first start.
# Only bash builtins and PostgreSQL's own programs: the image has nothing else.
set -euo pipefail
export PATH=/usr/lib/postgresql/15/bin
: "${PGDATA:=/var/lib/postgresql/data}" "${POSTGRES_DB:=postgres}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	pwfile=/tmp/pwfile.$$
	printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" >"$pwfile"
	initdb -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
		--encoding=UTF8 --locale=C
	: >"$pwfile"
	printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
	# Only the local socket while the init scripts run: nobody connects to a half-made server.
	pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
	for f in /docker-entrypoint-initdb.d/*.sql; do
		[ -e "$f" ] || continue
		echo "docker-entrypoint.sh: running $f"
		psql -v ON_ERROR_STOP=1 --no-psqlrc -U postgres -d "$POSTGRES_DB" -f "$f"
	done
	pg_ctl -D "$PGDATA" -m fast -w stop
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c jit=off
