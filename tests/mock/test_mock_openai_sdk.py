"""The official openai SDK against `llmgw mock`, and the --format switch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from llmgw_cli.mock.script import parse_script
from tests.helpers.mockserver import mock_thread, requests_seen

HI: list[Any] = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with mock_thread(output_tokens=10) as url:
        yield url


def client(url: str, key: str = "test-key") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=30)


def test_create_non_streaming(url: str) -> None:
    done = client(url).chat.completions.create(model="gpt-4o-mini", messages=HI)
    assert done.model == "gpt-4o-mini" and done.object == "chat.completion"
    choice = done.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content == "Hello from the llmgw mock. The quick brown fox jumps"
    assert done.usage is not None and done.usage.completion_tokens == 10
    assert done.usage.total_tokens == done.usage.prompt_tokens + 10


def test_max_tokens_gives_finish_reason_length(url: str) -> None:
    done = client(url).chat.completions.create(
        model="gpt-4o-mini",
        messages=HI,
        max_completion_tokens=2,
    )
    assert done.choices[0].finish_reason == "length"
    assert done.choices[0].message.content == "Hello from"


def test_streaming_with_include_usage(url: str) -> None:
    stream = client(url).chat.completions.create(
        model="gpt-4o",
        messages=HI,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" and c.model == "gpt-4o" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from the llmgw mock. The quick brown fox jumps"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "stop" and set(finishes[:-1]) == {None}
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert last.usage.completion_tokens == 10
    assert all(c.usage is None for c in chunks[:-1])


def test_streaming_without_usage_ends_with_done(url: str) -> None:
    body = {"model": "gpt-4o", "messages": HI, "stream": True}
    reply = httpx.post(f"{url}/v1/chat/completions", json=body, timeout=30)
    lines = [line for line in reply.text.splitlines() if line]
    assert lines[-1] == "data: [DONE]"
    payloads = [json.loads(line[6:]) for line in lines[:-1]]
    assert all("usage" not in p for p in payloads)
    assert payloads[0]["choices"][0]["delta"]["role"] == "assistant"


def test_models_list(url: str) -> None:
    ids = [m.id for m in client(url).models.list()]
    assert "gpt-4o-mini" in ids and "claude-sonnet-4-5" in ids
    assert client(url).models.retrieve("gpt-4o-mini").owned_by == "llmgw-mock"


SCRIPT = parse_script(
    [
        {
            "tool_calls": [
                {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'},
                {"name": "Bash", "input": {"command": "echo hi"}, "id": "call_fixed"},
            ]
        },
        "It is sunny in Paris.",
    ]
)


def test_scripted_tool_calls_streaming_and_round_trip() -> None:
    with mock_thread(script=SCRIPT, format="openai") as tool_url:
        stream = client(tool_url).chat.completions.create(
            model="gpt-4o-mini",
            messages=HI,
            stream=True,
        )
        calls: dict[int, dict[str, str]] = {}
        finish = None
        for chunk in stream:
            delta = chunk.choices[0].delta
            for tc in delta.tool_calls or []:
                slot = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                if tc.id:
                    slot["id"] = tc.id
                if tc.function and tc.function.name:
                    slot["name"] = tc.function.name
                if tc.function and tc.function.arguments:
                    slot["arguments"] += tc.function.arguments
            finish = chunk.choices[0].finish_reason or finish
        assert finish == "tool_calls"
        assert calls[0]["name"] == "get_weather"
        assert json.loads(calls[0]["arguments"]) == {"city": "Paris", "unit": "celsius"}
        assert calls[0]["id"].startswith("call_mock_")
        assert (calls[1]["id"], calls[1]["name"]) == ("call_fixed", "Bash")
        assert json.loads(calls[1]["arguments"]) == {"command": "echo hi"}

        follow: list[Any] = [
            *HI,
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": c["id"],
                        "type": "function",
                        "function": {"name": c["name"], "arguments": c["arguments"]},
                    }
                    for c in calls.values()
                ],
            },
            {"role": "tool", "tool_call_id": calls[0]["id"], "content": "sunny"},
            {"role": "tool", "tool_call_id": "call_fixed", "content": "hi"},
        ]
        done = client(tool_url).chat.completions.create(model="gpt-4o-mini", messages=follow)
        assert done.choices[0].message.content == "It is sunny in Paris."
        assert done.choices[0].finish_reason == "stop"
        seen = requests_seen(tool_url, "/v1/chat/completions")[-1]["body"]["messages"]
        assert seen[-1] == {"role": "tool", "tool_call_id": "call_fixed", "content": "hi"}


def test_scripted_tool_call_non_streaming() -> None:
    with mock_thread(script=SCRIPT) as tool_url:
        done = client(tool_url).chat.completions.create(model="m", messages=HI)
        message = done.choices[0].message
        assert done.choices[0].finish_reason == "tool_calls"
        assert message.content is None and message.tool_calls is not None
        first = message.tool_calls[0]
        assert first.type == "function"
        assert first.function.name == "get_weather"
        assert json.loads(first.function.arguments) == {"city": "Paris", "unit": "celsius"}


def test_require_key_401_is_authentication_error() -> None:
    with mock_thread(require_key="sekret") as key_url:
        ok = client(key_url, "sekret").chat.completions.create(model="m", messages=HI)
        assert ok.choices[0].message.content
        with pytest.raises(openai.AuthenticationError) as info:
            client(key_url, "wrong").chat.completions.create(model="m", messages=HI)
        assert info.value.status_code == 401
        assert info.value.code == "invalid_api_key"
        assert info.value.type == "invalid_request_error"
        with pytest.raises(openai.AuthenticationError):
            client(key_url, "wrong").models.list()


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (429, openai.RateLimitError),
        (503, openai.InternalServerError),
        (500, openai.InternalServerError),
    ],
)
def test_injected_failures(status: int, error_class: type[openai.APIStatusError]) -> None:
    with mock_thread(fail_rate=1.0, fail_status=status) as fail_url:
        with pytest.raises(error_class) as info:
            client(fail_url).chat.completions.create(model="m", messages=HI)
        assert info.value.status_code == status
        if status == 429:
            assert info.value.response.headers["retry-after"] == "1"


def test_drop_after_cuts_the_stream() -> None:
    with mock_thread(drop_after=3) as drop_url:
        got: list[str] = []
        with pytest.raises(openai.APIConnectionError):
            for chunk in client(drop_url).chat.completions.create(
                model="m",
                messages=HI,
                stream=True,
            ):
                got.append(chunk.choices[0].delta.content or "")
        assert got == ["", "Hello", " from"]


def test_format_openai_serves_no_anthropic_endpoints() -> None:
    with mock_thread(format="openai") as only_url:
        body = {"model": "m", "max_tokens": 5, "messages": HI}
        reply = httpx.post(f"{only_url}/v1/messages", json=body, timeout=30)
        assert reply.status_code == 404
        assert reply.json()["error"]["code"] == "unknown_url"
        count = httpx.post(f"{only_url}/v1/messages/count_tokens", json=body, timeout=30)
        assert count.status_code == 404
        assert client(only_url).chat.completions.create(model="m", messages=HI).choices
        assert [e["status"] for e in requests_seen(only_url)] == [404, 404, 200]


def test_format_anthropic_serves_no_chat_completions() -> None:
    with mock_thread(format="anthropic") as only_url, pytest.raises(openai.NotFoundError):
        client(only_url).chat.completions.create(model="m", messages=HI)
