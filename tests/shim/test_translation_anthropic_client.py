"""The official anthropic SDK through the shim in front of an OpenAI-format-only mock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import anthropic
import httpx
import pytest

from llmgw_cli.mock.script import parse_script
from llmgw_cli.shim.config import ShimConfig
from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.route.router import Route, Router
from llmgw_cli.shim.serve.server import RunningShim
from tests.helpers.mockserver import clear, mock_thread, requests_seen
from tests.shim.conftest import REAL_KEY, save_profile, shim_for

HI: Any = [{"role": "user", "content": "hi"}]
BASH_TOOL: Any = {
    "name": "Bash",
    "description": "Run a shell command",
    "input_schema": {
        "type": "object",
        "properties": {"command": {"type": "string"}, "description": {"type": "string"}},
        "required": ["command"],
    },
}
SCRIPT = parse_script(
    {
        "turns": [
            {
                "tool_call": {
                    "name": "Bash",
                    "id": "call_abc123",
                    "input": {"command": "echo hello-from-tool", "description": "say hello"},
                }
            },
            "fallback text",
        ],
        "on_tool_result": {"text": "The tool printed hello-from-tool."},
    }
)


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with mock_thread(format="openai", require_key=REAL_KEY, output_tokens=8, script=None) as url:
        yield url


@pytest.fixture(scope="module")
def scripted_url() -> Iterator[str]:
    with mock_thread(format="openai", require_key=REAL_KEY, script=SCRIPT) as url:
        yield url


@pytest.fixture
def shim(mock_url: str) -> Iterator[RunningShim]:
    clear(mock_url)
    save_profile("local", mock_url, auth="bearer", formats=["openai"])
    with shim_for("local") as running:
        yield running


def _client(shim: RunningShim) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=shim.url, api_key=shim.token, max_retries=0)


def test_non_streaming_message_is_translated_both_ways(shim: RunningShim, mock_url: str) -> None:
    raw = _client(shim).messages.with_raw_response.create(
        model="qwen3-coder",
        max_tokens=50,
        system=[{"type": "text", "text": "be brief"}],
        messages=HI,
    )
    msg = raw.parse()
    assert msg.type == "message" and msg.role == "assistant"
    assert msg.content[0].type == "text" and msg.content[0].text.startswith("Hello")
    assert msg.stop_reason == "end_turn"
    assert msg.usage.output_tokens == 8
    assert raw.headers["x-llmgw-upstream"] == "local"
    seen = requests_seen(mock_url)
    assert [s["path"] for s in seen] == ["/v1/chat/completions"]
    body = seen[0]["body"]
    assert body["model"] == "qwen3-coder"
    assert body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi"},
    ]
    assert body["max_tokens"] == 50  # not max_completion_tokens: a local server
    assert seen[0]["headers"]["authorization"] == f"Bearer {REAL_KEY}"


def test_streaming_keeps_text_and_usage(shim: RunningShim, mock_url: str) -> None:
    with _client(shim).messages.stream(
        model="qwen3-coder",
        max_tokens=50,
        messages=HI,
        extra_query={"beta": "true"},  # what Claude Code sends; not for the OpenAI server
    ) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    assert "content_block_start" in kinds and "content_block_stop" in kinds
    assert final.content[0].type == "text" and final.content[0].text.startswith("Hello")
    assert final.usage.output_tokens == 8 and final.usage.input_tokens > 0
    seen = requests_seen(mock_url, "/v1/chat/completions")[-1]
    assert seen["query"] == ""
    assert seen["body"]["stream"] is True
    assert seen["body"]["stream_options"] == {"include_usage": True}


def test_tool_call_round_trip_keeps_id_and_name(scripted_url: str) -> None:
    clear(scripted_url)
    save_profile("local", scripted_url, auth="bearer", formats=["openai"])
    with shim_for("local") as shim:
        client = _client(shim)
        with client.messages.stream(
            model="qwen3-coder", max_tokens=200, messages=HI, tools=[BASH_TOOL]
        ) as stream:
            first = stream.get_final_message()
        assert first.stop_reason == "tool_use"
        call = next(b for b in first.content if b.type == "tool_use")
        assert (call.id, call.name) == ("call_abc123", "Bash")
        assert call.input == {"command": "echo hello-from-tool", "description": "say hello"}
        second = client.messages.create(
            model="qwen3-coder",
            max_tokens=200,
            tools=[BASH_TOOL],
            messages=[
                *HI,
                {"role": "assistant", "content": first.content},
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": call.id,
                            "content": "hello-from-tool",
                        }
                    ],
                },
            ],
        )
    assert second.content[0].type == "text"
    assert second.content[0].text == "The tool printed hello-from-tool."
    sent = requests_seen(scripted_url, "/v1/chat/completions")[-1]["body"]["messages"]
    assert sent[-2]["tool_calls"][0]["id"] == "call_abc123"
    assert sent[-2]["tool_calls"][0]["function"]["name"] == "Bash"
    assert sent[-1] == {"role": "tool", "tool_call_id": "call_abc123", "content": "hello-from-tool"}


def test_count_tokens_is_answered_locally(shim: RunningShim, mock_url: str) -> None:
    raw = _client(shim).messages.with_raw_response.count_tokens(
        model="qwen3-coder",
        messages=[{"role": "user", "content": "count these few words please " * 20}],
    )
    assert raw.parse().input_tokens > 100
    assert raw.headers["x-llmgw-upstream"] == "local"
    assert requests_seen(mock_url) == []  # the OpenAI server has no count_tokens


def test_model_list_is_reshaped(shim: RunningShim) -> None:
    page = _client(shim).models.list()
    ids = [m.id for m in page.data]
    assert "gpt-4o" in ids
    assert all(m.type == "model" for m in page.data)


def test_upstream_errors_keep_status_in_anthropic_shape() -> None:
    with mock_thread(format="openai", fail_rate=1.0, fail_status=429) as url:
        save_profile("limited", url, auth="bearer", formats=["openai"])
        with shim_for("limited") as shim, pytest.raises(anthropic.RateLimitError) as info:
            _client(shim).messages.create(model="m", max_tokens=5, messages=HI)
    body = info.value.body
    assert isinstance(body, dict) and body["type"] == "error"
    assert body["error"]["type"] == "rate_limit_error"


def test_untranslatable_requests_get_400_naming_the_fix(shim: RunningShim, mock_url: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        _client(shim).messages.create(model="m", max_tokens=5, messages="hi")  # type: ignore[arg-type]
    assert "messages" in str(info.value)
    reply = httpx.post(
        shim.url + "/v1/messages/batches", headers={"x-api-key": shim.token}, json={}
    )
    assert reply.status_code == 400
    assert "serves only openai" in reply.json()["error"]["message"]
    bad = httpx.post(
        shim.url + "/v1/messages",
        headers={"x-api-key": shim.token, "content-type": "application/json"},
        content=b"{not json",
    )
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]["message"]
    assert requests_seen(mock_url) == []


class _MappedRouter(Router):
    def __init__(self, members: Sequence[Member]) -> None:
        super().__init__(members)
        self._mapped = Route(self.members, "mapped", {self.members[0].name: "qwen3-coder:30b"})

    def route(self, exchange: Exchange) -> Route:
        return self._mapped


def test_route_model_mapping_applies_to_the_translated_request(mock_url: str) -> None:
    clear(mock_url)
    save_profile("local", mock_url, auth="bearer", formats=["openai"])

    def build(config: ShimConfig, members: Sequence[Member]) -> Router:
        return _MappedRouter(members)

    with shim_for("local", router=build) as shim:
        _client(shim).messages.create(model="claude-opus-5-5", max_tokens=5, messages=HI)
    assert requests_seen(mock_url)[-1]["body"]["model"] == "qwen3-coder:30b"


def test_unsigned_thinking_never_reaches_a_native_anthropic_member() -> None:
    """A conversation begun on an OpenAI-format member (thinking with no signature) and
    continued on an Anthropic one: the unsigned block is dropped, a signed one kept."""
    signed = {"type": "thinking", "thinking": "signed", "signature": "EqQBCkgIARAB"}
    with mock_thread(format="anthropic") as url:
        save_profile("corp", url, formats=["anthropic"])
        with shim_for("corp") as shim:
            reply = httpx.post(
                shim.url + "/v1/messages?beta=true",
                headers={"x-api-key": shim.token, "anthropic-version": "2023-06-01"},
                json={
                    "model": "claude-sonnet-4-5",
                    "max_tokens": 16,
                    "messages": [
                        *HI,
                        {
                            "role": "assistant",
                            "content": [
                                {"type": "thinking", "thinking": "from vLLM", "signature": ""},
                                signed,
                                {"type": "text", "text": "Hello"},
                            ],
                        },
                        {"role": "user", "content": "again"},
                    ],
                },
                timeout=30,
            )
        assert reply.status_code == 200
        sent = requests_seen(url, "/v1/messages")[-1]["body"]["messages"][1]["content"]
    assert sent == [signed, {"type": "text", "text": "Hello"}]
