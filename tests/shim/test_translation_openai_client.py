"""The official openai SDK through the shim in front of an Anthropic-format-only mock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from llmgw_cli.mock.script import parse_script
from llmgw_cli.shim.serve.server import RunningShim
from tests.helpers.mockserver import clear, mock_thread, requests_seen
from tests.shim.conftest import REAL_KEY, save_profile, shim_for

HI: Any = [{"role": "user", "content": "hi"}]
TOOLS: Any = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]
SCRIPT = parse_script(
    {
        "turns": [
            {"tool_call": {"name": "get_weather", "id": "toolu_01XYZ", "input": {"city": "Oslo"}}}
        ],
        "on_tool_result": {"text": "It is sunny in Oslo."},
    }
)


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with mock_thread(format="anthropic", require_key=REAL_KEY, script=SCRIPT) as url:
        yield url


@pytest.fixture
def shim(mock_url: str) -> Iterator[RunningShim]:
    clear(mock_url)
    save_profile("claude", mock_url, auth="x-api-key", formats=["anthropic"])
    with shim_for("claude") as running:
        yield running


def _client(shim: RunningShim) -> openai.OpenAI:
    return openai.OpenAI(base_url=shim.url + "/v1", api_key=shim.token, max_retries=0)


def test_non_streaming_chat_is_translated(shim: RunningShim, mock_url: str) -> None:
    reply = _client(shim).chat.completions.create(
        model="claude-sonnet-4-5",
        messages=[{"role": "system", "content": "be brief"}, *HI],
        max_completion_tokens=64,
    )
    assert reply.object == "chat.completion"
    assert reply.choices[0].message.tool_calls[0].function.name == "get_weather"  # type: ignore[index,union-attr]
    seen = requests_seen(mock_url)
    assert [s["path"] for s in seen] == ["/v1/messages"]
    assert seen[0]["body"]["system"] == "be brief"
    assert seen[0]["body"]["max_tokens"] == 64
    assert seen[0]["headers"]["anthropic-version"] == "2023-06-01"  # added for the member
    assert seen[0]["headers"]["x-api-key"] == REAL_KEY


def test_streaming_tool_call_then_tool_result(shim: RunningShim, mock_url: str) -> None:
    client = _client(shim)
    chunks = list(
        client.chat.completions.create(
            model="claude-sonnet-4-5",
            messages=HI,
            tools=TOOLS,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    calls = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or ()]
    assert calls[0].id == "toolu_01XYZ" and calls[0].function.name == "get_weather"  # type: ignore[union-attr]
    arguments = "".join(tc.function.arguments or "" for tc in calls)  # type: ignore[union-attr]
    assert json.loads(arguments) == {"city": "Oslo"}
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    finishes = [f for f in finishes if f]
    assert finishes == ["tool_calls"]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0

    stream = client.chat.completions.create(
        model="claude-sonnet-4-5",
        tools=TOOLS,
        stream=True,
        messages=[
            *HI,
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "toolu_01XYZ",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": arguments},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "toolu_01XYZ", "content": "sunny, 21 C"},
        ],
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == "It is sunny in Oslo."
    sent = requests_seen(mock_url, "/v1/messages")[-1]["body"]["messages"]
    assert sent[1]["content"][0] == {
        "type": "tool_use",
        "id": "toolu_01XYZ",
        "name": "get_weather",
        "input": {"city": "Oslo"},
    }
    assert sent[2]["role"] == "user"
    assert sent[2]["content"][0]["type"] == "tool_result"
    assert sent[2]["content"][0]["tool_use_id"] == "toolu_01XYZ"


def test_errors_keep_status_in_openai_shape() -> None:
    with mock_thread(format="anthropic", fail_rate=1.0, fail_status=429) as url:
        save_profile("limited", url, formats=["anthropic"])
        with shim_for("limited") as shim, pytest.raises(openai.RateLimitError) as info:
            _client(shim).chat.completions.create(model="m", messages=HI)
    body = info.value.body
    assert isinstance(body, dict) and body["code"] == "rate_limit_error"


def test_what_anthropic_cannot_serve_is_refused(shim: RunningShim, mock_url: str) -> None:
    client = _client(shim)
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="m", messages=HI, n=2)
    assert "n" in str(info.value)
    with pytest.raises(openai.BadRequestError) as einfo:
        client.embeddings.create(model="m", input="x")
    assert "serves only anthropic" in str(einfo.value)
    assert requests_seen(mock_url) == []
