#!/usr/bin/env bash
# Acceptance check for `make run`: the production binary, started the way
# `make run` starts it, opens a real window and shows the Groups screen (not a
# blank rectangle). Saves build/screenshots/app-window.png from the X display.
set -euo pipefail
APP=${1:-build/bin/structura}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/build/screenshots"
mkdir -p "$OUT"
exec "$ROOT/build/scripts/with-keyring.sh" "$ROOT/build/scripts/with-xvfb.sh" bash -c '
set -euo pipefail
APP=$1; OUT=$2; ROOT=$3
DATA=$(mktemp -d /tmp/structura-smoke.XXXXXX)
STRUCTURA_DATA_DIR=$DATA "$ROOT/build/scripts/run.sh" "$ROOT/$APP" >"$DATA/stdout.log" 2>&1 &
PID=$!
trap "kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf $DATA" EXIT
WID=
for _ in $(seq 1 200); do
  WID=$(xdotool search --onlyvisible --name "^Structura$" 2>/dev/null | head -1 || true)
  [ -n "$WID" ] && break
  kill -0 $PID 2>/dev/null || { echo "smoke: the app exited early:"; cat "$DATA/stdout.log"; exit 1; }
  sleep 0.1
done
[ -n "$WID" ] || { echo "smoke: no Structura window appeared"; cat "$DATA/stdout.log"; exit 1; }
# The frontend in the window reports the screen it shows (App.ScreenShown, logged).
for _ in $(seq 1 300); do
  grep -q "\"screen\":\"groups\"" "$DATA/logs/structura.log" 2>/dev/null && break
  kill -0 $PID 2>/dev/null || { echo "smoke: the app exited early:"; cat "$DATA/stdout.log"; exit 1; }
  sleep 0.1
done
grep -q "\"screen\":\"groups\"" "$DATA/logs/structura.log" || { echo "smoke: the window never showed the Groups screen"; cat "$DATA/stdout.log"; exit 1; }
# Then wait until it has painted: two identical screenshots in a row.
LAST=
for _ in $(seq 1 100); do
  import -window root "$OUT/app-window.png"
  SUM=$(md5sum < "$OUT/app-window.png")
  [ "$SUM" = "$LAST" ] && break
  LAST=$SUM
  sleep 0.25
done
COLOURS=$(identify -format "%k" "$OUT/app-window.png")
echo "smoke: window $WID shows the Groups screen ($COLOURS colours) -> build/screenshots/app-window.png"
[ "$COLOURS" -gt 500 ] || { echo "smoke: the window looks blank"; cat "$DATA/stdout.log"; exit 1; }
' smoke "$APP" "$OUT" "$ROOT"
