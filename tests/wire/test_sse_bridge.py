"""Byte-level bridges: any cut of the upstream bytes gives the same translated stream."""

from __future__ import annotations

import json
import re

from llmgw_cli.wire.sse import DONE, encode_json, parse
from llmgw_cli.wire.sse_bridge import AnthropicToOpenAISSE, OpenAIToAnthropicSSE
from tests.wire.scripted import Call, Turn, anthropic_events, openai_chunks

TURN = Turn(
    reasoning="why",
    text="Héllo wörld, ünïcode ✓",
    calls=[Call("c1", "Bash", {"command": "ls -la"})],
)


def _o2a(raw: bytes, step: int) -> bytes:
    bridge = OpenAIToAnthropicSSE(message_id="msg_x")
    out = b"".join(bridge.feed(raw[i : i + step]) for i in range(0, len(raw), step))
    return out + bridge.finish()


def _a2o(raw: bytes, step: int) -> bytes:
    bridge = AnthropicToOpenAISSE(include_usage=True)
    out = b"".join(bridge.feed(raw[i : i + step]) for i in range(0, len(raw), step))
    return out + bridge.finish()


def _strip_created(raw: bytes) -> list[object]:
    items: list[object] = []
    for ev in parse([raw]):
        if ev.is_done:
            items.append("[DONE]")
            continue
        data = ev.json()
        data.pop("created", None)
        data.pop("id", None)
        items.append(data)
    return items


def test_openai_to_anthropic_is_independent_of_chunking() -> None:
    raw = b": keep-alive\n\n" + b"".join(encode_json(c) for c in openai_chunks(TURN)) + DONE
    whole = _o2a(raw, len(raw))
    for step in (1, 2, 3, 7, 64):
        assert _o2a(raw, step) == whole
    events = parse([whole])
    assert [e.event for e in events][:2] == ["message_start", "content_block_start"]
    assert events[-1].event == "message_stop"
    assert all(e.event == e.json()["type"] for e in events)
    # [DONE] already closed the stream: finish adds nothing.
    bridge = OpenAIToAnthropicSSE()
    bridge.feed(raw)
    assert bridge.finish() == b""
    assert bridge.translator.usage["output_tokens"] == TURN.output_tokens


def test_openai_upstream_without_done_is_closed_by_finish() -> None:
    raw = b"".join(encode_json(c) for c in openai_chunks(TURN))
    bridge = OpenAIToAnthropicSSE()
    body = bridge.feed(raw)
    assert b"message_stop" not in body
    assert parse([bridge.finish()])[-1].event == "message_stop"


def test_anthropic_to_openai_is_independent_of_chunking_and_ends_in_one_done() -> None:
    raw = b"".join(encode_json(e, e["type"]) for e in anthropic_events(TURN))
    whole = _a2o(raw, len(raw))
    for step in (1, 5, 13):
        assert _strip_created(_a2o(raw, step)) == _strip_created(whole)
    assert whole.endswith(DONE) and whole.count(b"[DONE]") == 1
    last = json.loads(parse([whole])[-2].data)
    assert last["choices"] == [] and last["usage"]["completion_tokens"] == TURN.output_tokens


def test_non_json_data_is_skipped() -> None:
    bridge = AnthropicToOpenAISSE()
    assert bridge.feed(b"event: ping\ndata: not json\n\n") == b""
    assert bridge.finish().endswith(DONE)


def test_bridge_encoding_matches_sse_encoders_byte_for_byte() -> None:
    from llmgw_cli.wire.anthropic_stream_to_openai import AnthropicToOpenAIStream
    from llmgw_cli.wire.openai_stream_to_anthropic import OpenAIToAnthropicStream

    chunks = openai_chunks(TURN)
    tr = OpenAIToAnthropicStream(message_id="msg_x")
    expected = b"".join(encode_json(e, e["type"]) for c in chunks for e in tr.feed(c))
    expected += b"".join(encode_json(e, e["type"]) for e in tr.finish())
    assert _o2a(b"".join(encode_json(c) for c in chunks) + DONE, 9) == expected

    events = anthropic_events(TURN)
    tr2 = AnthropicToOpenAIStream()
    bridge = AnthropicToOpenAISSE()
    got = b"".join(bridge.feed(encode_json(e, e["type"])) for e in events) + bridge.finish()
    want = [encode_json(c) for e in events for c in tr2.feed(e)] + [DONE]
    created = re.compile(rb'"created":\d+')
    assert created.sub(b"", got) == created.sub(b"", b"".join(want))
