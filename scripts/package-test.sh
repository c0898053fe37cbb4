#!/usr/bin/env bash
# Tests what `make package` ships, from built binaries:
#   1. the headless binary is static, free of GTK/WebKit/Wails, and serves
#      /health and the dashboard, then stops on SIGTERM;
#   2. the .deb has the right control fields and files, installs with
#      dpkg -i (apt-get install -f for missing dependencies), runs
#      `routex version` from /usr/bin, and is gone after dpkg -r;
#   3. the headless .tar.gz holds the binary, which runs.
# Everything it starts, installs or writes is undone on exit, failed or not.
#   VERSION=... BIN=build/bin scripts/package-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
BIN=${BIN:-build/bin}
headless=$(realpath "$BIN/routex-headless")
desktop=$(realpath "$BIN/routex")

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

tmp=$(mktemp -d)
pid=""
installed_by_us=false
passed=0
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if $installed_by_us && dpkg-query -W -f='${Status}' routex 2>/dev/null | grep -q installed; then
    "${sudo_cmd[@]}" dpkg -r routex >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "package-test: FAIL: $*" >&2
  if [ -f "$tmp/serve.out" ]; then echo "--- routex serve output:" >&2; tail -20 "$tmp/serve.out" >&2; fi
  echo "package-test: $passed passed, 1 failed"
  exit 1
}
ok() { passed=$((passed + 1)); echo "package-test: ok: $*"; }

# --- 1. the headless binary ---------------------------------------------------
info=$(go version -m "$headless")
grep -q 'CGO_ENABLED=0' <<<"$info" || fail "routex-headless was not built with CGO_ENABLED=0"
if grep -Eiq 'wailsapp|gotk|webkit|gtk' <<<"$info"; then fail "routex-headless links desktop modules: $(grep -Ei 'wailsapp|gotk|webkit|gtk' <<<"$info")"; fi
ok "headless build has CGO_ENABLED=0 and no Wails/GTK modules"
ldd_out=$(ldd "$headless" 2>&1 || true)
grep -q 'not a dynamic executable' <<<"$ldd_out" || fail "routex-headless is dynamic: $ldd_out"
ok "headless binary is static (ldd: not a dynamic executable)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
ROUTEX_HOME=$tmp/home ROUTEX_LISTEN=127.0.0.1:$port HOME=$tmp "$headless" serve >"$tmp/serve.out" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -fsS "$base/health" >"$tmp/health.json" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || fail "routex-headless serve exited early"
  sleep 0.1
done
grep -q '"status":"ok"' "$tmp/health.json" || fail "/health did not answer ok: $(cat "$tmp/health.json")"
ok "headless serve answers /health: $(cat "$tmp/health.json")"
curl -fsS "$base/" >"$tmp/index.html" || fail "GET / failed"
if ! grep -qi '<!doctype html>' "$tmp/index.html" || ! grep -q 'id="root"' "$tmp/index.html"; then
  fail "GET / is not the dashboard: $(head -c 300 "$tmp/index.html")"
fi
ok "headless serve serves the dashboard HTML at /"
ROUTEX_HOME=$tmp/home "$headless" health --listen "127.0.0.1:$port" >"$tmp/hc.out" 2>&1 || fail "routex health failed: $(cat "$tmp/hc.out")"
ok "routex health: $(cat "$tmp/hc.out")"
kill -TERM "$pid"
stopped=false
for _ in $(seq 100); do
  if ! kill -0 "$pid" 2>/dev/null; then stopped=true; break; fi
  sleep 0.1
done
$stopped || fail "routex-headless did not stop within 10 s of SIGTERM"
code=0; wait "$pid" || code=$?
pid=""
[ "$code" -eq 0 ] || fail "routex-headless exited with $code after SIGTERM"
ok "headless serve stops on SIGTERM with exit status 0"
if ROUTEX_HOME=$tmp/home "$headless" health --listen "127.0.0.1:$port" --timeout 2s >/dev/null 2>&1; then
  fail "routex health says healthy with nothing listening"
fi
ok "routex health exits non-zero when nothing answers"

# --- 2. the .deb ----------------------------------------------------------------
check_version() { # input expected
  local got
  got=$(scripts/package-deb.sh debversion "$1")
  [ "$got" = "$2" ] || fail "Debian version of $1 is $got, want $2"
}
check_version v1.2.3 1.2.3
check_version v1.2.0-rc1 1.2.0~rc1
check_version v1.2.3-4-gabc1234 1.2.3+git4.gabc1234
check_version v1.2.3-4-gabc1234-dirty 1.2.3+git4.gabc1234+dirty
check_version 7605f1c 0.0.0~git7605f1c
check_version dev 0.0.0~dev
ok "git describe versions become valid Debian versions"

