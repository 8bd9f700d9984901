"""The official anthropic SDK against `llmgw mock`: it must see exactly what the real API sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import pytest

from llmgw_cli.mock.script import parse_script
from tests.helpers.mockserver import mock_thread, requests_seen, stats

HI: list[Any] = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with mock_thread(output_tokens=12) as url:
        yield url


def client(url: str, key: str = "test-key") -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=url, api_key=key, max_retries=0, timeout=30)


def test_create_non_streaming_echoes_model_and_counts_usage(url: str) -> None:
    msg = client(url).messages.create(model="claude-sonnet-4-5", max_tokens=100, messages=HI)
    assert msg.model == "claude-sonnet-4-5"
    assert msg.role == "assistant" and msg.type == "message"
    assert msg.stop_reason == "end_turn"
    text = msg.content[0]
    assert text.type == "text" and text.text.startswith("Hello from the llmgw mock.")
    assert msg.usage.output_tokens == 12
    assert msg.usage.input_tokens > 0


def test_max_tokens_cuts_the_reply_like_a_model(url: str) -> None:
    msg = client(url).messages.create(model="claude-haiku-4-5", max_tokens=3, messages=HI)
    assert msg.stop_reason == "max_tokens"
    assert msg.usage.output_tokens == 3
    assert msg.content[0].type == "text" and msg.content[0].text == "Hello from the"


def test_streaming_with_the_sdk_helper(url: str) -> None:
    with client(url).messages.stream(
        model="claude-opus-5-5", max_tokens=100, messages=HI
    ) as stream:
        types = [event.type for event in stream]
        final = stream.get_final_message()
    assert types[0] == "message_start" and types[-1] == "message_stop"
    assert "content_block_start" in types and "content_block_stop" in types
    assert types.count("text") == 12  # one SDK text event per delta
    assert final.model == "claude-opus-5-5"
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == 12
    assert final.content[0].type == "text"
    assert final.content[0].text == "Hello from the llmgw mock. The quick brown fox jumps over the"


def test_raw_event_sequence_has_ping_and_query_string_is_accepted(url: str) -> None:
    body = {"model": "m", "max_tokens": 50, "messages": HI, "stream": True}
    reply = httpx.post(f"{url}/v1/messages?beta=true", json=body, timeout=30)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/event-stream")
    names = [line[7:] for line in reply.text.splitlines() if line.startswith("event: ")]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[3:-3] == ["content_block_delta"] * 12
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]


def test_count_tokens_and_models_list(url: str) -> None:
    c = client(url)
    count = c.messages.count_tokens(model="claude-sonnet-4-5", messages=HI)
    assert count.input_tokens > 0
    models = [m.id for m in c.models.list()]
    assert {"claude-opus-5-5", "claude-sonnet-4-5", "claude-haiku-4-5", "gpt-4o-mini"} <= set(
        models
    )
    one = c.models.retrieve("claude-haiku-4-5")
    assert one.id == "claude-haiku-4-5" and one.type == "model"


TOOL_SCRIPT = parse_script(
    {
        "turns": [
            {
                "text": "Let me check.",
                "tool_call": {"name": "Bash", "input": {"command": "echo hi"}, "id": "toolu_01"},
            },
            {"text": "All done."},
        ],
        "on_tool_result": {
            "text": "The command printed hi.",
            "usage": {"cache_read_input_tokens": 1000, "cache_creation_input_tokens": 200},
        },
    }
)


def test_scripted_tool_call_streams_tool_use_and_input_json(url: str) -> None:
    with mock_thread(script=TOOL_SCRIPT) as tool_url:
        with client(tool_url).messages.stream(
            model="claude-sonnet-4-5", max_tokens=500, messages=HI
        ) as stream:
            kinds = [event.type for event in stream]
            final = stream.get_final_message()
        assert "input_json" in kinds
        assert final.stop_reason == "tool_use"
        text, tool = final.content
        assert text.type == "text" and text.text == "Let me check."
        assert tool.type == "tool_use"
        assert (tool.id, tool.name, tool.input) == ("toolu_01", "Bash", {"command": "echo hi"})

        # The client runs the tool and sends the result back: the on_tool_result turn answers,
        # with the cache usage issue 7's cost tests need.
        follow: list[Any] = [
            *HI,
            {"role": "assistant", "content": [tool.model_dump()]},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "hi"}],
            },
        ]
        with client(tool_url).messages.stream(
            model="claude-sonnet-4-5", max_tokens=500, messages=follow
        ) as stream:
            second = stream.get_final_message()
        assert second.content[0].type == "text"
        assert second.content[0].text == "The command printed hi."
        assert second.stop_reason == "end_turn"
        assert second.usage.cache_read_input_tokens == 1000
        assert second.usage.cache_creation_input_tokens == 200

        sent = requests_seen(tool_url, "/v1/messages")[-1]["body"]
        assert sent["messages"][-1]["content"][0]["tool_use_id"] == "toolu_01"


def test_scripted_tool_call_non_streaming(url: str) -> None:
    with mock_thread(script=TOOL_SCRIPT) as tool_url:
        msg = client(tool_url).messages.create(model="m", max_tokens=10, messages=HI)
        assert msg.stop_reason == "tool_use"
        assert msg.content[1].type == "tool_use" and msg.content[1].input == {"command": "echo hi"}
        # One assistant turn in the history and no tool result last: turn 1.
        history = [*HI, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "go"}]
        again = client(tool_url).messages.create(model="m", max_tokens=10, messages=history)
        assert again.content[0].type == "text" and again.content[0].text == "All done."


def test_require_key_accepts_x_api_key_and_bearer_else_authentication_error() -> None:
    with mock_thread(require_key="sekret") as key_url:
        assert client(key_url, "sekret").messages.create(model="m", max_tokens=5, messages=HI)
        body = {"model": "m", "max_tokens": 5, "messages": HI}
        for headers in ({"x-api-key": "sekret"}, {"authorization": "Bearer sekret"}):
            reply = httpx.post(f"{key_url}/v1/messages", json=body, headers=headers, timeout=30)
            assert reply.status_code == 200, headers
        with pytest.raises(anthropic.AuthenticationError) as info:
            client(key_url, "wrong").messages.create(model="m", max_tokens=5, messages=HI)
        assert info.value.status_code == 401
        assert info.value.body == {
            "type": "error",
            "error": {"type": "authentication_error", "message": "invalid x-api-key"},
        }
        no_key = httpx.post(f"{key_url}/v1/messages", json=body, timeout=30)
        assert no_key.status_code == 401
        seen = requests_seen(key_url)
        assert seen[1]["headers"]["x-api-key"] == "sekret"
        assert seen[2]["headers"]["authorization"] == "Bearer sekret"
        assert [e["status"] for e in seen] == [200, 200, 200, 401, 401]


@pytest.mark.parametrize(
    ("status", "error_class", "kind"),
    [
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (503, anthropic.InternalServerError, "overloaded_error"),  # the real API: issue 11
        (529, anthropic.InternalServerError, "overloaded_error"),
    ],
)
def test_injected_failures_surface_as_sdk_errors(
    status: int, error_class: type[anthropic.APIStatusError], kind: str
) -> None:
    with mock_thread(fail_rate=1.0, fail_status=status) as fail_url:
        with pytest.raises(error_class) as info:
            client(fail_url).messages.create(model="m", max_tokens=5, messages=HI)
        assert info.value.status_code == status
        assert isinstance(info.value.body, dict) and info.value.body["error"]["type"] == kind
        if status == 429:
            assert info.value.response.headers["retry-after"] == "1"


def test_reject_betas_gives_the_gateway_400() -> None:
    with mock_thread(reject_betas=True, allow_betas=("claude-code-20250219",)) as beta_url:
        c = client(beta_url)
        # No betas, or only allowed ones: fine.
        assert c.messages.create(model="m", max_tokens=5, messages=HI).content
        allowed = {"anthropic-beta": "claude-code-20250219"}
        assert c.messages.create(
            model="m", max_tokens=5, messages=HI, extra_headers=allowed
        ).content
        betas = {"anthropic-beta": "claude-code-20250219,context-management-2025-06-27"}
        with pytest.raises(anthropic.BadRequestError) as info:
            c.messages.create(model="m", max_tokens=5, messages=HI, extra_headers=betas)
        message = info.value.body["error"]["message"]  # type: ignore[index]
        assert message.startswith("Unexpected value(s) `context-management-2025-06-27` for the")
        assert "`anthropic-beta` header" in message
        with pytest.raises(anthropic.BadRequestError) as info:
            c.messages.create(
                model="m",
                max_tokens=5,
                messages=HI,
                extra_body={"context_management": {"edits": []}},
            )
        assert "context_management: Extra inputs are not permitted" in str(info.value)


def test_drop_after_cuts_the_stream_and_the_sdk_raises() -> None:
    # This SDK version streams over httpx2 and lets its transport error through.
    import httpx2

    cut = (anthropic.APIConnectionError, httpx2.RemoteProtocolError)
    with mock_thread(drop_after=5, output_tokens=20) as drop_url:
        got: list[str] = []
        stream = client(drop_url).messages.stream(model="m", max_tokens=100, messages=HI)
        with pytest.raises(cut), stream as s:
            got.extend(s.text_stream)
        # message_start, content_block_start, ping, then two deltas: 5 events.
        assert got == ["Hello", " from"]
        assert stats(drop_url)["streams"]["dropped"] == 1


def test_strict_models_404_for_an_unknown_model() -> None:
    with mock_thread(strict_models=True, models=("only-this",)) as strict_url:
        with pytest.raises(anthropic.NotFoundError):
            client(strict_url).messages.create(model="claude-opus-5-5", max_tokens=5, messages=HI)
        ok = client(strict_url).messages.create(model="only-this", max_tokens=5, messages=HI)
        assert ok.model == "only-this"


def test_bad_json_is_a_400_in_anthropic_shape(url: str) -> None:
    reply = httpx.post(f"{url}/v1/messages", content=b"{not json", timeout=30)
    assert reply.status_code == 400
    assert json.loads(reply.content)["error"]["type"] == "invalid_request_error"


def test_scripted_cache_write_split_by_ttl_streams_usage_cache_creation() -> None:
    script = parse_script(
        [
            {
                "text": "cached",
                "usage": {
                    "input_tokens": 10,
                    "cache_read_input_tokens": 500,
                    "ephemeral_5m_input_tokens": 30,
                    "ephemeral_1h_input_tokens": 70,
                },
            }
        ]
    )
    with mock_thread(script=script) as cache_url:
        with client(cache_url).messages.stream(model="m", max_tokens=50, messages=HI) as stream:
            final = stream.get_final_message()
        usage = final.usage
        assert (usage.input_tokens, usage.output_tokens) == (10, 1)
        assert usage.cache_read_input_tokens == 500
        assert usage.cache_creation_input_tokens == 100  # the sum of the split
        assert usage.cache_creation is not None
        assert usage.cache_creation.ephemeral_1h_input_tokens == 70
        assert usage.cache_creation.ephemeral_5m_input_tokens == 30
        raw = httpx.post(
            f"{cache_url}/v1/messages",
            json={"model": "m", "max_tokens": 5, "messages": HI, "stream": True},
        ).text
        starts = [line for line in raw.splitlines() if '"message_start"' in line]
        assert '"ephemeral_1h_input_tokens":70' in starts[0]
