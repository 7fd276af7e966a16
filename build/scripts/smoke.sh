#!/usr/bin/env bash
# Acceptance check for `make run`: the production binary, started the way
# `make run` starts it, opens a real window that renders something (not a
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
# Wait until the page has painted: the window shows several colours.
for _ in $(seq 1 100); do
  import -window root "$OUT/app-window.png"
  COLOURS=$(identify -format "%k" "$OUT/app-window.png")
  [ "$COLOURS" -gt 50 ] && break
  sleep 0.2
done
echo "smoke: window $WID rendered with $COLOURS colours -> build/screenshots/app-window.png"
[ "$COLOURS" -gt 50 ] || { echo "smoke: the window stayed blank"; cat "$DATA/stdout.log"; exit 1; }
' smoke "$APP" "$OUT" "$ROOT"