OUT=$tmp/dist VERSION=$VERSION BIN=$BIN scripts/package-deb.sh >"$tmp/package.out" || fail "package-deb.sh failed: $(cat "$tmp/package.out")"
debver=$(scripts/package-deb.sh debversion "$VERSION")
arch=$(dpkg --print-architecture)
deb=$tmp/dist/routex_${debver}_${arch}.deb
tgz=$tmp/dist/routex-headless_${VERSION#v}_linux_${arch}.tar.gz
[ -f "$deb" ] || fail "no $deb; built: $(ls "$tmp/dist")"
[ -f "$tgz" ] || fail "no $tgz; built: $(ls "$tmp/dist")"
ok "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) and $(basename "$tgz") ($(du -h "$tgz" | cut -f1))"

dpkg-deb --info "$deb" >"$tmp/info"
for field in "Package: routex" "Version: $debver" "Architecture: $arch" "Depends: libwebkit2gtk-4.1-0, libgtk-3-0"; do
  grep -qxF " $field" "$tmp/info" || fail "control lacks '$field': $(cat "$tmp/info")"
done
ok "dpkg-deb --info: Package routex, Version $debver, Depends on WebKitGTK 4.1 and GTK 3"
dpkg-deb --contents "$deb" | awk '{print $1, $2, $NF}' >"$tmp/contents"
want=(./usr/bin/routex ./usr/share/applications/routex.desktop ./usr/lib/systemd/user/routex.service)
for size in 16 22 24 32 48 64 128 256 512; do want+=("./usr/share/icons/hicolor/${size}x${size}/apps/routex.png"); done
for f in "${want[@]}"; do grep -q " $f\$" "$tmp/contents" || fail "deb lacks $f"; done
grep -q '^-rwxr-xr-x root/root ./usr/bin/routex$' "$tmp/contents" || fail "/usr/bin/routex is not root-owned 0755: $(grep usr/bin "$tmp/contents")"
ok "dpkg-deb --contents: binary, desktop entry, systemd user unit and ${#want[@]} files in all"
dpkg-deb -x "$deb" "$tmp/x"
identify -format '%w' "$tmp/x/usr/share/icons/hicolor/48x48/apps/routex.png" | grep -qx 48 || fail "48x48 icon is not 48 px wide"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$tmp/x/usr/share/applications/routex.desktop" || fail "desktop entry does not validate"
  ok "desktop-file-validate accepts routex.desktop"
fi

if dpkg-query -W -f='${Status}' routex 2>/dev/null | grep -q 'install ok installed'; then
  echo "package-test: SKIP: routex is installed on this machine already; not installing over it"
else
  installed_by_us=true
  if ! "${sudo_cmd[@]}" dpkg -i "$deb" >"$tmp/dpkg.out" 2>&1; then
    echo "package-test: dpkg -i left dependencies unmet; apt-get install -f"
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -f -y -qq >>"$tmp/dpkg.out" 2>&1 || fail "apt-get install -f failed: $(tail "$tmp/dpkg.out")"
  fi
  dpkg-query -W -f='${Status} ${Version}' routex | grep -q "install ok installed $debver" || fail "routex not installed: $(tail "$tmp/dpkg.out")"
  ok "dpkg -i installed routex $debver"
  [ "$(command -v routex)" = /usr/bin/routex ] || [ -x /usr/bin/routex ] || fail "/usr/bin/routex missing after install"
  got=$(HOME=$tmp ROUTEX_HOME=$tmp/home /usr/bin/routex version)
  want_v=$("$desktop" version)
  if [ "$got" != "$want_v" ] || ! grep -qF "routex $VERSION " <<<"$got"; then
    fail "/usr/bin/routex version = '$got', want '$want_v'"
  fi
  ok "/usr/bin/routex version: $got"
  for f in /usr/share/applications/routex.desktop /usr/share/icons/hicolor/256x256/apps/routex.png /usr/lib/systemd/user/routex.service; do
    [ -f "$f" ] || fail "$f missing after install"
  done
  if command -v systemd-analyze >/dev/null; then
    SYSTEMD_LOG_LEVEL=err systemd-analyze verify /usr/lib/systemd/user/routex.service >"$tmp/verify.out" 2>&1 \
      || fail "systemd-analyze verify: $(cat "$tmp/verify.out")"
    ok "systemd-analyze verify accepts routex.service"
  fi
  "${sudo_cmd[@]}" dpkg -r routex >"$tmp/dpkg-r.out" 2>&1 || fail "dpkg -r failed: $(cat "$tmp/dpkg-r.out")"
  installed_by_us=false
  [ ! -e /usr/bin/routex ] || fail "/usr/bin/routex still there after dpkg -r"
  [ ! -e /usr/share/applications/routex.desktop ] || fail "desktop entry still there after dpkg -r"
  ok "dpkg -r removed routex and /usr/bin/routex is gone"
fi

# --- 3. the headless archive ------------------------------------------------------
name=$(basename "$tgz" .tar.gz)
tar -tzf "$tgz" | sort >"$tmp/tar.list"
for f in "$name/routex" "$name/README.md" "$name/INSTALL.md" "$name/routex.service"; do
  grep -qx "$f" "$tmp/tar.list" || fail "$(basename "$tgz") lacks $f: $(cat "$tmp/tar.list")"
done
ok "tar.gz holds routex, README.md, INSTALL.md and routex.service"
mkdir -p "$tmp/untar"
tar -xzf "$tgz" -C "$tmp/untar"
got=$("$tmp/untar/$name/routex" version)
grep -qF "routex $VERSION " <<<"$got" || fail "archived routex version = '$got', want $VERSION"
grep -q '^ExecStart=/usr/local/bin/routex serve$' "$tmp/untar/$name/routex.service" || fail "archived unit does not start /usr/local/bin/routex"
ok "archived binary runs: $got"

echo "package-test: $passed passed, 0 failed"
