#!/usr/bin/env bash
# with-keyring.sh [--no-keyring] COMMAND [ARGS…]
#
# Runs COMMAND with a temporary HOME and XDG directories, on a private D-Bus
# session bus with a fresh gnome-keyring whose login keyring is unlocked
# (password "test"). With --no-keyring nothing provides the Secret Service,
# and CONFAB_TEST_NO_KEYRING=1 tells the test so.
#
# The bus is always a private one, even inside dbus-run-session: tests that
# run in parallel must not share a keyring, and a keyring on the caller's bus
# could be the user's own. The bus has no service directories, so nothing is
# D-Bus-activated either: with the standard configuration, a lookup would
# start gnome-keyring-daemon against the real home directory.
set -eu

# The tests speak TAP, so a missing tool is a skipped plan, not a failure.
for tool in dbus-run-session gdbus gnome-keyring-daemon; do
  if ! command -v "$tool" > /dev/null; then
    echo "1..0 # SKIP $tool is not installed"
    exit 0
  fi
done

if [ -z "${WITH_KEYRING_SCRATCH:-}" ]; then
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/with-keyring.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
  cat > "$scratch/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$scratch</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
  # Not exec: the trap removes the scratch directory afterwards.
  status=0
  WITH_KEYRING_SCRATCH=$scratch dbus-run-session --config-file="$scratch/bus.conf" -- \
    "$0" "$@" || status=$?
  exit "$status"
fi

scratch=$WITH_KEYRING_SCRATCH
unset WITH_KEYRING_SCRATCH

keyring=yes
if [ "${1:-}" = --no-keyring ]; then
  keyring=no
  shift
fi

# Nothing on this bus provides the accessibility bus either.
export GTK_A11Y=none

export HOME="$scratch/home"
export XDG_CONFIG_HOME="$scratch/config"
export XDG_DATA_HOME="$scratch/data"
export XDG_CACHE_HOME="$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/runtime"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

daemon_pid=
cleanup () {
  if [ -n "$daemon_pid" ]; then
    kill "$daemon_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

if [ "$keyring" = yes ]; then
  # Not under the test's G_DEBUG: a warning of the daemon's is no test failure.
  eval "$(printf '%s' test | env -u G_DEBUG gnome-keyring-daemon --unlock --components=secrets)"
  # The daemon forks; make sure it owns the name before the test asks for it.
  gdbus wait --session --timeout 10 org.freedesktop.secrets
  # gnome-keyring no longer prints its pid; the bus knows it.
  daemon_pid=$(gdbus call --session --dest org.freedesktop.DBus \
                 --object-path /org/freedesktop/DBus \
                 --method org.freedesktop.DBus.GetConnectionUnixProcessID \
                 org.freedesktop.secrets | sed 's/^(uint32 \([0-9]*\),)$/\1/')
else
  export CONFAB_TEST_NO_KEYRING=1
fi

status=0
"$@" || status=$?
exit "$status"
