"""The stream bridges' fast paths give the same bytes as the general path, for every shape.

The general path is the one the bridges had before their fast paths (docs/architecture.md,
wire/): ``SSEParser.feed`` decodes every line, each event's data is parsed as JSON, the
translator builds event dicts and each is encoded with compact ``json``. The fast paths
(``SSEParser.feed_raw``, ``OpenAIToAnthropicStream.delta_bytes``, the Responses bridges'
byte reading) must not change one byte of what a client receives: text, thinking and tool
argument deltas, unicode and escapes, role or usage in every chunk, pings, errors, data
that is not JSON or not UTF-8, and every cut of the upstream bytes.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmgw_cli.wire.openai_stream_to_anthropic import OpenAIToAnthropicStream
from llmgw_cli.wire.responses_sse import AnthropicToResponsesSSE, ResponsesToAnthropicSSE
from llmgw_cli.wire.sse import SSEEvent, SSEParser
from llmgw_cli.wire.sse_bridge import OpenAIToAnthropicSSE
from tests.wire.scripted import Call, Turn, anthropic_events, openai_chunks

Obj = dict[str, Any]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
ODD = 'Héllo "wörld" \\ back\\slash\n\ttab \u2028 ✓ 🎉 \x01\x1f / </script>'


def _raw(ev: SSEEvent) -> tuple[bytes | None, bytes]:
    return (None if ev.event is None else ev.event.encode(), ev.data.encode())


def _cuts(data: bytes, at: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(a for a in at if 0 < a < len(data))})
    return [data[a:b] for a, b in itertools.pairwise(points)]


def _every_cut(data: bytes) -> list[list[bytes]]:
    """The bytes whole, cut once at every offset, and in pieces of 1, 2, 3 and 7 bytes."""
    out = [[data]] + [_cuts(data, [i]) for i in range(1, len(data))]
    out += [[data[i : i + n] for i in range(0, len(data), n)] for n in (1, 2, 3, 7)]
    return out


# -- SSEParser.feed_raw against SSEParser.feed ----------------------------------------------

_line = st.one_of(
    st.sampled_from(
        [
            "data: x",
            "data:y",
            "data: [DONE]",
            "data:",
            "data",
            "event: ping",
            "event:content_block_delta",
            "event: a:b",
            "event:",
            "id: 7",
            "retry: 100",
            ": ping",
            ":",
            "",
            "\ufeffdata: bom",
            "data: \ufeff",
            'data: {"a":"é"}',
        ]
    ),
    st.text(alphabet="ab :\r\u00e9", max_size=6).map(lambda t: "data: " + t),
)
_ending = st.sampled_from(["\n"] * 12 + ["\r\n", "\r"])  # a \r sends a chunk to feed
streams = st.lists(st.tuples(_line, _ending), max_size=14).map(
    lambda lines: "".join(a + b for a, b in lines).encode()
)


def _both(chunks: list[bytes]) -> tuple[list[Any], list[Any], bool, bool]:
    slow, fast = SSEParser(), SSEParser()
    a: list[Any] = []
    b: list[Any] = []
    for chunk in chunks:
        a.extend(_raw(ev) for ev in slow.feed(chunk))
        b.extend(fast.feed_raw(chunk))
    return a, b, slow.pending, fast.pending


@SETTINGS
@given(streams, st.lists(st.integers(0, 200), max_size=4), st.booleans())
def test_feed_raw_gives_feeds_events_however_cut(data: bytes, at: list[int], bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + data
    a, b, pa, pb = _both(_cuts(data, at))
    assert b == a
    assert pb == pa


@SETTINGS
@given(streams)
def test_feed_raw_gives_feeds_events_at_every_single_cut(data: bytes) -> None:
    data = b"\xef\xbb\xbf" + data
    for chunks in _every_cut(data)[: 2 + len(data)]:
        a, b, _, _ = _both(chunks)
        assert b == a


ODD_STREAMS = [
    b"data: a\n\n: ping\n\ndata:b\n\nevent: x\n\ndata: c\n\n",
    b"data: a\n\ndata: b\n\n\n\ndata: c\n\n\ndata: d\n\n",
    b"data: a\n\nid: 1\n\ndata: b\ndata: c\n\nevent: e\ndata: f\nid: 2\n\n",
    b"event: e\n\nevent:\ndata:\n\nevent: e\nevent: f\ndata: g\n\n:c\ndata: h\n\n",
    b"data: a\n\ndata",
    b"\n\ndata: a\n\n",
]


def test_feed_raw_reads_odd_blocks_like_feed() -> None:
    for data in ODD_STREAMS:
        for chunks in _every_cut(data):
            a, b, pa, pb = _both(chunks)
            assert (b, pb) == (a, pa)


def test_feed_raw_reads_whole_events_without_decoding() -> None:
    p = SSEParser()
    raw = b'data: {"a":1}\n\nevent: x\ndata: \xff\n\n: ping\n\ndata: [DONE]\n\n'
    assert p.feed_raw(raw) == [(None, b'{"a":1}'), (b"x", b"\xff"), (None, b"[DONE]")]
    # a cut event, a two-line data and a \r go through the line rules
    assert p.feed_raw(b"data: a\ndata: b\n\ndata: c") == [(None, b"a\nb")]
    assert p.pending
    assert p.feed_raw(b"d\r\n\r\n") == [(None, b"cd")]
    assert not p.pending


# -- OpenAI upstream -> Anthropic client ------------------------------------------------------


def _o2a_general(chunks: list[bytes]) -> bytes:
    """The bridge as it was before its fast paths: decoded lines, dicts, json."""
    parser, tr = SSEParser(), OpenAIToAnthropicStream(message_id="msg_x")
    out: list[bytes] = []

    def emit(events: list[Obj]) -> None:
        out.extend(f"event: {e['type']}\ndata: {_encode(e)}\n\n".encode() for e in events)

    for chunk in chunks:
        for ev in parser.feed(chunk):
            if ev.is_done:
                emit(tr.finish())
                continue
            try:
                data = ev.json()
            except ValueError:
                continue
            emit(tr.feed(data))
    emit(tr.finish())
    return b"".join(out)


def _o2a_fast(chunks: list[bytes]) -> bytes:
    bridge = OpenAIToAnthropicSSE(message_id="msg_x")
    return b"".join(bridge.feed(c) for c in chunks) + bridge.finish()


def _chunk(delta: Obj, finish: str | None = None, **extra: Any) -> Obj:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "system_fingerprint": None, "choices": [choice], **extra}  # fmt: skip


def _sse(chunks: list[Obj], ensure_ascii: bool = False) -> bytes:
    """Compact JSON as the servers write it; with \\u escapes, spaced (Python's defaults)."""
    sep = (", ", ": ") if ensure_ascii else (",", ":")
    body = b"".join(
        b"data: " + json.dumps(c, ensure_ascii=ensure_ascii, separators=sep).encode() + b"\n\n"
        for c in chunks
    )
    return body + b"data: [DONE]\n\n"


def _shapes() -> list[list[Obj]]:
    """Every chunk shape the fast path reads or must leave to the general path."""
    tool = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "Bash"}}
    text = [_chunk({"role": "assistant", "content": "", "refusal": None})]
    text += [_chunk({"content": p}) for p in ("Hel", "lo", ODD, "", "\u00e9")]
    text += [_chunk({"role": "assistant", "content": "again"}), _chunk({"content": None})]
    text += [_chunk({"content": "u"}, usage={"prompt_tokens": 3, "completion_tokens": 1})]
    text += [_chunk({"content": "x", "tool_calls": None, "reasoning_content": None})]
    thinking = [_chunk({"reasoning_content": p}) for p in ("why", ODD, "")]
    thinking += [_chunk({"reasoning": "ollama"}), _chunk({"reasoning_content": None})]
    thinking += [_chunk({"reasoning": "r", "reasoning_content": "rc"})]
    tools = [_chunk({"tool_calls": [{**tool, "function": {"name": "Bash", "arguments": ""}}]})]
    tools += [
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": p}}]})
        for p in ('{"com', 'mand": "l', 's \\"é\\""}')
    ]
    tools += [_chunk({"tool_calls": [{**tool, "index": 1, "id": "call_2"}]})]
    tools += [_chunk({"tool_calls": [{"index": 1, "function": {"arguments": '{"a":1}'}}]})]
    tools += [_chunk({"tool_calls": [{"index": 0, "function": {"arguments": "late"}}]})]
    tools += [_chunk({"tool_calls": [{"index": 1, "function": {"arguments": {"whole": 1}}}]})]
    end = [_chunk({}, "tool_calls"), {**_chunk({}), "choices": [], "usage": {"total_tokens": 5}}]
    odd = [
        {**_chunk({"content": "n"}), "choices": [{"index": 1, "delta": {"content": "n1"}}]},
        {**_chunk({"content": "i"}), "choices": [{"index": None, "delta": {"content": "i"}}]},
        {**_chunk({"content": "two"}), "choices": [{"delta": {"content": "a"}}] * 2},
        _chunk({"content": "fin"}, "stop"),
        _chunk({"content": "a", "refusal": "no"}),
        _chunk({"refusal": "no"}),
        _chunk({"content": ["not", "a", "str"]}),
    ]
    mixed = text[:3] + thinking[:2] + text[3:5] + tools + text[5:] + thinking[2:]
    return [text + end, thinking + text + end, mixed + end, text[:2] + odd + end]


