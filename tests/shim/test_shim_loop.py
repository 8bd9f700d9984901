"""`llmgw shim start --loop`: uvloop by default when installed, asyncio's loop on request;
the door's over-cap 503 reaches the client on both (serve/door.py)."""

from __future__ import annotations

import asyncio
import importlib.util
import socket

import pytest

from llmgw_cli.errors import ConfigError
from llmgw_cli.shim.serve import loops
from tests.helpers.mockserver import mock_thread
from tests.hostile.shimproc import shim_process

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None
needs_uvloop = pytest.mark.skipif(not HAS_UVLOOP, reason="uvloop not installed (the fast extra)")


def test_asyncio_on_request() -> None:
    assert loops.factory("asyncio") is None


@needs_uvloop
@pytest.mark.parametrize("choice", ["auto", "uvloop"])
def test_auto_and_uvloop_serve_on_uvloop(choice: str) -> None:
    make = loops.factory(choice)
    assert make is not None
    loop = make()
    try:
        assert loops.name(loop) == "uvloop"
        assert loop.run_until_complete(asyncio.sleep(0, "ran")) == "ran"
    finally:
        loop.close()


def test_unknown_loop_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="auto, uvloop, asyncio"):
        loops.factory("trio")


def _held(host: str, port: int, token: str) -> socket.socket:
    """A connection with a request in progress: the mock's answer is 20 s of tokens."""
    sock = socket.create_connection((host, port), timeout=10)
    body = (
        b'{"model":"m","max_tokens":2000,"stream":true,"messages":[{"role":"user","content":"x"}]}'
    )
    sock.sendall(
        b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nanthropic-version: 2023-06-01\r\n"
        b"x-api-key: %s\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (token.encode(), len(body), body)
    )
    assert sock.recv(12) == b"HTTP/1.1 200"
    return sock


@pytest.mark.parametrize(
    "loop",
    [
        "asyncio",
        pytest.param("auto", marks=needs_uvloop),
        pytest.param("uvloop", marks=needs_uvloop),
    ],
)
def test_the_loop_is_named_and_past_the_cap_the_503_arrives(loop: str) -> None:
    with (
        mock_thread(itl_ms=200, output_tokens=100) as url,
        shim_process(
            {"mock": url}, "limits: {max_connections: 2}\n", args=("--loop", loop)
        ) as shim,
    ):
        held = [_held(shim.host, shim.port, shim.token) for _ in range(2)]
        try:
            with socket.create_connection((shim.host, shim.port), timeout=10) as late:
                late.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = b""
                while chunk := late.recv(65536):
                    answer += chunk
        finally:
            for sock in held:
                sock.close()
        started = shim.log.read_text()
    assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
    assert b"limits.max_connections (2)" in answer
    want = "asyncio" if loop == "asyncio" else "uvloop"
    assert f"loop: {want})" in started, started[-2000:]
