#!/usr/bin/env bash
# Installs the build into a scratch prefix and uses it from there only: the
# examples in C (through pkg-config), Python and JavaScript make a chat call
# against the mock server, and the introspection tests run against the
# installed typelib. Prints TAP.
set -uo pipefail

builddir=$(realpath "${1:?usage: installed-test.sh BUILDDIR}")
srcdir=$(realpath "$(dirname "$0")/..")
dest=$(mktemp -d)
trap 'rm -rf "$dest" "$dest.log"; [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null' EXIT

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
check () { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

echo "1..6"

if ! meson install -C "$builddir" --destdir "$dest" --quiet >"$dest.log" 2>&1; then
  cat "$dest.log"
  not_ok "meson install"
  exit 1
fi
ok "meson install into a scratch prefix"

prefix=$(meson introspect "$builddir" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
libdir=$(meson introspect "$builddir" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"))')
root="$dest$prefix"
case "$libdir" in /*) lib="$dest$libdir" ;; *) lib="$root/$libdir" ;; esac

export LD_LIBRARY_PATH="$lib"
export GI_TYPELIB_PATH="$lib/girepository-1.0"
export PKG_CONFIG_PATH="$lib/pkgconfig"

# The mock server from the build tree; everything else from the prefix.
coproc SERVER { exec "$builddir/tests/oai-mock-server"; }
server_pid=$SERVER_PID
read -r url <&"${SERVER[0]}"
export OPENAI_BASE_URL="$url" OPENAI_API_KEY="sk-installed-test"

expected="Hello from the mock server"

# C with the installed header and library, found through the installed .pc
# file (whose paths name the final prefix: they are rebased onto the scratch one).
pc_flags () {
  local includedir libdir
  includedir=$(pkg-config --variable=includedir openai-glib-1) || return 1
  libdir=$(pkg-config --variable=libdir openai-glib-1) || return 1
  pkg-config --cflags openai-glib-1 | grep -q -- "-I$includedir/openai-glib-1" || return 1
  echo "-I$dest$includedir/openai-glib-1 -L$dest$libdir -lopenai-glib-1 $(pkg-config --cflags --libs gio-2.0)"
}
if flags=$(pc_flags) &&
   cc "$srcdir/examples/chat.c" -o "$dest/chat" $flags 2>"$dest/cc.log" &&
   [ "$("$dest/chat" "hi")" = "$expected" ]; then
  ok "C example built with pkg-config against the installed library"
else
  cat "$dest/cc.log" 2>/dev/null
  not_ok "C example built with pkg-config against the installed library"
fi

check "Python example with the installed typelib" \
  test "$(/usr/bin/python3 "$srcdir/examples/chat.py" hi)" = "$expected"
check "GJS example with the installed typelib" \
  test "$(gjs -m "$srcdir/examples/chat.js" hi)" = "$expected"

# The typelib really came from the prefix.
check "typelib loaded from the prefix" /usr/bin/python3 -c "
import gi, sys
gi.require_version('GIRepository', '2.0'); gi.require_version('Oai', '1')
from gi.repository import GIRepository, Oai
path = GIRepository.Repository.get_default().get_typelib_path('Oai')
sys.exit(0 if path.startswith('$dest') else 'typelib from ' + path)"

run_pytest () {
  OAI_MOCK_SERVER="$builddir/tests/oai-mock-server" OAI_TEST_FIXTURES="$srcdir/tests/fixtures" \
    OAI_CLI="$root/bin/oai" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider "$srcdir/tests/python" >"$dest/pytest.log" 2>&1 ||
    { cat "$dest/pytest.log"; return 1; }
}
check "Python tests (and the oai tool) against the installed files" run_pytest

exit $((failed > 0))
