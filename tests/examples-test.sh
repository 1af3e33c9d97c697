#!/usr/bin/env bash
# Runs every example, in C, Python and JavaScript, against the mock server.
# Prints TAP.
set -u
builddir=$1
srcdir=$(realpath "$(dirname "$0")/..")
mock="$builddir/tests/oai-mock-server"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"; kill $(jobs -p) 2>/dev/null' EXIT

# A mock server answering chats, and one streaming a recorded answer.
coproc CHAT { exec "$mock"; }
read -r chat_url <&"${CHAT[0]}"
printf '{"default":{"action":"stream","body_file":"streams/pydantic-ai-2.sse","chunk_max":20}}' > "$scratch/stream.json"
coproc STREAM { OAI_TEST_FIXTURES="$srcdir/tests/fixtures" exec "$mock" "$scratch/stream.json"; }
read -r stream_url <&"${STREAM[0]}"
export OPENAI_API_KEY=sk-examples-test

printf 'What is 1+1?\nName a colour.\n\nSay hello.\n' > "$scratch/prompts.txt"

n=0
failed=0
check () {
  local name=$1 expected=$2 out=$3
  n=$((n + 1))
  if [ "$out" = "$expected" ]; then echo "ok $n $name"; else
    failed=$((failed + 1)); echo "not ok $n $name"; printf '# got: %s\n' "$out" | head -5; fi
}

echo "1..9"
for lang in c py js; do
  case $lang in
    c) run () { "$builddir/examples/example-$1" "${@:2}"; } ;;
    py) run () { /usr/bin/python3 "$srcdir/examples/$1.py" "${@:2}"; } ;;
    js) run () { gjs -m "$srcdir/examples/$1.js" "${@:2}"; } ;;
  esac

  check "chat ($lang)" "Hello from the mock server" "$(OPENAI_BASE_URL=$chat_url run chat hi)"

  out=$(OPENAI_BASE_URL=$stream_url run stream "What is the capital of the UK?" 2>"$scratch/err")
  err=$(tr '\r' '\n' < "$scratch/err" | tail -n 1)
  check "stream ($lang)" "The capital of the UK is London.|— 87 tokens, \$0.000017" "$out|$err"

  out=$(OPENAI_BASE_URL=$chat_url run batch "$scratch/prompts.txt" 600 100000 2>"$scratch/err")
  err=$(tr '\r' '\n' < "$scratch/err" | tail -n 1)
  check "batch ($lang)" "1: Hello from the mock server
2: Hello from the mock server
3: Hello from the mock server|3 prompts, 0 failed, 63 tokens, \$0.000026" "$out|$err"
done

exit $((failed > 0))
