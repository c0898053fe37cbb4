#!/usr/bin/env bash
# Runs deploy/compose.yaml for real, on a Docker engine this script starts
# itself, and checks the team gateway it brings up: every service healthy,
# the secrets with the right owners, a request through the load balancer's
# published port reaching an upstream through both instances, a key per
# person made and revoked through either instance, traffic still flowing
# with one instance stopped, data kept across `down` and `up`, and nothing
# left after `down -v`.
#
# The official images cannot be pulled here (no registry but Debian's, the Go
# module proxy and npm), so it builds stand-ins tagged with their names from
# a Debian rootfs made by debootstrap (scripts/compose-check/README.md), and
# routex:team from the Dockerfile's last stage with the headless binary built
# on the host. Compose itself is built from the Go module proxy.
#
# The engine runs in a network namespace and a mount namespace of its own,
# so its bridge, iptables rules and mounts never touch the host's; the
# published port is reached on that namespace's loopback. Everything it
# started is stopped at the end, pass or fail.
#
# Needs root, apt (docker.io and debootstrap are installed when missing) and
# Go. Where an engine cannot be started it says SKIPPED, loudly, and exits 0.
#   scripts/compose-check.sh            (BIN=build/bin: routex-headless)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
started=$(date +%s)

say() { echo "compose-check: $*"; }
skip() {
	echo "!!! compose-check: SKIPPED: $*" >&2
	echo "compose-check: SKIPPED (the compose file was not run)"
	exit 0
}
fail() {
	echo "compose-check: FAILED: $*" >&2
	exit 1
}

bin=${BIN:-build/bin}/routex-headless
compose_version=v5.6.0
cache=build/compose-check
project=routex-team

[ "$(id -u)" -eq 0 ] || skip "needs root to start a Docker engine of its own"
[ -x "$bin" ] || fail "$bin is missing: run make build-headless first"
command -v go >/dev/null || fail "go is not on PATH"
for tool in ip nsenter unshare python3; do
	command -v "$tool" >/dev/null || skip "$tool is missing"
done

# --- the engine's packages (Debian's dockerd 20.10 and debootstrap)
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
	command -v apt-get >/dev/null || skip "${missing[*]} missing and no apt-get to install them"
	say "installing ${missing[*]}"
	apt-get update -qq >/dev/null 2>&1 || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		skip "apt-get install ${missing[*]} failed"
fi
# The Debian mirror apt uses, for debootstrap (one-line or deb822 sources).
mirror=$(grep -rhoE '^(deb|URIs:) +(\[[^]]*\] +)?https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
	grep -oE 'https?://[^ ]+' | head -n1 || true)
[ -n "$mirror" ] || skip "no Debian mirror in apt's sources for debootstrap"

work=$(mktemp -d /tmp/rxcc.XXXXXX)
netns=rxcc-$$
dockerd_pid=
up=
export DOCKER_HOST=unix://$work/docker.sock DOCKER_CONFIG=$work/config
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	set +e
	if [ -n "$up" ]; then
		docker rm -f "$project-mock" >/dev/null 2>&1
		docker compose -f deploy/compose.yaml down -v --timeout 5 >/dev/null 2>&1
	fi
	if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
		docker ps -aq 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1
		kill -TERM "$dockerd_pid"
		for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
		kill -0 "$dockerd_pid" 2>/dev/null && kill -KILL "$dockerd_pid"
	fi
	ip netns del "$netns" 2>/dev/null
	if grep -q " $work/" /proc/mounts; then
		echo "compose-check: mounts left under $work; not removing it" >&2
	else
		rm -rf "$work"
	fi
	say "took $(($(date +%s) - started)) s"
}
trap cleanup EXIT

