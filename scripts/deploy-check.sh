#!/usr/bin/env bash
# Checks what can be checked of deploy/ without a Docker engine: the compose
# file parses and refers to files that exist, its services are wired as the
# README says (only the load balancer publishes ports, each instance has a
# health check and its own name), the nginx template filled in as compose
# fills it and as the README's system steps do passes `nginx -t`, and the
# secrets script passes shellcheck. Then it runs the README's steps
# without Docker for real (internal/deploycheck): two instances of the
# headless binary ($BIN/routex-headless) on one PostgreSQL server, nginx in
# front with the filled template, requests through it, one instance killed.
# A tool that is missing skips its check, loudly (in CI, where
# scripts/deps.sh installs them all, it fails); a check that runs and
# fails fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

skipped=()
skip() {
  skipped+=("$1")
  echo "!!! deploy-check: SKIPPED $1" >&2
  if [ -n "${CI:-}" ]; then
    echo "deploy-check: in CI every check must run" >&2
    exit 1
  fi
}

# The first python3 with PyYAML: the one on PATH, else Debian's (python3-yaml).
py=
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import yaml' 2>/dev/null; then py=$p; break; fi
done
if [ -n "$py" ]; then
  "$py" - <<'PY'
import os, re, sys, yaml
doc = yaml.safe_load(open("deploy/compose.yaml"))
svc = doc["services"]
errors = []
need = {"secrets", "db", "routex-a", "routex-b", "lb"}
if set(svc) != need:
    errors.append(f"services are {sorted(svc)}, want {sorted(need)}")
for name, s in svc.items():
    for v in s.get("volumes", []):
        src = v.split(":")[0]
        if src.startswith("."):
            path = os.path.normpath(os.path.join("deploy", src))
            if not os.path.exists(path):
                errors.append(f"{name}: mounts {src}, which does not exist ({path})")
    b = s.get("build")
    if b:
        df = os.path.normpath(os.path.join("deploy", b["context"], b.get("dockerfile", "Dockerfile")))
        if not os.path.exists(df):
            errors.append(f"{name}: builds from {df}, which does not exist")
    if s.get("ports") and name != "lb":
        errors.append(f"{name} publishes ports; only the load balancer should")
instances = set()
for name in ("routex-a", "routex-b"):
    s = svc[name]
    env = s.get("environment", {})
    if "routex" not in str(s.get("healthcheck", {}).get("test")):
        errors.append(f"{name} has no health check")
    for k in ("ROUTEX_DATABASE_URL_FILE", "ROUTEX_ADMIN_TOKEN_FILE", "ROUTEX_ACCESS_KEY_FILE", "ROUTEX_ALLOWED_HOSTS", "ROUTEX_LISTEN"):
        if k not in env:
            errors.append(f"{name}: {k} is not set")
    instances.add(env.get("ROUTEX_INSTANCE"))
    if s.get("depends_on", {}).get("db", {}).get("condition") != "service_healthy":
        errors.append(f"{name} does not wait for a healthy database")
if len(instances) != 2:
    errors.append(f"the instances are not named apart: {instances}")
if "healthcheck" not in svc["db"]:
    errors.append("db has no health check")
else:
    # On first start the postgres image runs a temporary server on the
    # socket only while it creates the database: a socket probe passes then.
    test = " ".join(svc["db"]["healthcheck"]["test"])
    if "pg_isready" not in test or not re.search(r"(-h|--host)[ =]*(127\.0\.0\.1|localhost)\b", test):
        errors.append(f"db's health check must probe over TCP (pg_isready -h 127.0.0.1): {test}")
lb = svc["lb"]["environment"]
if (lb.get("ROUTEX_A"), lb.get("ROUTEX_B")) != ("routex-a:18080", "routex-b:18080"):
    errors.append(f"the load balancer's upstreams are {lb}")
if errors:
    print("deploy/compose.yaml:\n  " + "\n  ".join(errors), file=sys.stderr)
    sys.exit(1)
print("deploy-check: compose.yaml parses; services, mounts, build and health checks as described")
PY
else
  skip "compose.yaml (python3 with PyYAML is missing: apt-get install python3-yaml)"
fi

if command -v nginx >/dev/null 2>&1 && command -v envsubst >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # As compose fills it in, and as the README's steps without Docker do.
  for values in "routex-a:18080 routex-b:18080 localhost" "127.0.0.1:18081 127.0.0.1:18082 routex.example.com"; do
    read -r a b host <<<"$values"
    # shellcheck disable=SC2016 # envsubst takes the names, unexpanded
    ROUTEX_A=$a ROUTEX_B=$b ROUTEX_HOSTNAME=$host envsubst '$ROUTEX_A $ROUTEX_B $ROUTEX_HOSTNAME' \
      < deploy/nginx.conf.template > "$tmp/routex.conf"
    if grep -qF "\${ROUTEX_" "$tmp/routex.conf"; then
      echo "deploy/nginx.conf.template: a variable was left unfilled" >&2
      exit 1
    fi
    # A stopped instance's address answers nothing: without a short connect
    # timeout nginx holds a request 60 s before trying the other instance,
    # and without a shared zone each worker finds out with a request of its own.
    if ! grep -qE '^\s*proxy_connect_timeout\s+[1-5]s;' "$tmp/routex.conf" || ! grep -qE '^\s*zone\s+routex\s' "$tmp/routex.conf"; then
      echo "deploy/nginx.conf.template: the upstream needs a shared zone and proxy_connect_timeout of 5s or less" >&2
      exit 1
    fi
    # Names of the compose network do not resolve here: map them to loopback.
    sed -i 's/routex-[ab]:/127.0.0.1:/' "$tmp/routex.conf"
    cat > "$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    include $tmp/routex.conf;
}
CONF
    nginx -t -q -p "$tmp" -c "$tmp/nginx.conf"
  done
  echo "deploy-check: nginx -t accepts deploy/nginx.conf.template, filled in both ways ($(nginx -v 2>&1))"
else
  skip "nginx.conf.template (nginx or envsubst is missing: apt-get install nginx gettext-base)"
fi

bin=${BIN:-build/bin}/routex-headless
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || [ -n "${ROUTEX_TEST_DATABASE_URL:-}" ]; }
if ! command -v nginx >/dev/null 2>&1 || ! command -v envsubst >/dev/null 2>&1; then
  skip "the team gateway run (nginx or envsubst is missing: apt-get install nginx-light gettext-base)"
elif ! have_pg; then
  skip "the team gateway run (PostgreSQL is missing: apt-get install postgresql)"
elif [ ! -x "$bin" ]; then
  skip "the team gateway run ($bin is missing: make build-headless)"
else
  go run ./internal/deploycheck -bin "$bin" -template deploy/nginx.conf.template
fi

if command -v shellcheck >/dev/null 2>&1; then
  shellcheck deploy/init-secrets.sh scripts/deploy-check.sh scripts/compose-check.sh scripts/compose-check/*/docker-entrypoint.sh
  echo "deploy-check: shellcheck accepts deploy/init-secrets.sh"
else
  skip "init-secrets.sh (shellcheck is missing)"
fi

if [ ${#skipped[@]} -gt 0 ]; then
  echo "deploy-check: passed, with ${#skipped[@]} check(s) skipped" >&2
else
  echo "deploy-check: all checks passed"
fi
