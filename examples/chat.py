#!/usr/bin/python3
# chat.py: one chat call from Python
#
#   OPENAI_API_KEY=sk-… ./chat.py "Say hello"

import sys

import gi

gi.require_version("Oai", "1")
from gi.repository import GLib, Oai  # noqa: E402

client = Oai.Client.new_from_environment()
request = Oai.ChatRequest.new("gpt-4o-mini")
request.add_message(Oai.Role.USER, sys.argv[1] if len(sys.argv) > 1 else "Say hello")

try:
    response = client.chat(request, None)
except GLib.Error as error:
    print(error.message, file=sys.stderr)
    sys.exit(75 if Oai.error_is_retryable(error) else 1)

print(response.get_refusal() or response.get_content())