def test_openai_to_anthropic_fast_bytes_equal_the_general_path_at_every_cut() -> None:
    for shape in _shapes():
        for ensure_ascii in (False, True):  # \u escapes (Python servers) or raw UTF-8
            data = b": ping\n\n" + _sse(shape, ensure_ascii)
            whole = _o2a_general([data])
            assert b"content_block_delta" in whole
            for chunks in _every_cut(data) if not ensure_ascii else [[data]]:
                assert _o2a_fast(chunks) == _o2a_general(chunks) == whole


def test_openai_to_anthropic_error_ping_and_junk_like_the_general_path() -> None:
    data = _sse([_chunk({"content": "a"}), _chunk({"content": "b"})])[: -len(b"data: [DONE]\n\n")]
    same = _sse([_chunk({"content": "a"})])[: -len(b"data: [DONE]\n\n")]
    for odd in (b'"\xff\xfe"', b'"\x01"', b'"a\\"b"', b'"\\u00e9"', b'"a"b"', b"7", b'"', b'""'):
        data += same.replace(b'"a"', odd)  # the learnt chunk around an odd string
    data += same.replace(b'"a"', b'"after odd"')
    data += b': keep-alive\n\ndata: not json\n\ndata: {"content": \xff}\n\n'
    data += b'data: {"choices":[{"index":0,"delta":{"content":"\xff\xfe"}}]}\n\n'
    data += b'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n'
    data += b'data: {"choices":[{"index":0,"delta":{"content":"after"}}]}\n\n'
    for chunks in _every_cut(data):
        assert _o2a_fast(chunks) == _o2a_general(chunks)
    assert b'"type":"error"' in _o2a_general([data])


