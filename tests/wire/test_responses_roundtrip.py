"""Property tests for the Responses format: there and back keeps what a client relies on.

- Responses request -> Messages -> Responses and Responses -> Chat -> Responses: instructions,
  every text, function calls (call id, exact name, arguments as JSON) and their outputs.
- Anthropic answer -> Responses -> Anthropic: content (signed thinking included), stop
  reason and the four usage counts.
- Streams, Anthropic events -> Responses events -> Anthropic events, and Chat chunks ->
  Responses events -> Chat chunks, rebuild the same answer; every Responses event in
  between is accepted by the openai SDK's own types, numbered 0, 1, 2, …
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai.types.responses import ResponseStreamEvent
from pydantic import TypeAdapter

from llmgw_cli.wire.anthropic_stream_to_responses import AnthropicToResponsesStream
from llmgw_cli.wire.anthropic_to_responses import (
    anthropic_to_responses_request,
    responses_to_anthropic_response,
)
from llmgw_cli.wire.openai_stream_to_responses import OpenAIToResponsesStream
from llmgw_cli.wire.openai_to_responses import openai_to_responses_request
from llmgw_cli.wire.responses_stream_to_anthropic import ResponsesToAnthropicStream
from llmgw_cli.wire.responses_stream_to_openai import ResponsesToOpenAIStream
from llmgw_cli.wire.responses_to_anthropic import (
    anthropic_to_responses_response,
    responses_to_anthropic_request,
)
from llmgw_cli.wire.responses_to_openai import responses_to_openai_request
from tests.wire.scripted import Call, Turn, anthropic_events, openai_chunks
from tests.wire.test_roundtrip_props import _rebuild, id_stems, inputs, names, texts, turns

Obj = dict[str, Any]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)


def _text_part(kind: str) -> Any:
    return texts.map(lambda t: {"type": kind, "text": t})


@st.composite
def responses_conversations(draw: st.DrawFn) -> Obj:
    items: list[Obj] = []
    counter = 0
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            items.append({"role": "user", "content": draw(texts)})
        else:
            parts = draw(st.lists(_text_part("input_text"), min_size=1, max_size=3))
            items.append({"type": "message", "role": "user", "content": parts})
        for _ in range(draw(st.integers(0, 2))):
            parts = draw(st.lists(_text_part("output_text"), min_size=1, max_size=2))
            items.append({"type": "message", "role": "assistant", "content": parts})
        calls = []
        for _ in range(draw(st.integers(0, 3))):
            counter += 1
            call = {
                "type": "function_call",
                "call_id": f"call_{draw(id_stems)}{counter}",
                "name": draw(names),
                "arguments": json.dumps(draw(inputs)),
            }
            calls.append(call)
            items.append(call)
        items += [
            {"type": "function_call_output", "call_id": c["call_id"], "output": draw(texts)}
            for c in calls
        ]
    body: Obj = {"model": "gpt-5", "input": items}
    if draw(st.booleans()):
        body["instructions"] = draw(texts)
    return body


def norm(body: Obj) -> list[Any]:
    """A flat list of what a conversation says, whatever its items' grouping."""
    out: list[Any] = []
    items = body["input"]
    for item in [{"role": "user", "content": items}] if isinstance(items, str) else items:
        kind = item.get("type", "message")
        if kind == "message":
            content = item["content"]
            parts = [content] if isinstance(content, str) else [p["text"] for p in content]
            out += [(item["role"], p) for p in parts]
        elif kind == "function_call":
            out.append(("call", item["call_id"], item["name"], json.loads(item["arguments"])))
        elif kind == "function_call_output":
            out.append(("output", item["call_id"], item["output"]))
    return out


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value))  # through real JSON, as on the wire


@SETTINGS
@given(responses_conversations())
def test_responses_messages_responses_keeps_text_calls_ids_arguments(body: Obj) -> None:
    snapshot = json.dumps(body, sort_keys=True)
    back = anthropic_to_responses_request(_json(responses_to_anthropic_request(body)))
    assert json.dumps(body, sort_keys=True) == snapshot  # the input is never mutated
    assert norm(back) == norm(body)
    assert back.get("instructions") == body.get("instructions")


@SETTINGS
@given(responses_conversations())
def test_responses_chat_responses_keeps_text_calls_ids_arguments(body: Obj) -> None:
    chat = _json(responses_to_openai_request(body))
    back = openai_to_responses_request(chat)
    assert norm(back) == norm(body)
    assert back.get("instructions") == body.get("instructions")
    assert "max_output_tokens" not in back  # no limit was asked for, none is invented


