"""The official anthropic and openai SDKs through the shim, against `llmgw mock`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import openai
import pytest

from llmgw_cli.shim.serve.server import RunningShim
from tests.helpers.mockserver import clear, mock_thread, requests_seen
from tests.shim.conftest import REAL_KEY, save_profile, shim_for

HI: list[Any] = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with mock_thread(require_key=REAL_KEY, output_tokens=8) as url:
        yield url


@pytest.fixture
def shim(mock_url: str) -> Iterator[RunningShim]:
    clear(mock_url)
    save_profile("corp", mock_url, auth="x-api-key")
    with shim_for("corp") as running:
        yield running


def test_anthropic_sdk_non_streaming(shim: RunningShim, mock_url: str) -> None:
    client = anthropic.Anthropic(base_url=shim.url, api_key=shim.token, max_retries=0)
    raw = client.messages.with_raw_response.create(
        model="claude-sonnet-4-5",
        max_tokens=50,
        messages=HI,
        extra_headers={"X-Client-Thing": "kept", "anthropic-version": "2023-06-01"},
    )
    msg = raw.parse()
    assert msg.content[0].type == "text" and msg.content[0].text.startswith("Hello")
    assert msg.usage.output_tokens == 8
    assert raw.headers["x-llmgw-upstream"] == "corp"
    assert float(raw.headers["x-llmgw-overhead-ms"]) >= 0
    seen = requests_seen(mock_url, "/v1/messages")[-1]
    assert seen["headers"]["x-api-key"] == REAL_KEY  # the local token was swapped
    assert seen["headers"]["x-department"] == "Engineering"
    assert seen["headers"]["x-project"] == "P1"
    assert seen["headers"]["anthropic-version"] == "2023-06-01"
    assert seen["headers"]["x-client-thing"] == "kept"
    assert "authorization" not in seen["headers"]


def test_anthropic_sdk_streaming_with_bearer_token_and_betas(
    shim: RunningShim, mock_url: str
) -> None:
    client = anthropic.Anthropic(base_url=shim.url, auth_token=shim.token, max_retries=0)
    with client.beta.messages.stream(
        model="claude-sonnet-4-5",
        max_tokens=50,
        messages=HI,
        betas=["interleaved-thinking-2025-05-14", "context-management-2025-06-27"],
        extra_query={"beta": "true"},  # what Claude Code sends; the query must pass through
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text.startswith("Hello")
    assert final.usage.output_tokens == 8
    seen = requests_seen(mock_url, "/v1/messages")[-1]
    assert seen["query"] == "beta=true"
    assert seen["headers"]["anthropic-beta"] == (
        "interleaved-thinking-2025-05-14,context-management-2025-06-27"
    )
    assert seen["headers"]["x-api-key"] == REAL_KEY


def test_openai_sdk_streaming_and_not(shim: RunningShim, mock_url: str) -> None:
    client = openai.OpenAI(base_url=shim.url + "/v1", api_key=shim.token, max_retries=0)
    reply = client.chat.completions.create(model="gpt-4o", messages=HI)
    assert reply.choices[0].message.content
    chunks = client.chat.completions.create(
        model="gpt-4o",
        messages=HI,
        stream=True,
        stream_options={"include_usage": True},
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == reply.choices[0].message.content
    seen = requests_seen(mock_url, "/v1/chat/completions")
    assert len(seen) == 2
    assert all(s["headers"]["x-api-key"] == REAL_KEY for s in seen)


def test_wrong_or_missing_token_gets_401_in_the_clients_format(shim: RunningShim) -> None:
    bad = anthropic.Anthropic(base_url=shim.url, api_key="sk-guess", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as info:
        bad.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=HI)
    assert "local token" in str(info.value)
    bad_oa = openai.OpenAI(base_url=shim.url + "/v1", api_key="sk-guess", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as oinfo:
        bad_oa.chat.completions.create(model="gpt-4o", messages=HI)
    assert oinfo.value.body["message"].startswith("missing or wrong local token")  # type: ignore[index]
    assert httpx.post(shim.url + "/v1/messages", json={}).status_code == 401


def test_upstream_errors_and_retry_after_pass_through_unchanged(tmp_path: object) -> None:
    with mock_thread(fail_rate=1.0, fail_status=429) as url:
        save_profile("limited", url)
        with shim_for("limited") as shim:
            direct = httpx.post(url + "/v1/messages", json={"model": "m", "messages": HI})
            through = httpx.post(
                shim.url + "/v1/messages",
                json={"model": "m", "messages": HI},
                headers={"x-api-key": shim.token},
            )
    assert through.status_code == direct.status_code == 429
    assert through.json()["type"] == "error"
    assert through.json()["error"]["type"] == direct.json()["error"]["type"]
    assert through.headers.get("retry-after") == direct.headers.get("retry-after")


def test_health_is_open_and_reports_the_member(shim: RunningShim, mock_url: str) -> None:
    health = httpx.get(shim.url + "/health").json()
    assert health["status"] == "ok"
    assert health["members"][0]["name"] == "corp"
    assert health["members"][0]["upstream"] == mock_url
    assert REAL_KEY not in httpx.get(shim.url + "/health").text


def test_expect_100_continue_is_answered_by_the_shim(shim: RunningShim, mock_url: str) -> None:
    """curl sends `Expect: 100-continue` with large bodies and waits for the go-ahead."""
    import json
    import socket
    from urllib.parse import urlsplit

    body = json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 5, "messages": HI}).encode()
    head = (
        f"POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: {shim.token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Expect: 100-continue\r\nConnection: close\r\n\r\n"
    ).encode()
    parts = urlsplit(shim.url)
    with socket.create_connection((parts.hostname, parts.port or 80), timeout=10) as sock:
        sock.sendall(head)
        assert sock.recv(1024).startswith(b"HTTP/1.1 100 Continue")  # before any body byte
        sock.sendall(body)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200")
    assert "expect" not in requests_seen(mock_url, "/v1/messages")[-1]["headers"]