@SETTINGS
@given(
    st.lists(
        st.tuples(st.sampled_from(["content", "reasoning_content", "reasoning"]), st.text()),
        min_size=1,
        max_size=12,
    ),
    st.lists(st.integers(0, 2000), max_size=5),
    st.booleans(),
)
def test_openai_to_anthropic_any_text_any_cut(
    pieces: list[tuple[str, str]], at: list[int], ensure_ascii: bool
) -> None:
    chunks = [_chunk({"role": "assistant", "content": ""})]
    chunks += [_chunk({key: text}) for key, text in pieces]
    try:
        data = _sse([*chunks, _chunk({}, "stop")], ensure_ascii)
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8: no server sends it raw
        return
    cut = _cuts(data, at)
    try:
        expected = _o2a_general(cut)
    except UnicodeEncodeError:  # neither path can encode a lone surrogate
        return
    assert _o2a_fast(cut) == expected


def test_scripted_turns_equal_the_general_path() -> None:
    turn = Turn(reasoning="why", text=ODD, calls=[Call("c1", "Bash", {"command": ODD})])
    data = _sse(openai_chunks(turn))
    for chunks in _every_cut(data)[:: max(1, len(data) // 200)]:
        assert _o2a_fast(chunks) == _o2a_general(chunks)


# -- the Responses bridges --------------------------------------------------------------------


def _named(events: list[Obj]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {_encode(e)}\n\n".encode() for e in events)


def test_anthropic_to_responses_is_the_same_however_cut() -> None:
    turn = Turn(reasoning="why", text=ODD, calls=[Call("c1", "Bash", {"command": ODD})])
    data = b'event: ping\ndata: {"type": "ping"}\n\n' + _named(anthropic_events(turn))
    request: Obj = {"model": "m", "input": "hi", "instructions": "be brief", "tools": []}

    def run(chunks: list[bytes]) -> bytes:
        bridge = AnthropicToResponsesSSE(request)
        out = b"".join(bridge.feed(c) for c in chunks) + bridge.finish()
        out = re.sub(rb'"(resp|msg|rs|fc)_[0-9a-f]{24}"', b'"<id>"', out)
        return re.sub(rb'"(created_at|completed_at)":\d+', rb'"\1":0', out)

    whole = run([data])
    assert b"response.output_text.delta" in whole
    for chunks in _every_cut(data)[:: max(1, len(data) // 300)]:
        assert run(chunks) == whole


def test_responses_to_anthropic_skips_the_same_events_however_cut() -> None:
    events: list[Obj] = [
        {"type": "response.created", "response": {"id": "resp_1", "model": "m", "output": []}},
        {"type": "response.in_progress", "response": {"id": "resp_1"}},
        {"type": "response.output_item.added", "output_index": 0,
         "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []}},
        {"type": "response.content_part.added", "output_index": 0, "content_index": 0},
        *({"type": "response.output_text.delta", "output_index": 0, "content_index": 0,
           "delta": p} for p in ("a", ODD, "é")),
        {"type": "response.output_text.done", "output_index": 0, "text": "x"},
        {"type": "response.completed",
         "response": {"id": "resp_1", "status": "completed", "output": [],
                      "usage": {"input_tokens": 3, "output_tokens": 2}}},
    ]  # fmt: skip
    data = b": hi\n\n" + _named(events)

    def run(chunks: list[bytes]) -> bytes:
        bridge = ResponsesToAnthropicSSE(model="m")
        return b"".join(bridge.feed(c) for c in chunks) + bridge.finish()

    whole = run([data])
    assert whole.count(b"text_delta") == 3
    for chunks in _every_cut(data)[:: max(1, len(data) // 300)]:
        got = run(chunks)
        assert _without_ids(got) == _without_ids(whole)


def _without_ids(raw: bytes) -> list[Any]:
    out = []
    for ev in SSEParser().feed(raw):
        data = ev.json()
        if data.get("type") == "message_start":
            data["message"].pop("id", None)
        out.append((ev.event, data))
    return out


def test_a_template_is_learnt_only_where_the_delta_string_is() -> None:
    def chunk(meta: str, content: bytes) -> bytes:
        return (
            b'data: {"meta":{"content":"' + meta.encode() + b'"},"choices":[{"index":0,'
            b'"delta":{"content":' + content + b"}}]}\n\n"
        )

    # "b" written as an escape: the only plain "b" after a "content" key is another field's
    # (the key twice stops the learning early; the probe would refuse it anyway)
    data = chunk("x", b'"a"') + chunk("b", b'"\\u0062"')
    data += b"".join(chunk(m, b'"\\u0062"') for m in ("c", "d", "e"))
    data += chunk("f", b'"g"') + chunk("f", b'"g"') + chunk("f", b'"h"')  # twice: no template
    for chunks in _every_cut(data):
        assert _o2a_fast(chunks) == _o2a_general(chunks)
    assert _o2a_general([data]).count(b'"text":"b"') == 4
