#!/usr/bin/python3
# stream.py: a streamed chat in a terminal, with its cost at the end
#
#   OPENAI_API_KEY=sk-… ./stream.py "Tell me a joke"

import math
import sys

import gi

gi.require_version("Oai", "1")
from gi.repository import GLib, Oai  # noqa: E402

client = Oai.Client.new_from_environment()
request = Oai.ChatRequest.new("gpt-4o-mini")
request.add_message(Oai.Role.USER, sys.argv[1] if len(sys.argv) > 1 else "Tell me a joke")

stream = client.stream_chat(request)
stream.connect("content-delta", lambda stream, text: print(text, end="", flush=True))
loop = GLib.MainLoop()
status = 0


def done(stream, result):
    global status
    try:
        response = stream.run_finish(result)
        usage = response.get_usage()
        cost = response.get_cost()
        print()
        print("— %d tokens, %s" % (usage.props.total_tokens if usage else 0,
                                   "cost unknown" if math.isnan(cost) else "$%.6f" % cost),
              file=sys.stderr)
    except GLib.Error as error:
        print("\n" + error.message, file=sys.stderr)
        status = 1
    loop.quit()


stream.run_async(None, done)
loop.run()
sys.exit(status)
