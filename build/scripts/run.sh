#!/usr/bin/env bash
# Launch Structura. On a machine without a display (a server, CI) start a
# virtual one so the window still opens (view it with a VNC viewer or a
# screenshot: DISPLAY=:99 import -window root shot.png).
set -euo pipefail
APP=${1:-build/bin/structura}
shift || true
if [ "$(uname)" = Linux ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  if [ ! -e /tmp/.X11-unix/X99 ]; then
    echo "No display found: starting a virtual display :99 (Xvfb)."
    Xvfb :99 -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
    for _ in $(seq 1 100); do [ -e /tmp/.X11-unix/X99 ] && break; sleep 0.05; done
  fi
  export DISPLAY=:99
fi
exec "$APP" "$@"
