"""One status -> error-type table per format: the shim, a plugin refusal and the mock agree.

For each format and status, three real sources answer with that status:

- the shim, in front of a real upstream (the mock, failing with that status) that speaks the
  *other* format, so the body the client gets is built by the shim's translator;
- a plugin refusal: a plugin registered through the plugin contract rejects the request
  with that status and no type of its own, through a real shim;
- the mock itself (``llmgw mock --fail-rate 1 --fail-status S``).

Each body has the real API's shape, the type the table names for the status, and the
official SDK raises ``APIStatusError`` with that type and status.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import anthropic
import httpx
import openai
import pytest

from llmgw_cli.shim import config as shim_config
from llmgw_cli.shim.plugins.contract import Exchange, Reject
from llmgw_cli.shim.serve.server import Config, RunningShim, run_in_thread
from tests.helpers.mockserver import mock_thread
from tests.shim.conftest import NO_PLUGINS, auth_headers, save_profile

STATUSES = (400, 401, 403, 404, 413, 429, 500, 502, 503, 504, 529)
# What the real APIs send (docs/architecture.md, "wire formats"), written out here so the
# test does not read the table it checks.
ANTHROPIC = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "overloaded_error",
    504: "timeout_error",
    529: "overloaded_error",
}
OPENAI = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
    **{s: "server_error" for s in (500, 502, 503, 504, 529)},
}
PATHS = {"anthropic": "/v1/messages", "openai": "/v1/chat/completions"}
BODIES: dict[str, dict[str, Any]] = {
    "anthropic": {
        "model": "claude-haiku-4-5",
        "max_tokens": 16,
        "messages": [{"role": "user", "content": "hi"}],
    },
    "openai": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
}


class Refuse:
    """A plugin that refuses every request with one status and no type of its own."""

    name: ClassVar[str] = "refuse"
    needs_usage: ClassVar[bool] = False

    def __init__(self, status: int) -> None:
        self.status = status

    async def on_request(self, exchange: Exchange) -> None:
        raise Reject(self.status, None, f"refused with {self.status} by a test plugin")

    async def on_complete(self, exchange: Exchange) -> None:
        return None

    async def close(self) -> None:
        return None


@contextmanager
def shim(member: str, status: int | None = None) -> Iterator[RunningShim]:
    cfg = shim_config.for_chain([member], host="127.0.0.1", port=0)
    cfg.plugins = dict(NO_PLUGINS)
    cfg.retry.attempts = 1  # one try: the member's failure is the answer
    cfg.retry.backoff_ms = 0.0
    plugins = [Refuse(status)] if status is not None else []
    with run_in_thread(Config(shim=cfg, plugins=plugins)) as running:
        yield running


def post(base: str, fmt: str, headers: dict[str, str]) -> httpx.Response:
    headers = {**headers, "anthropic-version": "2023-06-01"} if fmt == "anthropic" else headers
    return httpx.post(base + PATHS[fmt], json=BODIES[fmt], headers=headers, timeout=30.0)


def check_shape(fmt: str, status: int, reply: httpx.Response) -> str:
    """The body has the real API's shape; its type, which must be the table's."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    if fmt == "anthropic":
        assert set(body) == {"type", "error"} and body["type"] == "error"
        assert {"type", "message"} <= set(body["error"])
        expected = ANTHROPIC[status]
    else:
        assert set(body) == {"error"}
        assert {"message", "type", "param", "code"} <= set(body["error"])
        expected = OPENAI[status]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    kind = body["error"]["type"]
    assert kind == expected, (fmt, status, body)
    return str(kind)


def sdk_type(fmt: str, status: int, base: str, key: str) -> str:
    """The official SDK, sent to ``base``, raises APIStatusError: its status and type."""
    if fmt == "anthropic":
        a = anthropic.Anthropic(api_key=key, base_url=base, max_retries=0)
        with pytest.raises(anthropic.APIStatusError) as a_info:
            a.messages.create(**BODIES["anthropic"])
        a.close()
        assert a_info.value.status_code == status and isinstance(a_info.value.body, dict)
        return str(a_info.value.body["error"]["type"])
    o = openai.OpenAI(api_key=key, base_url=base + "/v1", max_retries=0)
    with pytest.raises(openai.APIStatusError) as o_info:
        o.chat.completions.create(**BODIES["openai"])
    o.close()
    assert o_info.value.status_code == status
    return str(o_info.value.type)


def answers(fmt: str, status: int, base: str, key: str) -> str:
    """The error type ``base`` answers with, by raw HTTP and through the SDK alike."""
    kind = check_shape(fmt, status, post(base, fmt, {"x-api-key": key}))
    assert sdk_type(fmt, status, base, key) == kind
    return kind


@pytest.mark.parametrize("fmt", ["anthropic", "openai"])
def test_shim_plugin_and_mock_answer_each_status_alike(fmt: str) -> None:
    other = "openai" if fmt == "anthropic" else "anthropic"
    for status in STATUSES:
        with mock_thread(fail_rate=1.0, fail_status=status) as mock_url:
            from_mock = answers(fmt, status, mock_url, "k")
            # The member speaks only the other format: the shim builds the client's body.
            save_profile("m", mock_url, formats=[other])
            with shim("m") as running:
                assert post(running.url, fmt, auth_headers(running)).headers["x-llmgw-upstream"]
                from_shim = answers(fmt, status, running.url, running.token)
            with shim("m", status) as running:
                from_plugin = answers(fmt, status, running.url, running.token)
        assert from_mock == from_shim == from_plugin


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("fmt", ["anthropic", "openai"])
def test_the_shims_own_faults_use_the_same_table(fmt: str) -> None:
    """Statuses the shim makes itself: a wrong local token (401), a member down (502)."""
    save_profile("down", f"http://127.0.0.1:{free_port()}", formats=[fmt])
    with shim("down") as running:
        assert answers(fmt, 401, running.url, "not-the-local-token") == check_shape(
            fmt, 401, post(running.url, fmt, {"x-api-key": "wrong"})
        )
        assert answers(fmt, 502, running.url, running.token)
