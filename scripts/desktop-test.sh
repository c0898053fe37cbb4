#!/usr/bin/env bash
# Starts the desktop binary in a real window under Xvfb and a private D-Bus
# session, checks that the window opened and that its dashboard loaded the
# channel list through the in-process API, and saves a screenshot.
# Then it takes the screenshots the README points to: the dashboard and the
# channels page, in English and Chinese, in build/screenshots/.
#   scripts/desktop-test.sh build/bin/routex
set -euo pipefail
bin=$(realpath "${1:?usage: desktop-test.sh PATH_TO_ROUTEX}")
out=$(pwd)/build/test-results
shots=$(pwd)/build/screenshots
mkdir -p "$out" "$shots"
home=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
token=desktop-admin-token
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$home"
}
trap cleanup EXIT
fail() { echo "desktop-test: FAIL: $*" >&2; echo "--- log:" >&2; tail -40 "$home/logs/routex.log" >&2 || true; exit 1; }

wait_for() { # seconds, command...
  local n=$1; shift
  for _ in $(seq $((n * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

export HOME=$home CLAUDE_CONFIG_DIR=$home/.claude ROUTEX_HOME=$home ROUTEX_ADMIN_TOKEN=$token ROUTEX_ACCESS_KEY=desktop-access-key

# 1. A channel to show, created through the API of a headless run.
"$bin" serve --listen "127.0.0.1:$port" >"$home/serve.out" 2>&1 &
serve_pid=$!
wait_for 15 curl -fsS "http://127.0.0.1:$port/health" || fail "serve did not answer /health"
curl -fsS -X POST "http://127.0.0.1:$port/api/channels" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' \
  -d '{"name":"desktop-demo","type":"anthropic","base_url":"https://api.anthropic.com","api_key":"sk-desktop-test-0000"}' >/dev/null \
  || fail "could not create a channel"
kill -INT "$serve_pid"; wait "$serve_pid" || fail "serve did not stop cleanly"

# 2. The window, on a private X display and D-Bus session.
display=":$((100 + RANDOM % 400))"
Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
wait_for 10 xdpyinfo -display "$display" || wait_for 10 xdotool getdisplaygeometry --display "$display" 2>/dev/null || sleep 2
export DISPLAY=$display WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1
dbus-run-session -- "$bin" --listen "127.0.0.1:$port" --log-level debug >"$home/desktop.out" 2>&1 &
pids+=($!)

wait_for 30 xdotool search --name '^Routex$' || fail "no window titled Routex appeared"
loaded() { grep -q '"msg":"desktop api request".*"path":"/api/channels","status":200' "$home/logs/routex.log"; }
wait_for 30 loaded || fail "the window never loaded /api/channels through the in-process API"
curl -fsS "http://127.0.0.1:$port/health" >/dev/null || fail "the desktop app's engine does not answer on its port"
# One engine per home: a second engine is refused with the running one's
# address, and a second launch of the app brings the first window forward.
port2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if "$bin" serve --listen "127.0.0.1:$port2" >"$home/serve-dup.out" 2>&1; then fail "a second engine started on the same home"; fi
grep -q "127.0.0.1:$port" "$home/serve-dup.out" || fail "the refused engine did not name the running one: $(cat "$home/serve-dup.out")"
timeout 30 dbus-run-session -- "$bin" >"$home/desktop2.out" 2>&1 || fail "a second launch of the app failed: $(cat "$home/desktop2.out")"
grep -q "brought forward" "$home/desktop2.out" || fail "a second launch did not bring the window forward: $(cat "$home/desktop2.out")"
shown() { grep -q '"msg":"window shown on request of another launch"' "$home/logs/routex.log"; }
wait_for 10 shown || fail "the running app was not asked to show its window"
sleep 2 # let the page paint the list
import -display "$display" -window root "$out/desktop.png"
spread=$(convert "$out/desktop.png" -gravity center -crop 1000x600+0+0 +repage -colorspace Gray -format '%[fx:standard_deviation]' info:)
awk -v s="$spread" 'BEGIN { exit !(s > 0.005) }' || fail "the screenshot is blank (standard deviation $spread)"
# 3. SIGTERM closes the window and stops the engine gracefully.
pkill -TERM -f -- "--listen 127.0.0.1:$port --log-level debug" || fail "desktop process not found"
stopped() { grep -q '"msg":"engine stopped"' "$home/logs/routex.log"; }
wait_for 15 stopped || fail "SIGTERM did not shut the engine down gracefully"
# 4. Screenshots with some traffic to show: a mock upstream, a few requests.
node scripts/mock-upstream.mjs >"$home/mock.url" 2>"$home/mock.err" &
pids+=($!)
wait_for 10 test -s "$home/mock.url" || fail "the mock upstream did not start"
mock=$(head -1 "$home/mock.url")
"$bin" serve --listen "127.0.0.1:$port" >"$home/serve2.out" 2>&1 &
serve_pid=$!
wait_for 15 curl -fsS "http://127.0.0.1:$port/health" || fail "serve did not answer /health"
api() { curl -fsS -X "$1" "http://127.0.0.1:$port$2" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
api POST /api/channels '{"name":"anthropic","type":"anthropic","base_url":"'"$mock"'","api_key":"sk-good-0000000000","models":["claude-sonnet-4-5"]}' >/dev/null
api POST /api/channels '{"name":"deepseek","type":"openai","base_url":"https://api.deepseek.com/v1","api_key":"sk-ds-0000000000","models":["deepseek-chat"],"priority":2}' >/dev/null
channel_id() { api GET /api/channels | python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin)["channels"] if c["name"]==sys.argv[1]][0])' "$1"; }
deepseek_id=$(channel_id deepseek)
api PUT /api/active '{"channel_id":'"$(channel_id anthropic)"'}' >/dev/null
for i in 1 2 3 4 5 6; do
  curl -fsS "http://127.0.0.1:$port/v1/messages" -H "x-api-key: desktop-access-key" -H 'Content-Type: application/json' \
    -d '{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hello '"$i"'"}]}' >/dev/null \
    || fail "request $i through the engine failed"
done
# The app on a home whose engine runs headless opens its window on that
# engine's dashboard instead of starting a second engine.
dbus-run-session -- "$bin" --log-level debug >"$home/attached.out" 2>&1 &
attached=$!
wait_for 30 xdotool search --name '^Routex$' || fail "no window attached to the running engine: $(cat "$home/attached.out")"
through() { grep -q 'msg="desktop api request" attached=.* path=/api/channels status=200' "$home/attached.out"; }
wait_for 30 through || fail "the attached window did not load /api/channels from the running engine: $(tail -5 "$home/attached.out")"
for child in $(pgrep -P "$attached"); do kill -TERM "$child"; done # the app, not only its D-Bus session
wait "$attached" || true
wait_for 10 sh -c "! xdotool search --name '^Routex\$'" || true
curl -fsS "http://127.0.0.1:$port/health" >/dev/null || fail "closing the attached window stopped the running engine"
kill -INT "$serve_pid"; wait "$serve_pid" || true

shoot() { # language page
  local lang=$1 page=$2 file="$shots/desktop-$1-$2.png"
  # A fresh HOME each time: the window's own storage starts empty and
  # takes the engine's language.
  local winhome; winhome=$(mktemp -d -p "$home")
  sed -i 's/"language": *"[a-z]*"/"language": "'"$lang"'"/' "$home/config.json"
  HOME=$winhome dbus-run-session -- "$bin" --listen "127.0.0.1:$port" --page "$page" >"$home/shot.out" 2>&1 &
  local app=$!
  wait_for 30 xdotool search --name '^Routex$' || fail "no window for $lang/$page"
  # A page that did not render (a Content-Security-Policy that WebKit
  # enforces more strictly than Chromium, say) stays one flat colour; on a
  # busy machine WebKit may take a while to paint, so wait for it.
  local spread=0
  for _ in $(seq 30); do
    sleep 1
    import -display "$display" -window root "$file"
    spread=$(convert "$file" -gravity center -crop 1000x600+0+0 +repage -colorspace Gray -format '%[fx:standard_deviation]' info:)
    awk -v s="$spread" 'BEGIN { exit !(s > 0.005) }' && break
  done
  awk -v s="$spread" 'BEGIN { exit !(s > 0.005) }' || fail "the $lang/$page window is blank after 30 s (standard deviation $spread): $(tail -20 "$home/shot.out")"
  sleep 3 # charts animate in
  import -display "$display" -window root "$file"
  pkill -TERM -f -- "--listen 127.0.0.1:$port --page $page" || true
  wait "$app" 2>/dev/null || true
  wait_for 10 sh -c "! xdotool search --name '^Routex\$'" || true
}
for lang in en zh; do
  for page in dashboard channels routing tools; do shoot "$lang" "$page"; done
done
echo "desktop-test: screenshots in $shots"

# 5. Switch the active provider from the window, with the keyboard as a
# user would (Tab reaches the header's provider switcher first), and check
# that the engine and the tray follow. The private session bus has no tray
# host, so the window must also say once that there is no tray menu.
sed -i 's/"language": *"[a-z]*"/"language": "en"/' "$home/config.json"
cat >"$home/switch.sh" <<SWITCH
set -eu
HOME=\$(mktemp -d -p "$home") "$bin" --listen "127.0.0.1:$port" --page dashboard >"$home/switch.out" 2>&1 &
app=\$!
for _ in \$(seq 150); do xdotool search --name '^Routex\$' >/dev/null 2>&1 && break; sleep 0.2; done
wid=\$(xdotool search --name '^Routex\$' | head -1)
sleep 4
tray=\$(curl -fsS "http://127.0.0.1:$port/api/info" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tray"])')
echo "tray=\$tray"
import -display "$display" -window root "$shots/desktop-en-no-tray-notice.png"
xdotool windowfocus --sync "\$wid" || true
xdotool key --delay 200 Tab Return
sleep 1
import -display "$display" -window root "$shots/desktop-en-switcher-open.png"
xdotool key --delay 300 Down Return
for _ in \$(seq 50); do
  active=\$(curl -fsS "http://127.0.0.1:$port/api/active" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["channel_id"])')
  [ "\$active" = "$deepseek_id" ] && break
  sleep 0.2
done
echo "active=\$active"
sleep 2
tip=\$(gdbus call --session --dest "org.kde.StatusNotifierItem-\$app-1" --object-path /StatusNotifierItem \
  --method org.freedesktop.DBus.Properties.Get org.kde.StatusNotifierItem ToolTip 2>&1 || true)
echo "tooltip=\$tip"
import -display "$display" -window root "$shots/desktop-en-switched.png"
kill -TERM "\$app"; wait "\$app" 2>/dev/null || true
SWITCH
dbus-run-session -- bash "$home/switch.sh" >"$home/switch.log" 2>&1 || fail "the provider switch session failed: $(cat "$home/switch.log")"
grep -q "^tray=no_host$" "$home/switch.log" || fail "the window was not told that no tray host shows the icon: $(cat "$home/switch.log")"
grep -q "^active=$deepseek_id$" "$home/switch.log" || fail "switching the provider from the window did not reach the engine: $(cat "$home/switch.log")"
grep -q "Routex — deepseek" "$home/switch.log" || fail "the tray does not show the provider switched in the window: $(cat "$home/switch.log")"
echo "desktop-test: provider switched from the window (keyboard), the engine and the tray followed"

echo "desktop-test: window opened, channel list loaded in-process, screenshot $out/desktop.png, clean shutdown on SIGTERM,"
echo "desktop-test: one engine per home (second engine refused, second launch shown, window attached to a headless engine)"
