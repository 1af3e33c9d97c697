# The oai command-line tool against the mock server.

import json
import os
import signal
import subprocess
import time

import gi

gi.require_version("Oai", "1")
from gi.repository import Oai  # noqa: E402

OAI = os.environ["OAI_CLI"]


def run(args, server, tmp_path, stdin=None, **kwargs):
    env = dict(os.environ, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-cli-test",
               OAI_LEDGER=str(tmp_path / "ledger.db"))
    return subprocess.run([OAI, *args], input=stdin, capture_output=True, text=True, env=env,
                          timeout=60, **kwargs)


def test_chat_streams_and_records(mock_server, tmp_path):
    server = mock_server({"default": {"action": "stream", "body_file": "streams/pydantic-ai-2.sse",
                                      "chunk_min": 1, "chunk_max": 30}})
    result = run(["chat", "What is the capital of the UK?"], server, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "The capital of the UK is London.\n"

    cost = run(["cost", "--month"], server, tmp_path)
    assert cost.returncode == 0
    assert "gpt-4o-mini-2024-07-18" in cost.stdout
    assert "1 calls" in cost.stdout


def test_chat_reads_stdin_and_prints_json(mock_server, tmp_path):
    server = mock_server({"default": {"content": "From stdin"}})
    result = run(["chat", "--json", "-m", "gpt-4o-mini"], server, tmp_path, stdin="Hello there\n")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["content"] == "From stdin"
    assert answer["usage"]["total_tokens"] == 21
    assert answer["cost"] > 0
    assert answer["attempts"] == 1


def test_exit_codes_follow_the_taxonomy(mock_server, tmp_path):
    server = mock_server({"default": {"status": 401, "body_file": "error-401-invalid_api_key.json"}})
    result = run(["chat", "hi"], server, tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith("oai: Incorrect API key provided")
    assert "sk-cli-test" not in result.stderr

    server = mock_server({"default": {"status": 404, "body": '{"error":{"message":"no such model","code":"model_not_found"}}'}})
    assert run(["chat", "-m", "gpt-9", "hi"], server, tmp_path).returncode == 5

    assert run(["bogus"], server, tmp_path).returncode == 2
    assert run(["chat", ""], server, tmp_path).returncode == 2


def test_count(mock_server, tmp_path):
    text = "Hello world! Bonjour le monde. こんにちは世界 🌍\n" * 200
    path = tmp_path / "text.txt"
    path.write_text(text)
    server = mock_server({})

    result = run(["count", "-m", "gpt-4o", str(path)], server, tmp_path)
    assert result.returncode == 0
    assert int(result.stdout) == Oai.Tokenizer.new("o200k_base").count(text, -1)

    result = run(["count", "-m", "gpt-4"], server, tmp_path, stdin="hello world")
    assert result.stdout == "2\n"


def test_ctrl_c_cancels(mock_server, tmp_path):
    body = 'data: {"choices":[{"index":0,"delta":{"content":"Once upon a time"}}]}\n\n'
    server = mock_server({"default": {"action": "stream", "body": body, "hang": True}})
    env = dict(os.environ, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-cli-test",
               OAI_LEDGER=str(tmp_path / "ledger.db"))
    process = subprocess.Popen([OAI, "chat", "Tell me a story"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    first = process.stdout.read(len("Once upon a time"))
    assert first == "Once upon a time"
    process.send_signal(signal.SIGINT)
    start = time.monotonic()
    process.wait(timeout=20)
    assert process.returncode == 130
    assert time.monotonic() - start < 10


def test_models(mock_server, tmp_path):
    server = mock_server({"default": {"body": '{"data":[{"id":"gpt-4o-mini"},{"id":"gpt-4o"}]}'}})
    result = run(["models"], server, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "gpt-4o\ngpt-4o-mini\n"

    server = mock_server({"default": {"status": 403, "body": '{"error":{"message":"not for you"}}'}})
    result = run(["models"], server, tmp_path)
    assert result.returncode == 4
    assert result.stderr.startswith("oai: not for you")
