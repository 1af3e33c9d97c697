# The client through GObject introspection, as a Python program uses it.

import gi
import pytest

gi.require_version("Oai", "1")
from gi.repository import Gio, GLib, Oai  # noqa: E402


def hello_request():
    request = Oai.ChatRequest.new("gpt-4o-mini")
    request.add_message(Oai.Role.USER, "Say hello")
    return request


def test_blocking_chat(mock_server, client_for):
    server = mock_server({"default": {"content": "Hello from Python!",
                                      "headers": {"x-request-id": "req_py"}}})
    client = client_for(server)

    response = client.chat(hello_request(), None)

    assert response.get_content() == "Hello from Python!"
    assert response.get_refusal() is None
    assert response.get_finish_reason() == "stop"
    assert response.get_request_id() == "req_py"
    assert response.get_attempts() == 1
    usage = response.get_usage()
    assert (usage.props.prompt_tokens, usage.props.completion_tokens, usage.props.total_tokens) == (9, 12, 21)
    assert client.props.cost_tracker.get_prompt_tokens() == 9


def test_async_chat_with_main_loop(mock_server, client_for):
    server = mock_server({"default": {"content": "async hello"}})
    client = client_for(server)
    loop = GLib.MainLoop()
    result = {}

    def done(client, res):
        result["response"] = client.chat_finish(res)
        loop.quit()

    client.chat_async(hello_request(), None, done)
    loop.run()

    assert result["response"].get_content() == "async hello"


def test_errors_are_gerrors_with_codes(mock_server, client_for):
    server = mock_server({"default": {"status": 401, "body_file": "error-401-invalid_api_key.json",
                                      "headers": {"x-request-id": "req_401"}}})
    client = client_for(server)
    alerts = []
    client.connect("alert", lambda c, kind, message: alerts.append((kind, message)))

    with pytest.raises(GLib.Error) as info:
        client.chat(hello_request(), None)

    error = info.value
    assert error.matches(Oai.error_quark(), Oai.Error.AUTHENTICATION)
    assert "Incorrect API key provided" in error.message
    assert "req_401" in error.message
    assert "sk-python-test" not in error.message
    assert not Oai.error_is_retryable(error)
    assert alerts and alerts[0][0] == Oai.AlertKind.AUTHENTICATION


def test_retries_are_signalled(mock_server, client_for):
    server = mock_server({
        "answers": [{"status": 500, "body_file": "error-500-server_error.json"},
                    {"status": 429, "body": "{}", "headers": {"retry-after-ms": "30"}}],
        "default": {"content": "third time lucky"},
    })
    client = client_for(server)
    retries = []
    records = []
    client.connect("retrying", lambda c, attempt, error, delay: retries.append((attempt, error.code, delay)))
    client.connect("request-finished", lambda c, record: records.append(record))

    response = client.chat(hello_request(), None)

    assert response.get_content() == "third time lucky"
    assert response.get_attempts() == 3
    assert [r[0] for r in retries] == [2, 3]
    assert retries[0][1] == Oai.Error.SERVER
    assert retries[1] == (3, Oai.Error.RATE_LIMITED, 30)
    assert len(records) == 1 and records[0].get_succeeded() and records[0].get_attempts() == 3


def test_cancellation(mock_server, client_for):
    server = mock_server({"default": {"action": "hang"}})
    client = client_for(server)
    cancellable = Gio.Cancellable()
    GLib.timeout_add(100, lambda: cancellable.cancel() or False)
    loop = GLib.MainLoop()
    outcome = {}

    def done(client, res):
        try:
            client.chat_finish(res)
        except GLib.Error as e:
            outcome["error"] = e
        loop.quit()

    client.chat_async(hello_request(), cancellable, done)
    loop.run()

    assert outcome["error"].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def test_refusal_is_an_answer(mock_server, client_for):
    body = ('{"choices":[{"index":0,"message":{"role":"assistant","content":null,'
            '"refusal":"I can\'t help with that."},"finish_reason":"content_filter"}]}')
    server = mock_server({"default": {"body": body}})
    response = client_for(server).chat(hello_request(), None)

    assert response.get_refusal() == "I can't help with that."
    assert response.get_finish_reason() == "content_filter"
    assert response.get_usage() is None


def test_model_types():
    usage = Oai.Usage(prompt_tokens=9, completion_tokens=3, cached_tokens=2)
    assert usage.props.total_tokens == 12
    assert usage.props.cached_tokens == 2
    assert usage.props.estimated is False

    request = hello_request()
    request.add_tool("get_weather", "Weather now", '{"type":"object"}')
    request.set_extra("seed", "7")
    with pytest.raises(GLib.Error) as info:
        request.add_tool("get weather", None, None)
    assert info.value.matches(Oai.error_quark(), Oai.Error.INVALID_REQUEST)
    assert '"seed":7' in request.to_json(False)
    assert request.get_messages().get_n_items() == 1
    assert request.get_messages().get_item(0).props.content == "Say hello"


def test_cost_tracker(mock_server, client_for, tmp_path):
    usage = Oai.Usage(prompt_tokens=1000000, cached_tokens=200000, completion_tokens=500000)
    tracker = Oai.CostTracker.new()
    assert tracker.cost_for("gpt-4o-2024-08-06", usage) == pytest.approx(7.25)
    assert tracker.cost_for("not-a-model", usage) != tracker.cost_for("not-a-model", usage)  # NaN

    server = mock_server({"default": {"content": "priced"}})
    client = client_for(server)
    ledger = Oai.CostTracker.new_with_ledger(str(tmp_path / "ledger.db"))
    client.props.cost_tracker = ledger
    response = client.chat(hello_request(), None)

    assert response.get_cost() == pytest.approx((9 * 0.15 + 12 * 0.60) / 1e6)
    assert ledger.props.month_to_date == pytest.approx(response.get_cost())
    now = GLib.DateTime.new_now_utc()
    rows = ledger.get_spend_by_model(now.add_days(-1), now.add_days(1))
    assert [(r.props.key, r.props.requests) for r in rows] == [("gpt-4o-mini-2024-07-18", 1)]

    with pytest.raises(GLib.Error) as info:
        Oai.CostTracker.new_with_ledger(str(tmp_path))
    assert info.value.matches(Oai.error_quark(), Oai.Error.FAILED)
