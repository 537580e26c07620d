"""The server answers every request as JSON-RPC and LSP say, over a raw stdio pipe.

pygls alone left a client waiting for ever on four of these (server/protocol.py).
And a document ending in a long run of comments no longer stalls the server: the
parse of 0.8 MB of comments took 47 s before (server/documents.py `parse_view`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest


class RawClient:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kernelwright.server.serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def send(self, message: dict | None = None, raw: bytes | None = None) -> None:
        body = raw if raw is not None else json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self, timeout: float = 30.0) -> dict:
        box: list = []

        def reader() -> None:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                byte = self.proc.stdout.read(1)
                if not byte:
                    return
                header += byte
            length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            box.append(json.loads(self.proc.stdout.read(length)))

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        thread.join(timeout)
        assert box, f"no message from the server within {timeout:.0f} s"
        return box[0]

    def reply_to(self, msg_id: int, timeout: float = 30.0) -> dict:
        while True:  # skip the server's own notifications (diagnostics, log messages)
            message = self.read(timeout)
            if message.get("id") == msg_id and "method" not in message:
                return message

    def close(self) -> int:
        self.send({"jsonrpc": "2.0", "method": "exit"})
        return self.proc.wait(20)


@pytest.fixture
def client():
    raw = RawClient()
    yield raw
    if raw.proc.poll() is None:
        raw.proc.kill()
        raw.proc.wait()


def _hover(msg_id: int, uri: str = "file:///x.py", line: int = 0) -> dict:
    return {
        "jsonrpc": "2.0",
        "id": msg_id,
        "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": line, "character": 0}},
    }


def _initialize(client: RawClient) -> None:
    client.send(
        {
            "jsonrpc": "2.0",
            "id": 100,
            "method": "initialize",
            "params": {"processId": None, "rootUri": None, "capabilities": {}},
        }
    )
    assert "capabilities" in client.reply_to(100)["result"]
    client.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})


def test_a_request_before_initialize_is_refused_with_32002(client):
    client.send(_hover(1))
    assert client.reply_to(1)["error"]["code"] == -32002


def test_a_body_that_is_not_json_gets_32700(client):
    client.send(raw=b'{"jsonrpc": "2.0", "id": 1, "method": ')
    reply = client.read()
    assert reply["error"]["code"] == -32700 and reply.get("id") is None


def test_invalid_params_get_32602_and_the_server_carries_on(client):
    _initialize(client)
    missing_position = _hover(2)
    del missing_position["params"]["position"]
    client.send(missing_position)
    reply = client.reply_to(2)
    assert reply["error"]["code"] == -32602 and "textDocument/hover" in reply["error"]["message"]
    client.send(_hover(3))
    assert "error" not in client.reply_to(3)


def test_a_request_after_shutdown_gets_32600_and_exit_is_clean(client):
    _initialize(client)
    client.send({"jsonrpc": "2.0", "id": 4, "method": "shutdown"})
    assert client.reply_to(4)["result"] is None
    client.send(_hover(5))
    assert client.reply_to(5)["error"]["code"] == -32600
    assert client.close() == 0


def test_exit_without_shutdown_ends_the_server_with_1(client):
    """The LSP spec: exit code 0 after a shutdown request, 1 otherwise."""
    _initialize(client)
    assert client.close() == 1


def test_a_file_ending_in_a_long_run_of_comments_does_not_stall_the_server(client):
    _initialize(client)
    text = (
        "import torch\n\n\ndef f(x):\n    return torch.relu(x)\n\n"
        + "# a comment line that goes on for a while, as generated files have\n" * 12000
    )
    uri = "file:///tmp/long_comments.py"
    client.send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}
            },
        }
    )
    client.send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": 6, "character": 0},
                            "end": {"line": 6, "character": 0},
                        },
                        "text": "# one more\n",
                    }
                ],
            },
        }
    )
    client.send(_hover(6, uri, line=4))
    # Before the fix the two parses of this 0.8 MB file held the server for minutes.
    assert "error" not in client.reply_to(6, timeout=20)