# --- a Docker engine in namespaces of its own
ip netns add "$netns" || skip "ip netns add failed: no network namespaces here"
ip netns exec "$netns" ip link set lo up
mkdir -p "$work/config/cli-plugins"
nsenter --net="/run/netns/$netns" unshare --mount --propagation slave \
	dockerd --data-root "$work/root" --exec-root "$work/exec" -H "$DOCKER_HOST" \
	--pidfile "$work/dockerd.pid" >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 1 60); do
	docker info >/dev/null 2>&1 && break
	kill -0 "$dockerd_pid" 2>/dev/null || break
	sleep 0.5
done
if ! docker info >/dev/null 2>&1; then
	tail -n 5 "$work/dockerd.log" >&2
	skip "dockerd did not start (its last lines are above)"
fi
say "engine up: $(docker info --format 'dockerd {{.ServerVersion}}, {{.Driver}}, cgroup v{{.CgroupVersion}}')"

# --- compose v2 (the docker compose plugin) from the Go module proxy
if [ ! -x "$cache/bin/docker-compose-$compose_version" ]; then
	say "building docker compose $compose_version from the Go module proxy (once; kept in $cache)"
	src=$(GOFLAGS=-mod=mod go mod download -json "github.com/docker/compose/v5@$compose_version" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
	cp -r "$src" "$work/compose-src" && chmod -R u+w "$work/compose-src"
	mkdir -p "$cache/bin"
	(cd "$work/compose-src" && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$compose_version" \
		-o "$OLDPWD/$cache/bin/docker-compose-$compose_version" ./cmd) >"$work/compose-build.log" 2>&1 ||
		{ tail -n 20 "$work/compose-build.log" >&2; fail "building docker compose failed"; }
fi
cp "$cache/bin/docker-compose-$compose_version" "$work/config/cli-plugins/docker-compose"
say "$(docker compose version)"

# --- base images from debootstrap: minbase, and one with the packages the
# stand-ins take their programs from (kept as tarballs in the cache)
packages="postgresql-15 nginx gettext-base busybox-static ca-certificates"
key=$(printf '%s %s' "$mirror" "$packages" | sha256sum | cut -c1-12)
if [ ! -s "$cache/debian-full-$key.tar" ]; then
	say "debootstrap bookworm from $mirror (once; kept in $cache)"
	mkdir -p "$cache"
	rootfs=$work/rootfs
	debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
		{ tail -n 5 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
	tar -C "$rootfs" -cf "$cache/debian-$key.tar" .
	cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
	printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
	chmod +x "$rootfs/usr/sbin/policy-rc.d"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --fork sh -c 'mount -t proc proc "$1/proc" && chroot "$1" sh -c "apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $2 && apt-get clean"' \
		sh "$rootfs" "$packages" >"$work/packages.log" 2>&1 ||
		{ tail -n 5 "$work/packages.log" >&2; fail "installing $packages in the rootfs failed"; }
	rm -f "$rootfs/usr/sbin/policy-rc.d" "$rootfs/etc/resolv.conf"
	rm -rf "$rootfs/var/lib/apt/lists"/*
	tar -C "$rootfs" -cf "$cache/debian-full-$key.tar.part" . && mv "$cache/debian-full-$key.tar.part" "$cache/debian-full-$key.tar"
	rm -rf "$rootfs"
fi
docker import - routex-test/debian:bookworm <"$cache/debian-$key.tar" >/dev/null
docker import - routex-test/debian-full:bookworm <"$cache/debian-full-$key.tar" >/dev/null
docker run --rm --network none routex-test/debian:bookworm true 2>"$work/run.err" ||
	{ cat "$work/run.err" >&2; skip "the engine started but cannot run a container (the error is above)"; }

# --- stand-ins for the images that cannot be pulled, and routex:team
build() { docker build -q -t "$1" "$2" 2>&1 | grep -v -i -E 'deprecated|buildx|^ *https://|^$' >"$work/build.out" ||
	true; docker image inspect "$1" >/dev/null 2>&1 || { cat "$work/build.out" >&2; fail "building $1 failed"; }; }
build alpine:3.20 scripts/compose-check/alpine
build postgres:16-alpine scripts/compose-check/postgres
build nginx:1.27-alpine scripts/compose-check/nginx
build gcr.io/distroless/static-debian12:nonroot scripts/compose-check/distroless
ctx=$work/routex-ctx
mkdir -p "$ctx/data"
cp "$bin" "$ctx/routex"
# The Dockerfile's last stage as it is, with the binary and /data from the
# build context instead of the server stage.
awk '/^FROM /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' Dockerfile |
	sed -e 's#^COPY --from=server /out/routex #COPY routex #' \
		-e 's#^COPY --from=server --chown=65532:65532 /out/data #COPY --chown=65532:65532 data #' >"$ctx/Dockerfile"
if grep -q -- '--from=' "$ctx/Dockerfile"; then
	fail "the Dockerfile's last stage copies from a stage this script does not stand in for: $(grep -- '--from=' "$ctx/Dockerfile")"
fi
build routex:team "$ctx"
mkdir -p "$work/mock-ctx"
CGO_ENABLED=0 go build -o "$work/mock-ctx/upstream-serve" ./testclients/upstream/serve
cp scripts/compose-check/mock/Dockerfile "$work/mock-ctx/"
build routex-test/mock "$work/mock-ctx"
say "images ready ($(($(date +%s) - started)) s so far)"

# --- helpers
compose() { docker compose -f deploy/compose.yaml "$@"; }
export ROUTEX_PORT=8080 ROUTEX_HOSTNAME=gateway.routex.test
host="Host: $ROUTEX_HOSTNAME:$ROUTEX_PORT"
base=http://127.0.0.1:$ROUTEX_PORT
# curl on the engine's loopback, where the published port is.
ncurl() { nsenter --net="/run/netns/$netns" curl -sS --max-time 30 "$@"; }
secret() { compose run --rm -T secrets cat "/secrets/$1" 2>/dev/null; }
container() { docker ps -aq --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=$1"; }
health() { docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}:{{.State.ExitCode}}{{end}}' "$(container "$1")"; }
admin() { # method path [body] [curl args]
	local method=$1 path=$2 body=()
	shift 2
	if [ $# -gt 0 ] && [ "${1:0:1}" != - ]; then
		body=(-d "$1")
		shift
	fi
	ncurl -H "$host" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -X "$method" "$base$path" "${body[@]}" "$@"
}
message='{"model":"claude-mock-1","max_tokens":64,"messages":[{"role":"user","content":"Say hi"}]}'
ask() { # key [extra curl args]: prints "status seconds"
	local key=$1
	shift
	ncurl -o /dev/null -w '%{http_code} %{time_total}\n' -H "$host" -H "x-api-key: $key" \
		-H 'anthropic-version: 2023-06-01' -H 'Content-Type: application/json' "$base/v1/messages" -d "$message" "$@"
}
instances() { # the instance of each of the last n request-log rows, oldest first
	admin GET "/api/logs?limit=$1" | python3 -c 'import json,sys; print(" ".join(l["instance"] for l in reversed(json.load(sys.stdin)["logs"])))'
}

both() { # n what: the last n request-log rows came from both instances
	sleep 1.5
	local seen
	seen=$(instances "$1")
	{ grep -q routex-a <<<"$seen" && grep -q routex-b <<<"$seen"; } || fail "$2: the request log shows instances [$seen], want both"
}
# --- up, from nothing
compose config -q
t0=$(date +%s)
up=1
compose up -d --no-build --wait --wait-timeout 180 >"$work/up.log" 2>&1 ||
	{ tail -n 20 "$work/up.log" >&2; compose logs --tail 20 >&2; fail "docker compose up did not bring every service up healthy"; }
say "up -d --wait: every service healthy in $(($(date +%s) - t0)) s"
for s in db routex-a routex-b lb; do
	[ "$(health "$s")" = healthy ] || fail "$s is $(health "$s")"
done
[ "$(health secrets)" = exited:0 ] || fail "the secrets service ended $(health secrets)"
# Each instance names itself, and points at the admin token in force (the
# secret file), not at the unused one in its config.json.
for s in routex-a routex-b; do
	logs=$(docker logs "$(container "$s")" 2>&1)
	grep -q "instance=$s" <<<"$logs" || fail "$s's log does not name it: $(head -c 300 <<<"$logs")"
	grep -q 'ROUTEX_ADMIN_TOKEN_FILE=/secrets/admin_token' <<<"$logs" ||
		fail "$s's log does not say where the admin token comes from: $(grep -i 'admin token' <<<"$logs")"
done

# The database's health check must not pass while the image's entrypoint
# still runs its socket-only temporary server on first start: the instances
# would start against a database that is about to stop. Run the check, as
# the compose file states it, inside a fresh database held in that phase.
check=$(docker inspect --format '{{index .Config.Healthcheck.Test 1}}' "$(container db)")
mkdir -p "$work/initdb"
printf 'touch /tmp/in-init; sleep 6\n' >"$work/initdb/hold.sh"
docker run -d --name "$project-initprobe" -e POSTGRES_USER=routex -e POSTGRES_DB=routex -e POSTGRES_PASSWORD=probe \
	-v "$work/initdb:/docker-entrypoint-initdb.d:ro" postgres:16-alpine >/dev/null
for _ in $(seq 1 60); do docker exec "$project-initprobe" test -e /tmp/in-init 2>/dev/null && break; sleep 0.25; done
docker exec "$project-initprobe" test -e /tmp/in-init || fail "the init probe database never reached its init scripts"
if docker exec "$project-initprobe" sh -c "$check" >/dev/null 2>&1; then
	docker rm -f "$project-initprobe" >/dev/null
	fail "db's health check ($check) passes while the database is still being initialised"
fi
for _ in $(seq 1 60); do docker exec "$project-initprobe" sh -c "$check" >/dev/null 2>&1 && break; sleep 0.5; done
docker exec "$project-initprobe" sh -c "$check" >/dev/null 2>&1 || fail "db's health check never passes on a database that has started"
docker rm -f "$project-initprobe" >/dev/null
say "db's health check fails during first-start initialisation and passes after it"

# --- secrets: made once, owned by who reads them, never group/world readable
owners=$(compose run --rm -T secrets sh -c 'cd /secrets && stat -c "%n %u:%g %a" *' 2>/dev/null | tr '\n' ' ')
want="access_key 65532:65532 400 admin_token 65532:65532 400 database_url 65532:65532 400 db_password 70:70 400 "
[ "$owners" = "$want" ] || fail "secrets are [$owners], want [$want]"
for s in routex-a routex-b; do
	[ "$(docker inspect --format '{{.Config.User}}' "$(container "$s")")" = 65532:65532 ] || fail "$s does not run as 65532:65532"
done
ADMIN=$(secret admin_token)
KEY=$(secret access_key)
{ [ "${#ADMIN}" -gt 20 ] && [ "${#KEY}" -gt 20 ]; } || fail "the admin token or access key is empty"
say "secrets: $owners"

# --- a channel to a strict mock upstream, made through the load balancer
docker run -d --name "$project-mock" --network "${project}_default" --network-alias mock routex-test/mock >/dev/null
code=$(admin POST /api/channels '{"name":"mock","type":"anthropic","base_url":"http://mock:9090","api_key":"sk-scripted-upstream-key","models":["claude-mock-1"]}' -o /dev/null -w '%{http_code}')
[ "$code" = 201 ] || fail "POST /api/channels: $code"
code=$(admin PUT /api/routes '{"strategy":"priority","routes":{"default":["mock,claude-mock-1"]}}' -o /dev/null -w '%{http_code}')
[ "$code" = 200 ] || fail "PUT /api/routes: $code"
code=$(ncurl -o /dev/null -w '%{http_code}' -H "Host: elsewhere.test" "$base/health")
[ "$code" = 403 ] || fail "a Host that is not ROUTEX_HOSTNAME got $code through the load balancer, want 403"

# Both instances serve: nginx alternates, the shared request log shows both.
for i in $(seq 1 6); do
	read -r code secs < <(ask "$KEY")
	[ "$code" = 200 ] || fail "request $i through the load balancer: $code"
done
stream=$(ncurl -N -H "$host" -H "x-api-key: $KEY" -H 'anthropic-version: 2023-06-01' -H 'Content-Type: application/json' \
	"$base/v1/messages" -d "${message%\}},\"stream\":true}")
grep -q '^event: message_stop' <<<"$stream" || fail "the streamed request did not end with message_stop: ${stream:0:300}"
# Request-log rows are written in batches, hence both's pause.
both 7 "requests with the access key"
seen=$(instances 7)
served=$(docker logs "$project-mock" 2>/dev/null | grep -c '"status":200' || true)
[ "$served" -ge 7 ] || fail "the mock upstream answered $served requests with 200, want 7"
say "7 requests through :$ROUTEX_PORT reached the upstream, served by [$seen]"

# --- a key per person: made through one instance, refused on both once revoked
made=$(admin POST /api/keys '{"name":"alice","owner":"alice@example.com","rpm":100}')
alice=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$made")
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$made")
for i in $(seq 1 4); do
	read -r code secs < <(ask "$alice")
	[ "$code" = 200 ] || fail "alice's key, request $i: $code"
done
both 4 "alice's key"
code=$(admin DELETE "/api/keys/$id" -o /dev/null -w '%{http_code}')
[ "$code" = 200 ] || fail "DELETE /api/keys/$id: $code"
for i in $(seq 1 4); do
	read -r code secs < <(ask "$alice")
	[ "$code" = 403 ] || fail "alice's revoked key, request $i: $code, want 403"
done
both 4 "alice's revoked key"
say "a key made through the load balancer served on both instances, and was refused on both once revoked"

# --- one instance stopped: traffic still flows, without waiting long
compose stop routex-a >/dev/null 2>&1
slowest=0
for i in $(seq 1 6); do
	read -r code secs < <(ask "$KEY")
	[ "$code" = 200 ] || fail "request $i with routex-a stopped: $code"
	slowest=$(python3 -c "print(max($slowest, $secs))")
done
python3 -c "import sys; sys.exit(0 if $slowest < 5 else 1)" ||
	fail "with routex-a stopped a request took ${slowest} s (the load balancer waits for a dead instance)"
sleep 1.5
seen=$(instances 6)
[ "$seen" = "routex-b routex-b routex-b routex-b routex-b routex-b" ] || fail "with routex-a stopped the log shows [$seen]"
compose start routex-a >/dev/null 2>&1
say "routex-a stopped: 6 of 6 requests served by routex-b, slowest ${slowest} s"

# --- down and up again: the secrets, the database and its channel are kept
docker rm -f "$project-mock" >/dev/null
compose down --timeout 10 >/dev/null 2>&1
t0=$(date +%s)
compose up -d --no-build --wait --wait-timeout 180 >"$work/up.log" 2>&1 ||
	{ tail -n 20 "$work/up.log" >&2; fail "the second docker compose up failed"; }
[ "$(secret admin_token)" = "$ADMIN" ] || fail "the admin token changed across down and up"
channels=$(admin GET /api/channels | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d if isinstance(d, list) else d["channels"]))')
[ "$channels" = 1 ] || fail "after down and up there are $channels channels, want 1"
say "down and up again: healthy in $(($(date +%s) - t0)) s, the admin token and the channel kept"

# --- down -v leaves nothing of the project
compose down -v --timeout 10 >/dev/null 2>&1
up=
left=$(
	docker ps -aq --filter "label=com.docker.compose.project=$project"
	docker volume ls -q --filter "label=com.docker.compose.project=$project"
	docker network ls -q --filter "label=com.docker.compose.project=$project"
)
[ -z "$left" ] || fail "down -v left: $left"
say "down -v removed every container, volume and network of the project"
say "passed"
