#!/usr/bin/env bash
# Runs the Vala program against the mock server. Prints TAP.
set -u
mock=$1
program=$2

coproc SERVER { exec "$mock"; }
read -r url <&"${SERVER[0]}"
trap 'kill "$SERVER_PID" 2>/dev/null' EXIT

echo "1..1"
out=$("$program" "$url")
case "$out" in
  "Hello from the mock server|21|"[0-9]*) echo "ok 1 chat from Vala: $out" ;;
  *) echo "not ok 1 chat from Vala: got “$out”"; exit 1 ;;
esac
