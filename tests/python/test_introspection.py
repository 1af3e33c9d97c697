# Everything public can be called from a language binding.

import os
import xml.etree.ElementTree as ET

import gi

gi.require_version("Oai", "1")
from gi.repository import Gio, GLib, Oai  # noqa: E402

CORE = "{http://www.gtk.org/introspection/core/1.0}"


def gir_path():
    for directory in os.environ.get("GI_TYPELIB_PATH", "").split(":"):
        for candidate in (os.path.join(directory, "Oai-1.gir"),
                          os.path.join(directory, "..", "..", "share", "gir-1.0", "Oai-1.gir"),
                          os.path.join(directory, "..", "..", "..", "share", "gir-1.0", "Oai-1.gir")):
            if os.path.exists(candidate):
                return candidate
    return None


def test_every_callable_is_introspectable():
    path = gir_path()
    if path is None:
        import pytest
        pytest.skip("no Oai-1.gir beside the typelib")
    root = ET.parse(path).getroot()
    callables = [node for tag in ("method", "function", "constructor", "virtual-method")
                 for node in root.iter(CORE + tag)]
    assert len(callables) > 150
    hidden = [node.get(f"{{http://www.gtk.org/introspection/c/1.0}}identifier") or node.get("name")
              for node in callables if node.get("introspectable") == "0"]
    assert hidden == []


def test_rate_limiter_and_models(mock_server, client_for):
    server = mock_server({"answers": [{"body": '{"data":[{"id":"b"},{"id":"a"}]}'}],
                          "default": {"content": "limited"}})
    client = client_for(server)
    limiter = Oai.RateLimiter.new(600, 100000)
    limiter.props.max_concurrent = 1
    client.props.rate_limiter = limiter

    loop = GLib.MainLoop()
    models = {}

    def listed(client, result):
        models["ids"] = client.list_models_finish(result)
        loop.quit()

    client.list_models_async(None, listed)
    loop.run()
    assert models["ids"] == ["a", "b"]

    request = Oai.ChatRequest.new("gpt-4o-mini")
    request.add_message(Oai.Role.USER, "hi")
    request.props.priority = 3
    assert client.chat(request, None).get_content() == "limited"
    assert limiter.props.queued == 0
    assert limiter.props.requests_per_minute == 600
