#!/usr/bin/python3
# batch.py: many prompts from a file through a rate limiter, with a progress
# bar and a cost summary
#
#   OPENAI_API_KEY=sk-… ./batch.py prompts.txt [REQUESTS_PER_MINUTE] [TOKENS_PER_MINUTE]
#
# Every line of the file is a prompt; the answers are printed in order.

import math
import sys

import gi

gi.require_version("Oai", "1")
from gi.repository import GLib, Oai  # noqa: E402

if len(sys.argv) < 2:
    sys.exit("usage: batch.py PROMPTS [RPM] [TPM]")

prompts = [line.strip() for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
rpm = int(sys.argv[2]) if len(sys.argv) > 2 else 500
tpm = int(sys.argv[3]) if len(sys.argv) > 3 else 200000

client = Oai.Client.new_from_environment()
limiter = Oai.RateLimiter.new(rpm, tpm)
limiter.props.max_concurrent = 4
client.props.rate_limiter = limiter

answers = [None] * len(prompts)
failures = 0
loop = GLib.MainLoop()


def progress():
    done = sum(a is not None for a in answers)
    width = 30
    filled = width * done // len(prompts)
    print("\r[%s%s] %d/%d, %d waiting" % ("#" * filled, "-" * (width - filled), done, len(prompts),
                                          limiter.props.queued),
          end="", file=sys.stderr, flush=True)


def make_done(i):
    def done(client, result):
        global failures
        try:
            answers[i] = client.chat_finish(result).get_content() or ""
        except GLib.Error as error:
            answers[i] = "(failed: %s)" % error.message
            failures += 1
        progress()
        if all(a is not None for a in answers):
            loop.quit()
    return done


for i, prompt in enumerate(prompts):
    request = Oai.ChatRequest.new("gpt-4o-mini")
    request.add_message(Oai.Role.USER, prompt)
    client.chat_async(request, None, make_done(i))

if prompts:
    progress()
    loop.run()
print(file=sys.stderr)

for i, answer in enumerate(answers):
    print("%d: %s" % (i + 1, answer))

tracker = client.props.cost_tracker
cost = tracker.props.total_cost
print("%d prompts, %d failed, %d tokens, $%.6f" % (len(prompts), failures,
                                                  tracker.props.prompt_tokens + tracker.props.completion_tokens,
                                                  0 if math.isnan(cost) else cost),
      file=sys.stderr)
sys.exit(1 if failures else 0)
