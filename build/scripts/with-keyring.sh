#!/usr/bin/env bash
# Run a command inside a throwaway D-Bus session with an unlocked
# gnome-keyring (the Secret Service Linux desktops use), so tests touch a
# real keychain and never the user's own. Exits with the command's status.
set -uo pipefail
KR=$(mktemp -d /tmp/structura-keyring.XXXXXX)
mkdir -p -m 700 "$KR/run"
cleanup() {
  # Desktop portals started in the session may leave a FUSE mount behind.
  fusermount -u "$KR/run/doc" 2>/dev/null || umount "$KR/run/doc" 2>/dev/null || true
  rm -rf "$KR" 2>/dev/null || true
}
trap cleanup EXIT
env -u DBUS_SESSION_BUS_ADDRESS HOME="$KR" XDG_RUNTIME_DIR="$KR/run" \
  dbus-run-session -- sh -c 'echo -n test-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' sh "$@"
