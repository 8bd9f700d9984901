"""The SSE parser and encoders (llmgw_cli.wire.sse)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmgw_cli.wire.sse import (
    DONE,
    SSEEvent,
    SSEParser,
    aiter_events,
    comment,
    encode,
    encode_json,
    parse,
)

ANTHROPIC = (
    b"event: message_start\n"
    b'data: {"type":"message_start"}\n\n'
    b"event: ping\n"
    b'data: {"type": "ping"}\n\n'
    b"event: content_block_delta\n"
    b'data: {"type":"content_block_delta","delta":{"text":"h\xc3\xa9"}}\n\n'
)


def test_parses_anthropic_stream_in_one_chunk() -> None:
    events = parse([ANTHROPIC])
    assert [e.event for e in events] == ["message_start", "ping", "content_block_delta"]
    assert events[2].json()["delta"]["text"] == "hé"


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_any_chunking_gives_the_same_events(size: int) -> None:
    chunks = [ANTHROPIC[i : i + size] for i in range(0, len(ANTHROPIC), size)]
    assert parse(chunks) == parse([ANTHROPIC])


def test_line_endings_crlf_cr_and_crlf_split_across_chunks() -> None:
    crlf = b"event: a\r\ndata: 1\r\n\r\n"
    cr = b"event: b\rdata: 2\r\r"
    assert parse([crlf]) == [SSEEvent("1", "a")]
    assert parse([cr]) == [SSEEvent("2", "b")]
    # "\r" ends one chunk and "\n" starts the next: one line break, not two.
    assert parse([b"data: x\r", b"\n", b"data: y\r", b"\n\r\n"]) == [SSEEvent("x\ny")]


def test_openai_done_comments_multiline_and_fields() -> None:
    stream = (
        b': keep-alive\n\ndata: {"a":1}\n\ndata: line1\ndata: line2\n\n'
        + b"id: 7\nretry: 300\ndata:x\n\n"
        + DONE
    )
    events = parse([stream])
    assert events[0] == SSEEvent('{"a":1}') and events[0].event is None
    assert events[1].data == "line1\nline2"
    assert events[2] == SSEEvent("x", None, "7", 300)
    assert events[3].is_done


def test_event_without_data_is_not_dispatched_and_bom_is_skipped() -> None:
    assert parse([b"event: lonely\n\n"]) == []
    assert parse([b"\xef\xbb\xbfdata: first\n\n"]) == [SSEEvent("first")]
    assert parse([b"data\n\n"]) == [SSEEvent("")]  # a field name alone has an empty value


def test_multibyte_character_split_across_chunks() -> None:
    raw = "data: ünïcødé ✓\n\n".encode()
    assert parse([raw[:8], raw[8:9], raw[9:]]) == [SSEEvent("ünïcødé ✓")]


def test_pending_shows_a_cut_stream() -> None:
    parser = SSEParser()
    assert (
        parser.feed(b"event: message_start\ndata: {}\n\nevent: content_block_delta\ndata: {") != []
    )
    assert parser.pending
    complete = SSEParser()
    complete.feed(b"data: 1\n\n")
    assert not complete.pending


def test_encoders() -> None:
    assert encode_json({"type": "ping"}, "ping") == b'event: ping\ndata: {"type":"ping"}\n\n'
    assert encode_json({"t": "é"}) == 'data: {"t":"é"}\n\n'.encode()
    assert (
        encode("a\nb\r\nc", event="e", id="1", retry=5)
        == b"event: e\nid: 1\nretry: 5\ndata: a\ndata: b\ndata: c\n\n"
    )
    assert comment("ping") == b": ping\n\n" and comment() == b":\n\n"
    with pytest.raises(ValueError):
        encode("x", event="bad\nname")


def test_aiter_events_over_an_async_byte_stream() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(ANTHROPIC), 5):
            yield ANTHROPIC[i : i + 5]

    async def collect() -> list[SSEEvent]:
        return [e async for e in aiter_events(chunks())]

    assert asyncio.run(collect()) == parse([ANTHROPIC])


_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
_name = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_text, st.none() | _name), min_size=1, max_size=6),
    st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=20),
)
def test_encode_then_parse_round_trips_under_any_chunking(
    items: list[tuple[str, str | None]], cuts: list[int]
) -> None:
    wire = b"".join(encode(data, event) for data, event in items)
    chunks, pos, i = [], 0, 0
    while pos < len(wire):
        step = cuts[i % len(cuts)]
        chunks.append(wire[pos : pos + step])
        pos, i = pos + step, i + 1
    # Line breaks inside data come back as "\n", whichever kind was sent.
    expected = [
        SSEEvent(data.replace("\r\n", "\n").replace("\r", "\n"), event) for data, event in items
    ]
    assert parse(chunks) == expected
