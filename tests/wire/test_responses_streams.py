"""Responses streams at their edges: failures, cut bodies, incomplete answers, and the byte
bridges' fast paths giving exactly what the general path gives, however the bytes are cut."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openai.types.responses import ResponseStreamEvent
from pydantic import TypeAdapter

from llmgw_cli.wire.anthropic_stream_to_responses import AnthropicToResponsesStream
from llmgw_cli.wire.responses_sse import (
    AnthropicToResponsesSSE,
    OpenAIToResponsesSSE,
    ResponsesToAnthropicSSE,
    ResponsesToOpenAISSE,
    named,
)
from llmgw_cli.wire.responses_stream_to_anthropic import ResponsesToAnthropicStream
from llmgw_cli.wire.sse import encode_json, parse
from tests.wire.scripted import Call, Turn, anthropic_events, openai_chunks

Obj = dict[str, Any]
EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
TURN = Turn(
    text="Hello there, world.",
    reasoning="Thinking…",
    calls=[Call("toolu_1", "Bash", {"command": "ls -la"})],
)
REQUEST: Obj = {
    "model": "gpt-5",
    "input": "hi",
    "instructions": "Be brief.",
    "tools": [{"type": "function", "name": "Bash", "parameters": {"type": "object"}}],
}
_EMPTY_ARGS = {"type": "input_json_delta", "partial_json": ""}  # carries nothing; dropped
_IDS = re.compile(r'"(resp|msg|rs|fc)_[0-9a-f]{24}"')


def _sse(events: list[Obj]) -> bytes:
    return b"".join(encode_json(e, e["type"]) for e in events)


def _cuts(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_error_event_ends_in_response_failed() -> None:
    tr = AnthropicToResponsesStream(REQUEST)
    out = [e for ev in anthropic_events(TURN)[:4] for e in tr.feed(ev)]
    out += tr.feed(
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    )
    last = EVENTS.validate_python(out[-1])
    assert last.type == "response.failed" and last.response.error is not None
    assert last.response.error.message == "Overloaded" and last.response.status == "failed"
    assert tr.finish() == [] and tr.feed({"type": "message_stop"}) == []


def test_cut_upstream_ends_in_response_failed() -> None:
    tr = AnthropicToResponsesStream(REQUEST)
    out = [e for ev in anthropic_events(TURN)[:6] for e in tr.feed(ev)] + tr.finish()
    assert out[-1]["type"] == "response.failed"
    assert "ended before" in out[-1]["response"]["error"]["message"]
    assert [e["sequence_number"] for e in out] == list(range(len(out)))


def test_max_tokens_is_response_incomplete() -> None:
    events = anthropic_events(Turn(text="cut"))
    events[-2]["delta"]["stop_reason"] = "max_tokens"
    tr = AnthropicToResponsesStream(REQUEST)
    last = EVENTS.validate_python([e for ev in events for e in tr.feed(ev)][-1])
    assert last.type == "response.incomplete"
    assert last.response.incomplete_details is not None
    assert last.response.incomplete_details.reason == "max_output_tokens"


def test_responses_failure_becomes_an_anthropic_error() -> None:
    tr = ResponsesToAnthropicStream()
    error = {"code": "rate_limit_exceeded", "message": "slow"}
    failed = {
        "type": "response.failed",
        "sequence_number": 3,
        "response": {"id": "resp_1", "status": "failed", "error": error},
    }
    out = tr.feed({"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1"}})
    out += tr.feed(failed)
    assert out[0]["type"] == "message_start"
    assert out[-1] == {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}


def test_cut_responses_stream_becomes_an_anthropic_error() -> None:
    tr = ResponsesToAnthropicStream()
    out = tr.feed({"type": "response.created", "sequence_number": 0, "response": {"id": "r"}})
    out += tr.feed({"type": "response.output_text.delta", "output_index": 0, "delta": "Hi"})
    out += tr.finish()
    assert [e["type"] for e in out] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "error",
    ]


def _norm(data: bytes) -> list[Any]:
    """Parsed events, ids and timestamps blanked (key order is not meaningful in JSON)."""
    text = re.sub(r'"(created_at|completed_at)":\d+', r'"\1":0', data.decode())
    return [(e.event, e.json()) for e in parse([_IDS.sub('"<id>"', text).encode()])]


def _slow_path(events: list[Obj]) -> bytes:
    tr = AnthropicToResponsesStream(REQUEST)
    return b"".join(named(e) for ev in events for e in tr.feed(ev)) + b"".join(
        named(e) for e in tr.finish()
    )


@pytest.mark.parametrize("size", [1, 7, 64, 100_000])
def test_bridge_bytes_equal_the_general_path_however_cut(size: int) -> None:
    events = anthropic_events(TURN)
    bridge = AnthropicToResponsesSSE(REQUEST)
    fast = b"".join(bridge.feed(c) for c in _cuts(_sse(events), size)) + bridge.finish()
    assert _norm(fast) == _norm(_slow_path(events))
    parsed = parse([fast])
    for i, ev in enumerate(parsed):
        data = ev.json()
        EVENTS.validate_python(data)
        assert ev.event == data["type"] and data["sequence_number"] == i


def test_bridge_reads_crlf_comments_and_bom_like_the_parser() -> None:
    events = anthropic_events(TURN)
    raw = "\ufeff".encode() + b": hello\r\n\r\n" + _sse(events).replace(b"\n", b"\r\n")
    bridge = AnthropicToResponsesSSE(REQUEST)
    out = bridge.feed(raw) + bridge.finish()
    assert _norm(out) == _norm(_slow_path(events))


@pytest.mark.parametrize("size", [3, 50, 100_000])
def test_round_trips_through_bytes(size: int) -> None:
    events = anthropic_events(TURN)
    there = AnthropicToResponsesSSE(REQUEST)
    middle = b"".join(there.feed(c) for c in _cuts(_sse(events), size)) + there.finish()
    back = ResponsesToAnthropicSSE()
    again = b"".join(back.feed(c) for c in _cuts(middle, size)) + back.finish()
    got = [e.json() for e in parse([again])]
    want = [e for e in events if e["type"] != "ping" and e.get("delta") != _EMPTY_ARGS]
    assert got[0]["message"]["model"] == "claude-sonnet-4-5"  # the upstream model, both ways
    assert got[1:-2] == want[1:-2]  # every block, delta and signature, in order
    assert got[-2] == {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use", "stop_sequence": None},
        "usage": {
            "input_tokens": TURN.input_tokens,
            "output_tokens": TURN.output_tokens,
            "cache_read_input_tokens": TURN.cached_tokens,
            "cache_creation_input_tokens": 0,
        },
    }
    assert got[-1] == {"type": "message_stop"}


def test_chat_bridges_end_with_done_once() -> None:
    chunks = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in openai_chunks(TURN))
    to_responses = OpenAIToResponsesSSE(REQUEST)
    middle = to_responses.feed(chunks + b"data: [DONE]\n\n") + to_responses.finish()
    kinds = [e.event for e in parse([middle])]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    to_chat = ResponsesToOpenAISSE(include_usage=True)
    out = to_chat.feed(middle) + to_chat.finish() + to_chat.finish()
    assert out.count(b"data: [DONE]") == 1 and out.endswith(b"data: [DONE]\n\n")
    text = "".join(
        c["choices"][0]["delta"].get("content") or ""
        for c in (e.json() for e in parse([out]) if not e.is_done)
        if c["choices"]
    )
    assert text == TURN.text
