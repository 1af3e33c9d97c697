# Streaming through GObject introspection.

import json
import os

import gi
import pytest

gi.require_version("Oai", "1")
from gi.repository import Gio, GLib, Oai  # noqa: E402

FIXTURES = os.environ["OAI_TEST_FIXTURES"]


def expected(name):
    with open(os.path.join(FIXTURES, "streams", "expected.json"), encoding="utf-8") as f:
        return json.load(f)[name]


def run(stream, cancellable=None):
    loop = GLib.MainLoop()
    outcome = {}

    def done(stream, result):
        try:
            outcome["response"] = stream.run_finish(result)
        except GLib.Error as error:
            outcome["error"] = error
        loop.quit()

    stream.run_async(cancellable, done)
    loop.run()
    return outcome


def request():
    req = Oai.ChatRequest.new("gpt-4o")
    req.add_message(Oai.Role.USER, "What's the weather in San Francisco?")
    return req


def test_stream_deltas_and_answer(mock_server, client_for):
    name = "openai-python-e2aad469.sse"
    server = mock_server({"default": {"action": "stream", "body_file": "streams/" + name,
                                      "chunk_min": 1, "chunk_max": 40}})
    stream = client_for(server).stream_chat(request())
    deltas = []
    usages = []
    notified = []
    stream.connect("content-delta", lambda s, text: deltas.append(text))
    stream.connect("usage", lambda s, usage: usages.append(usage.props.total_tokens))
    stream.get_message().connect("notify::content", lambda m, p: notified.append(m.props.content))

    response = run(stream)["response"]

    want = expected(name)
    assert response.get_content() == want["content"]
    assert "".join(deltas) == want["content"]
    assert len(deltas) == want["deltas"]
    assert notified[-1] == want["content"] and len(notified) == len(deltas)
    assert response.get_finish_reason() == "stop"
    assert usages == [want["usage"]["total_tokens"]]
    assert response.get_usage().props.prompt_tokens == want["usage"]["prompt_tokens"]


def test_stream_tool_calls(mock_server, client_for):
    name = "openai-python-f82268f2.sse"
    server = mock_server({"default": {"action": "stream", "body_file": "streams/" + name,
                                      "crlf": True}})
    stream = client_for(server).stream_chat(request())
    calls = {}

    def on_tool_delta(stream, index, call_id, name, arguments):
        entry = calls.setdefault(index, {"id": call_id, "name": name, "arguments": ""})
        entry["arguments"] += arguments

    stream.connect("tool-call-delta", on_tool_delta)
    response = run(stream)["response"]

    want = expected(name)["tool_calls"]
    assert [calls[i] for i in sorted(calls)] == want
    got = response.get_tool_calls()
    assert [(got.get_item(i).props.id, got.get_item(i).props.name, got.get_item(i).props.arguments)
            for i in range(got.get_n_items())] == [(c["id"], c["name"], c["arguments"]) for c in want]
    assert response.get_finish_reason() == "tool_calls"


def test_stream_interrupted_keeps_partial_answer(mock_server, client_for):
    name = "openai-python-e2aad469.sse"
    server = mock_server({"default": {"action": "stream", "body_file": "streams/" + name,
                                      "cut_at": 3000}})
    stream = client_for(server).stream_chat(request())
    deltas = []
    stream.connect("content-delta", lambda s, text: deltas.append(text))

    error = run(stream)["error"]

    assert error.matches(Oai.error_quark(), Oai.Error.STREAM_INTERRUPTED)
    assert stream.get_message().props.content == "".join(deltas)
    assert deltas


def test_stream_cancel(mock_server, client_for):
    body = "".join('data: {"choices":[{"index":0,"delta":{"content":"%d "}}]}\n\n' % i for i in range(20))
    server = mock_server({"default": {"action": "stream", "body": body, "hang": True}})
    stream = client_for(server).stream_chat(request())
    cancellable = Gio.Cancellable()
    deltas = []

    def on_delta(stream, text):
        deltas.append(text)
        if len(deltas) == 5:
            cancellable.cancel()

    stream.connect("content-delta", on_delta)
    error = run(stream, cancellable)["error"]

    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    assert len(deltas) == 5
