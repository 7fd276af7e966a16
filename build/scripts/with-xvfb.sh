#!/usr/bin/env bash
# Run a command with a private Xvfb display (1440x900), started and stopped here.
set -euo pipefail
for n in $(seq 90 130); do
  [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { DISPLAY_NUM=$n; break; }
done
: "${DISPLAY_NUM:?no free X display number}"
Xvfb ":$DISPLAY_NUM" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
trap 'kill $XVFB_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -e "/tmp/.X11-unix/X$DISPLAY_NUM" ] && break
  sleep 0.05
done
export DISPLAY=":$DISPLAY_NUM"
"$@"
