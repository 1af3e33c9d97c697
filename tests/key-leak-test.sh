#!/usr/bin/env bash
# The API key never appears in anything a run writes: logs at every level,
# standard output and error, the ledger and its write-ahead log, and what a
# process prints as it crashes (fatal criticals, a fatal signal mid-call).
# Prints TAP.
set -u
builddir=$1
srcdir=$(realpath "$(dirname "$0")/..")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"; kill $(jobs -p) 2>/dev/null' EXIT

key="sk-LEAKCHECK-0123456789abcdefghij"
export G_MESSAGES_DEBUG=all OAI_LEDGER="$scratch/ledger.db" OPENAI_API_KEY="$key"

# A server that quotes the key back in its errors, then answers.
cat > "$scratch/script.json" <<JSON
{"answers": [
  {"status": 401, "body": "{\"error\":{\"message\":\"Incorrect API key provided: $key\"}}"},
  {"status": 500, "body": "{\"error\":{\"message\":\"echo $key\"}}"},
  {"content": "fine"},
  {"action": "stream", "body": "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n"},
  {"action": "hang"},
  {"action": "hang"}
], "default": {"status": 429, "body": "{\"error\":{\"message\":\"slow down $key\"}}", "headers": {"retry-after-ms": "1"}}}
JSON
coproc SERVER { exec "$builddir/tests/oai-mock-server" "$scratch/script.json"; }
read -r url <&"${SERVER[0]}"
export OPENAI_BASE_URL="$url"

echo "1..3"
crash_status=()
{
  "$builddir/cli/oai" chat "first"          # 401
  "$builddir/cli/oai" chat --json "second"  # 500, then an answer
  "$builddir/cli/oai" chat "third"          # a stream
  # Killed mid-call, by an abort and by a segmentation fault: GLib and the
  # shell print what they print as the process dies.
  for sig in ABRT SEGV; do
    G_DEBUG=fatal-criticals "$builddir/cli/oai" chat "crash" &
    pid=$!
    sleep 1
    kill -s "$sig" "$pid"
    wait "$pid"
    crash_status+=($?)
  done
  # A key pasted with a line break inside: refused with an error, no critical
  # from libsoup (fatal here), and not quoted.
  OPENAI_API_KEY="$key"$'\r\n'"X-Injected: 1" G_DEBUG=fatal-criticals "$builddir/cli/oai" chat "broken key"
  crash_status+=($?)
  "$builddir/cli/oai" chat "fourth"         # 429 until the retries are spent
  "$builddir/cli/oai" cost
  "$builddir/cli/oai" models
} > "$scratch/out.txt" 2>&1

if grep -q "key was refused\|Incorrect API key" "$scratch/out.txt" && grep -q '"content":"fine"' "$scratch/out.txt"; then
  echo "ok 1 the run went through errors, retries, an answer and a stream"
else
  echo "not ok 1 the run did not do what it should"; sed 's/^/# /' "$scratch/out.txt" | head -20; exit 1
fi

# 128+6 and 128+11 for the signals; 3 (authentication) for the broken key.
if [ "${crash_status[*]}" = "134 139 3" ]; then
  echo "ok 2 the crashes and the broken key ended as they should (${crash_status[*]})"
else
  echo "not ok 2 exit statuses: ${crash_status[*]}, expected 134 139 3"; exit 1
fi

if grep -rqa --exclude=script.json -- "$key" "$scratch"; then
  echo "not ok 3 the key appears in what the run wrote:"
  grep -rla --exclude=script.json -- "$key" "$scratch" | sed 's/^/# /'
  exit 1
fi
echo "ok 3 the key appears nowhere: $(wc -l < "$scratch/out.txt") lines of output and logs, $(ls "$scratch" | wc -l) files"
