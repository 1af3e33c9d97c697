# The tokenizer through GObject introspection, as a Python program uses it.

import gi
import pytest

gi.require_version("Oai", "1")
from gi.repository import GLib, Oai  # noqa: E402


def test_encode_gives_a_list_of_ints():
    tokenizer = Oai.Tokenizer.new("o200k_base")

    ids = tokenizer.encode("hello world", -1)

    assert ids == [24912, 2375]
    assert tokenizer.count("hello world", -1) == 2
    assert tokenizer.decode(ids) == "hello world"
    assert tokenizer.decode_bytes([24912]).get_data() == b"hello"
    assert tokenizer.props.encoding == "o200k_base"


def test_special_tokens():
    tokenizer = Oai.Tokenizer.new_for_model("gpt-4-0613")

    assert tokenizer.get_encoding() == "cl100k_base"
    assert tokenizer.encode_with_special("hello <|endoftext|>", -1) == [15339, 220, 100257]
    assert 100257 not in tokenizer.encode("hello <|endoftext|>", -1)


def test_errors():
    with pytest.raises(GLib.Error) as error:
        Oai.Tokenizer.new("p50k_base")
    assert error.value.matches(Oai.error_quark(), Oai.Error.INVALID_REQUEST)

    with pytest.raises(GLib.Error):
        Oai.Tokenizer.new_for_model("claude-3")

    with pytest.raises(GLib.Error):
        Oai.Tokenizer.new("o200k_base").decode([300000])


def test_count_request():
    tokenizer = Oai.Tokenizer.new_for_model("gpt-4o")
    request = Oai.ChatRequest.new("gpt-4o")
    request.add_message(Oai.Role.USER, "Hello there")

    assert tokenizer.count_request(request) == 3 + 3 + tokenizer.count("user", -1) + tokenizer.count("Hello there", -1)


def test_count_async():
    tokenizer = Oai.Tokenizer.new("o200k_base")
    loop = GLib.MainLoop()
    result = {}

    def done(tokenizer, res):
        result["count"] = tokenizer.count_finish(res)
        loop.quit()

    tokenizer.count_async("hello world " * 1000, -1, None, done)
    loop.run()

    assert result["count"] == tokenizer.count("hello world " * 1000, -1)
