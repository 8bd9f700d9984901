"""Property tests: translating there and back keeps text, tool names, ids and arguments.

- Anthropic request -> OpenAI -> Anthropic: every text, tool_use (id, exact name, input) and
  tool_result (id, content) survives; thinking blocks are the only thing dropped.
- OpenAI request -> Anthropic -> OpenAI: system, texts, tool_calls (id, name, arguments as
  JSON) and tool messages survive.
- Anthropic response -> OpenAI -> Anthropic: content, stop reason and all four usage counts.
- Streams: Anthropic events -> OpenAI chunks -> Anthropic events rebuild the same message.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmgw_cli.wire.anthropic_stream_to_openai import AnthropicToOpenAIStream
from llmgw_cli.wire.anthropic_to_openai import (
    anthropic_to_openai_request,
    openai_to_anthropic_response,
)
from llmgw_cli.wire.openai_stream_to_anthropic import OpenAIToAnthropicStream
from llmgw_cli.wire.openai_to_anthropic import (
    anthropic_to_openai_response,
    openai_to_anthropic_request,
)
from tests.wire.scripted import Call, Turn, anthropic_events

Obj = dict[str, Any]
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

texts = st.text(min_size=1, max_size=30)
names = st.from_regex(r"[a-zA-Z0-9_-]{1,64}", fullmatch=True)
id_stems = st.from_regex(r"[A-Za-z0-9]{1,20}", fullmatch=True)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=15)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
inputs = st.dictionaries(st.text(max_size=10), json_values, max_size=4)


@st.composite
def anthropic_conversations(draw: st.DrawFn) -> Obj:
    messages: list[Obj] = []
    pending: list[str] = []
    counter = 0
    for _ in range(draw(st.integers(1, 4))):
        blocks: list[Obj] = []
        for tid in pending:
            content = draw(
                st.one_of(
                    st.text(max_size=30),
                    st.lists(
                        texts.map(lambda t: {"type": "text", "text": t}), min_size=1, max_size=3
                    ),
                )
            )
            block: Obj = {"type": "tool_result", "tool_use_id": tid, "content": content}
            if draw(st.booleans()):
                block["is_error"] = True
            blocks.append(block)
        user_texts = draw(st.lists(texts, min_size=0 if pending else 1, max_size=3))
        blocks += [
            {"type": "text", "text": t, "cache_control": {"type": "ephemeral"}} for t in user_texts
        ]
        plain = not pending and len(user_texts) == 1 and draw(st.booleans())
        messages.append({"role": "user", "content": user_texts[0] if plain else blocks})

        assistant: list[Obj] = []
        if draw(st.booleans()):
            assistant.append({"type": "thinking", "thinking": draw(texts), "signature": "sig"})
        a_texts = draw(st.lists(texts, max_size=2))
        assistant += [{"type": "text", "text": t} for t in a_texts]
        pending = []
        for _ in range(draw(st.integers(0 if a_texts else 1, 3))):
            counter += 1
            tid = f"toolu_{draw(id_stems)}{counter}"
            pending.append(tid)
            assistant.append(
                {"type": "tool_use", "id": tid, "name": draw(names), "input": draw(inputs)}
            )
        messages.append({"role": "assistant", "content": assistant})
    system = draw(
        st.one_of(
            st.none(),
            texts,
            st.lists(texts.map(lambda t: {"type": "text", "text": t}), min_size=1, max_size=3),
        )
    )
    body: Obj = {
        "model": draw(names),
        "max_tokens": draw(st.integers(1, 64000)),
        "messages": messages,
    }
    if system is not None:
        body["system"] = system
    return body


def _result_text(block: Obj) -> str:
    c = block.get("content")
    text = c if isinstance(c, str) else "\n".join(b["text"] for b in c or [])
    return ("Error: " if block.get("is_error") else "") + text


def norm_anthropic(messages: list[Obj]) -> list[Any]:
    out = []
    for m in messages:
        c = m["content"]
        items: list[Any] = []
        for b in [{"type": "text", "text": c}] if isinstance(c, str) else c:
            if b["type"] == "text":
                items.append(("text", b["text"]))
            elif b["type"] == "tool_use":
                items.append(("tool_use", b["id"], b["name"], b["input"]))
            elif b["type"] == "tool_result":
                items.append(("tool_result", b["tool_use_id"], _result_text(b)))
        out.append((m["role"], items))
    return out


def _system_text(system: Any) -> str | None:
    if system is None:
        return None
    return system if isinstance(system, str) else "\n\n".join(b["text"] for b in system)


@SETTINGS
@given(anthropic_conversations())
def test_anthropic_openai_anthropic_keeps_text_tools_ids_arguments(body: Obj) -> None:
    snapshot = json.dumps(body, sort_keys=True)
    openai_body = json.loads(json.dumps(anthropic_to_openai_request(body)))  # through real JSON
    back = openai_to_anthropic_request(openai_body)
    assert json.dumps(body, sort_keys=True) == snapshot  # the input is never mutated
    assert norm_anthropic(back["messages"]) == norm_anthropic(body["messages"])
    assert back.get("system") == _system_text(body.get("system"))
    assert back["model"] == body["model"] and back["max_tokens"] == body["max_tokens"]


@st.composite
def openai_conversations(draw: st.DrawFn) -> Obj:
    messages: list[Obj] = []
    if draw(st.booleans()):
        messages.append({"role": "system", "content": draw(texts)})
    counter = 0
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            messages.append({"role": "user", "content": draw(texts)})
        else:
            messages.append(
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": t}
                        for t in draw(st.lists(texts, min_size=1, max_size=3))
                    ],
                }
            )
        calls = []
        for _ in range(draw(st.integers(0, 3))):
            counter += 1
            calls.append(
                {
                    "id": f"call_{draw(id_stems)}{counter}",
                    "type": "function",
                    "function": {"name": draw(names), "arguments": json.dumps(draw(inputs))},
                }
            )
        text = (
            draw(texts) if not calls or draw(st.booleans()) else draw(st.sampled_from(["", None]))
        )
        assistant: Obj = {"role": "assistant", "content": text}
        if calls:
            assistant["tool_calls"] = calls
        messages.append(assistant)
        messages += [
            {"role": "tool", "tool_call_id": c["id"], "content": draw(st.text(max_size=20))}
            for c in calls
        ]
    return {"model": "gpt-4o", "messages": messages, "max_tokens": 100}


def norm_openai(messages: list[Obj]) -> list[Any]:
    out: list[Any] = []
    for m in messages:
        c = m.get("content")
        if m["role"] == "tool":
            out.append(("tool", m["tool_call_id"], c))
            continue
        parts = [c] if isinstance(c, str) else [p["text"] for p in c or []]
        calls = [
            (t["id"], t["function"]["name"], json.loads(t["function"]["arguments"]))
            for t in m.get("tool_calls") or []
        ]
        out.append((m["role"], [p for p in parts if p], calls))
    return out


@SETTINGS
@given(openai_conversations())
def test_openai_anthropic_openai_keeps_text_tools_ids_arguments(body: Obj) -> None:
    anthropic_body = json.loads(json.dumps(openai_to_anthropic_request(body)))
    back = anthropic_to_openai_request(anthropic_body)
    assert norm_openai(back["messages"]) == norm_openai(body["messages"])


turns = st.builds(
    Turn,
    text=st.text(max_size=60),
    reasoning=st.text(max_size=30),
    calls=st.lists(
        st.builds(Call, id=id_stems.map(lambda s: "toolu_" + s), name=names, input=inputs),
        max_size=3,
        unique_by=lambda c: c.id,
    ),
    input_tokens=st.integers(0, 10**6),
    cached_tokens=st.integers(0, 10**6),
    output_tokens=st.integers(0, 10**5),
)


@SETTINGS
@given(turns, st.integers(0, 10**5))
def test_anthropic_response_round_trip_keeps_content_stop_and_usage(
    turn: Turn, written: int
) -> None:
    content: list[Obj] = []
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
    back = openai_to_anthropic_response(json.loads(json.dumps(anthropic_to_openai_response(msg))))
    assert back == msg


def _rebuild(events: list[Obj]) -> Obj:
    """A minimal accumulator, stricter than the SDK's: checks block open/close order too."""
    assert events[0]["type"] == "message_start" and events[-1]["type"] == "message_stop"
    blocks: dict[int, Obj] = {}
    open_index: int | None = None
    stop_reason = None
    usage: Obj = {}
    for e in events[1:-1]:
        t = e["type"]
        if t == "content_block_start":
            assert open_index is None, "a block was started while another was open"
            open_index = e["index"]
            assert open_index == len(blocks)
            blocks[open_index] = {**e["content_block"], "_json": ""}
        elif t == "content_block_delta":
            assert e["index"] == open_index
            d, b = e["delta"], blocks[e["index"]]
            if d["type"] == "text_delta":
                b["text"] += d["text"]
            elif d["type"] == "thinking_delta":
                b["thinking"] += d["thinking"]
            elif d["type"] == "input_json_delta":
                b["_json"] += d["partial_json"]
        elif t == "content_block_stop":
            assert e["index"] == open_index
            open_index = None
        elif t == "message_delta":
            assert open_index is None
            stop_reason, usage = e["delta"]["stop_reason"], e["usage"]
    content = []
    for b in blocks.values():
        raw = b.pop("_json")
        if b["type"] == "tool_use":
            b["input"] = json.loads(raw) if raw else {}
        b.pop("signature", None)
        content.append(b)
    return {"content": content, "stop_reason": stop_reason, "usage": usage}


