# Fixtures for the introspection tests: the mock server as a subprocess.

import json
import os
import subprocess
import tempfile

import gi
import pytest

gi.require_version("Oai", "1")
from gi.repository import GLib, Oai  # noqa: E402


class MockServer:
    def __init__(self, script):
        self._dir = tempfile.TemporaryDirectory()
        path = os.path.join(self._dir.name, "script.json")
        with open(path, "w") as f:
            json.dump(script, f)
        self.proc = subprocess.Popen(
            [os.environ["OAI_MOCK_SERVER"], path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url = self.proc.stdout.readline().strip()
        assert self.base_url.startswith("http://127.0.0.1:")

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self._dir.cleanup()


@pytest.fixture
def mock_server():
    servers = []

    def start(script):
        server = MockServer(script)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def client_for():
    def make(server):
        client = Oai.Client.new("sk-python-test")
        client.props.base_url = server.base_url
        client.props.retry_base_delay = 0.01
        client.props.retry_max_delay = 0.02
        return client

    return make