@SETTINGS
@given(turns, st.integers(0, 10**5))
def test_anthropic_answer_through_responses_keeps_content_stop_usage(
    turn: Turn, written: int
) -> None:
    content: list[Obj] = []
    if turn.reasoning:
        content.append({"type": "thinking", "thinking": turn.reasoning, "signature": "EqQB"})
    if turn.text:
        content.append({"type": "text", "text": turn.text})
    content += [
        {"type": "tool_use", "id": c.id, "name": c.name, "input": c.input} for c in turn.calls
    ]
    usage = {
        "input_tokens": turn.input_tokens,
        "output_tokens": turn.output_tokens,
        "cache_read_input_tokens": turn.cached_tokens,
        "cache_creation_input_tokens": written,
    }
    msg: Obj = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": content,
        "stop_reason": "tool_use" if turn.calls else "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }
    request = {"model": "gpt-5", "input": "hi"}
    resp = _json(anthropic_to_responses_response(msg, request, response_id="msg_1"))
    assert resp["usage"]["input_tokens_details"]["cached_tokens"] == turn.cached_tokens
    assert responses_to_anthropic_response(resp) == msg


def _check(events: list[Obj]) -> None:
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    for e in events:
        EVENTS.validate_python(e)
    assert events[0]["type"] == "response.created"
    assert events[-1]["type"] in ("response.completed", "response.incomplete")


def _expected(turn: Turn) -> list[Obj]:
    expected: list[Obj] = []
    if turn.reasoning:
        expected.append({"type": "thinking", "thinking": turn.reasoning})
    if turn.text:
        expected.append({"type": "text", "text": turn.text})
    return expected + [
        {"type": "tool_use", "id": c.id, "name": c.name, "input": c.input} for c in turn.calls
    ]


@SETTINGS
@given(turns)
def test_stream_anthropic_responses_anthropic(turn: Turn) -> None:
    to_responses = AnthropicToResponsesStream({"model": "gpt-5", "input": "hi"})
    to_anthropic = ResponsesToAnthropicStream()
    middle: list[Obj] = []
    events: list[Obj] = []
    for event in anthropic_events(turn):
        for ev in to_responses.feed(_json(event)):
            middle.append(ev)
            events += to_anthropic.feed(_json(ev))
    assert to_responses.finish() == [] and to_anthropic.finish() == []
    _check(middle)
    got = _rebuild(events)
    assert got["content"] == _expected(turn)
    assert got["stop_reason"] == ("tool_use" if turn.calls else "end_turn")
    assert got["usage"] == {
        "input_tokens": turn.input_tokens,
        "output_tokens": turn.output_tokens,
        "cache_read_input_tokens": turn.cached_tokens,
        "cache_creation_input_tokens": 0,
    }


@SETTINGS
@given(turns)
def test_stream_chat_responses_chat(turn: Turn) -> None:
    to_responses = OpenAIToResponsesStream({"model": "gpt-5", "input": "hi"})
    to_chat = ResponsesToOpenAIStream(include_usage=True)
    middle: list[Obj] = []
    chunks: list[Obj] = []
    for chunk in openai_chunks(turn):
        for ev in to_responses.feed(_json(chunk)):
            middle.append(ev)
            chunks += to_chat.feed(_json(ev))
    for ev in to_responses.finish():
        middle.append(ev)
        chunks += to_chat.feed(ev)
    chunks += to_chat.finish()
    _check(middle)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    reasoning = "".join(
        c["choices"][0]["delta"].get("reasoning_content") or "" for c in chunks if c["choices"]
    )
    assert text == turn.text and reasoning == turn.reasoning
    calls: dict[int, Obj] = {}
    for c in chunks:
        for tc in (c["choices"][0]["delta"].get("tool_calls") or []) if c["choices"] else []:
            slot = calls.setdefault(tc["index"], {"id": None, "name": None, "arguments": ""})
            slot["id"] = tc.get("id") or slot["id"]
            slot["name"] = tc.get("function", {}).get("name") or slot["name"]
            slot["arguments"] += tc.get("function", {}).get("arguments") or ""
    got = [Call(v["id"], v["name"], json.loads(v["arguments"] or "{}")) for v in calls.values()]
    assert got == turn.calls
    usage = chunks[-1]["usage"]
    assert usage["prompt_tokens"] == turn.input_tokens + turn.cached_tokens
    assert usage["prompt_tokens_details"]["cached_tokens"] == turn.cached_tokens
    assert usage["completion_tokens"] == turn.output_tokens