@SETTINGS
@given(turns)
def test_stream_round_trip_anthropic_openai_anthropic(turn: Turn) -> None:
    to_openai = AnthropicToOpenAIStream(include_usage=True)
    to_anthropic = OpenAIToAnthropicStream()
    events: list[Obj] = []
    for event in anthropic_events(turn):
        for chunk in to_openai.feed(json.loads(json.dumps(event))):
            events += to_anthropic.feed(json.loads(json.dumps(chunk)))
    for chunk in to_openai.finish():
        events += to_anthropic.feed(chunk)
    events += to_anthropic.finish()
    got = _rebuild(events)
    expected: list[Obj] = []
    if turn.reasoning:
        expected.append({"type": "thinking", "thinking": turn.reasoning})
    if turn.text:
        expected.append({"type": "text", "text": turn.text})
    expected += [
        {"type": "tool_use", "id": c.id, "name": c.name, "input": c.input} for c in turn.calls
    ]
    assert got["content"] == expected
    assert got["stop_reason"] == ("tool_use" if turn.calls else "end_turn")
    assert got["usage"] == {
        "input_tokens": turn.input_tokens,
        "output_tokens": turn.output_tokens,
        "cache_read_input_tokens": turn.cached_tokens,
        "cache_creation_input_tokens": 0,
    }
