#!/usr/bin/env bash
# The official postgres image's entrypoint contract, as its documentation
# states it: variables (or their _FILE variants, read before root is dropped),
# initdb on an empty PGDATA with POSTGRES_USER as superuser, the database
# POSTGRES_DB made and /docker-entrypoint-initdb.d/*.sh and *.sql run by a
# temporary server that listens on the socket only,
# password logins from the network (scram-sha-256), then the real server.
set -Eeo pipefail

file_env() {
	local var=$1 fileVar="${1}_FILE" def=${2:-} val
	if [ "${!var:-}" ] && [ "${!fileVar:-}" ]; then
		echo >&2 "error: both $var and $fileVar are set (but are exclusive)"
		exit 1
	fi
	val=$def
	if [ "${!var:-}" ]; then
		val=${!var}
	elif [ "${!fileVar:-}" ]; then
		val=$(<"${!fileVar}")
	fi
	export "$var"="$val"
	unset "$fileVar"
}

if [ "${1:0:1}" = '-' ]; then
	set -- postgres "$@"
fi

if [ "$1" = postgres ]; then
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS
	: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
	if [ "$(id -u)" = 0 ]; then
		mkdir -p "$PGDATA"
		find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
		chmod 00700 "$PGDATA"
		mkdir -p /var/run/postgresql
		chown postgres /var/run/postgresql
		chmod 03775 /var/run/postgresql
		exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
	fi
	if [ ! -s "$PGDATA/PG_VERSION" ]; then
		if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
			echo >&2 'Error: Database is uninitialized and superuser password is not specified.'
			echo >&2 '       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser.'
			exit 1
		fi
		# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words
		initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
		printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
		# The official image ships a postgresql.conf.sample that listens on '*'.
		sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "$PGDATA/postgresql.conf"
		PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
		if [ "$POSTGRES_DB" != postgres ]; then
			psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname postgres \
				--set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db" ;'
		fi
		# Then the init files, still on the temporary server.
		for f in /docker-entrypoint-initdb.d/*; do
			case $f in
			*.sh) echo "$0: running $f"; bash "$f" ;;
			*.sql) echo "$0: running $f"; psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname "$POSTGRES_DB" -f "$f" ;;
			*) ;;
			esac
		done
		PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -m fast -w stop
		echo 'PostgreSQL init process complete; ready for start up.'
	else
		echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
	fi
fi

exec "$@"
