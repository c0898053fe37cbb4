#!/bin/sh
# Makes the team gateway's secrets on first start, in the volume mounted at
# /secrets, and keeps them on later starts: the database password, the access
# key, the admin token and the database URL built from the password. The
# Routex containers run as uid 65532 and read their files; PostgreSQL's
# entrypoint reads its password as root (or uid 70). Nothing secret is
# printed.
set -eu
umask 077
cd "${SECRETS_DIR:-/secrets}"

random_hex() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

[ -s db_password ] || random_hex > db_password
[ -s access_key ] || printf 'rx-%s' "$(random_hex)" > access_key
[ -s admin_token ] || printf 'rxa-%s' "$(random_hex)" > admin_token
# Hex passwords need no escaping in a URL.
printf 'postgres://routex:%s@db:5432/routex?sslmode=disable' "$(cat db_password)" > database_url

chown 65532:65532 access_key admin_token database_url
chown 70:70 db_password # postgres in the alpine image, should its entrypoint read it after dropping root
chmod 0400 db_password access_key admin_token database_url

echo "Routex secrets are ready in the secrets volume."
echo "Admin token: docker compose -f deploy/compose.yaml run --rm secrets cat /secrets/admin_token"
echo "Access key:  docker compose -f deploy/compose.yaml run --rm secrets cat /secrets/access_key"
