"""Server-Sent Events: an incremental parser for byte chunks and the matching encoders.

Parsing follows the WHATWG event-stream rules, because gateways differ in the details:
lines end in ``\\n``, ``\\r\\n`` or ``\\r`` (a ``\\r\\n`` may be split across two chunks);
a blank line dispatches; ``:`` starts a comment (``: ping`` keep-alives); one space after
the colon is dropped; several ``data:`` lines join with ``\\n``; an event without data is
not dispatched; a leading UTF-8 BOM is ignored. Chunks may cut anywhere, even inside a
multi-byte character: only complete lines are decoded.

Unlike the browser API, ``SSEEvent.event`` is ``None`` when the stream named no type
(OpenAI streams), so an event re-encodes to the same bytes. ``pending`` tells whether the
stream stopped in the middle of an event, which is how a cut connection shows.

    parser = SSEParser()
    for chunk in chunks:
        for ev in parser.feed(chunk):
            if ev.is_done: ...            # OpenAI's `data: [DONE]`
            payload = ev.json()

Encoders write compact JSON (``separators=(",", ":")``, UTF-8, as the real APIs do) and
each returns one complete event, ready to be written and flushed on its own.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from llmgw_cli.wire import jsoncodec

DONE = b"data: [DONE]\n\n"
_BOM = "\ufeff"
_BOM_BYTES = _BOM.encode()
# Bounds for a stream from outside (docs/architecture.md): no LLM event is anywhere near.
MAX_LINE_BYTES = 16 << 20
MAX_DATA_LINES = 100_000


class SSELimitError(ValueError):
    """An event stream whose line or event passed the parser's bounds."""


_NEWLINES = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class SSEEvent:
    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None

    @property
    def is_done(self) -> bool:
        return self.data == "[DONE]"

    def json(self) -> Any:
        """The data parsed as JSON; raises ``ValueError`` when it is not JSON."""
        return jsoncodec.loads(self.data)


class SSEParser:
    """Turns byte chunks into ``SSEEvent``s; keep one parser per stream."""

    __slots__ = ("_buf", "_cr_pending", "_data", "_event", "_id", "_retry", "_started")

    def __init__(self) -> None:
        self._buf = b""
        self._cr_pending = False  # the last chunk ended in "\r": a "\n" may follow
        self._started = False
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None

    @property
    def pending(self) -> bool:
        """True when bytes or fields of an unfinished event are waiting."""
        return bool(self._buf or self._data or self._event is not None)

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        data = self._buf + chunk if self._buf else chunk
        if self._cr_pending and data:
            self._cr_pending = False
            if data[:1] == b"\n":
                data = data[1:]
        cut = max(data.rfind(b"\n"), data.rfind(b"\r"))
        if cut < 0:
            if len(data) > MAX_LINE_BYTES:
                raise SSELimitError(f"an event-stream line passed {MAX_LINE_BYTES >> 20} MB")
            self._buf = data
            return []
        complete, self._buf = data[: cut + 1], data[cut + 1 :]
        if complete.endswith(b"\r"):
            self._cr_pending = True
        events: list[SSEEvent] = []
        for raw in complete.splitlines():  # bytes.splitlines splits on \n, \r, \r\n only
            ev = self._line(raw.decode("utf-8", "replace"))
            if ev is not None:
                events.append(ev)
        return events

    def feed_raw(self, chunk: bytes) -> list[RawEvent]:
        """``feed``'s events as ``(event name or None, data)``, both undecoded bytes.

        The same events as ``feed`` (ids and retries are tracked but not returned), found
        with one ``split(b"\\n\\n")`` per chunk: a block that is one ``data:`` line, with or
        without an ``event:`` line before it, or a lone comment, is read without decoding;
        any other block, a ``\\r``, an event cut across chunks or a stream's first bytes go
        through the line rules of ``feed`` (so a data may then be U+FFFD-replaced text).
        """
        if self._cr_pending or b"\r" in chunk or not self._start_raw(chunk):
            return [_raw(ev) for ev in self.feed(chunk)]
        events: list[RawEvent] = []
        if self._data or self._event is not None or self._buf:  # an event cut across chunks
            end = chunk.find(b"\n\n")
            if end < 0:
                return [_raw(ev) for ev in self.feed(chunk)]
            events.extend(_raw(ev) for ev in self.feed(chunk[: end + 2]))
            chunk = chunk[end + 2 :]
        *blocks, tail = chunk.split(b"\n\n")
        n = len(blocks)
        if (  # only `data: D` events (OpenAI): no newline but the separators'
            not tail
            and chunk.count(b"\n") == 2 * n
            and chunk.startswith(b"data: ")
            and chunk.count(b"\n\ndata: ") == n - 1
        ):
            events.extend([(None, block[6:]) for block in blocks])
            return events
        for block in blocks:
            cut = block.find(b"\n")
            if cut < 0 and block.startswith(b"data: "):
                events.append((None, block[6:]))
            elif (
                block.startswith(b"event: ")
                and block.startswith(b"data: ", cut + 1)
                and block.find(b"\n", cut + 1) < 0
            ):
                events.append((block[7:cut], block[cut + 7 :]))
            else:
                ev = _simple(block)
                if ev is not None:
                    events.append(ev)
                elif block and not (block[:1] == b":" and cut < 0):  # not a comment
                    events.extend(_raw(ev) for ev in self.feed(block + b"\n\n"))
        if tail:
            events.extend(_raw(ev) for ev in self.feed(tail))
        return events

    def _start_raw(self, chunk: bytes) -> bool:
        """Whether ``feed_raw`` may read ``chunk`` as bytes: not while a stream's first line
        (and so its BOM, maybe cut short) is for the line rules."""
        if self._started:
            return True
        if self._buf or _BOM_BYTES.startswith(chunk[:3]):
            return False
        self._started = True
        return True

    def _line(self, line: str) -> SSEEvent | None:
        if not self._started:
            self._started = True
            if line.startswith(_BOM):
                line = line[1:]
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        field, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if field == "data":
            self._data.append(value)
            if len(self._data) > MAX_DATA_LINES:
                raise SSELimitError(f"an event passed {MAX_DATA_LINES} data lines")
        elif field == "event":
            self._event = value
        elif field == "id":
            if "\0" not in value:
                self._id = value
        elif field == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> SSEEvent | None:
        if not self._data:
            self._event = None
            return None
        ev = SSEEvent("\n".join(self._data), self._event, self._id, self._retry)
        self._data = []
        self._event = None
        self._retry = None
        return ev


RawEvent = tuple[bytes | None, bytes]  # (event name or None, data), undecoded


def _simple(block: bytes) -> RawEvent | None:
    """A block that is ``data: D`` or ``event: E`` + ``data: D``, read as bytes; else None."""
    name: bytes | None = None
    if block[:6] == b"event:":
        cut = block.find(b"\n")
        if cut < 0:
            return None
        name = block[7:cut] if block[6:7] == b" " else block[6:cut]
        block = block[cut + 1 :]
    if block[:5] != b"data:" or b"\n" in block:
        return None
    return (name, block[6:] if block[5:6] == b" " else block[5:])


def _raw(ev: SSEEvent) -> RawEvent:
    return (None if ev.event is None else ev.event.encode(), ev.data.encode())


def parse(chunks: Iterable[bytes]) -> list[SSEEvent]:
    """Every complete event in ``chunks`` (an unfinished last event is dropped)."""
    parser = SSEParser()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events.extend(parser.feed(chunk))
    return events


async def aiter_events(chunks: AsyncIterable[bytes]) -> AsyncIterator[SSEEvent]:
    """Events as they complete, from an async byte stream (aiohttp or httpx)."""
    parser = SSEParser()
    async for chunk in chunks:
        for ev in parser.feed(chunk):
            yield ev


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, the way the APIs write it (orjson: ``jsoncodec``)."""
    return jsoncodec.dumps(obj)


def encode(
    data: str, event: str | None = None, id: str | None = None, retry: int | None = None
) -> bytes:
    """One event; multi-line ``data`` becomes several ``data:`` lines."""
    parts: list[str] = []
    if event is not None:
        _check_field("event", event)
        parts.append(f"event: {event}\n")
    if id is not None:
        _check_field("id", id)
        parts.append(f"id: {id}\n")
    if retry is not None:
        parts.append(f"retry: {int(retry)}\n")
    parts.extend(f"data: {line}\n" for line in _NEWLINES.split(data))
    parts.append("\n")
    return "".join(parts).encode()


def encode_json(obj: Any, event: str | None = None) -> bytes:
    """One event whose data is ``obj`` as compact JSON (never contains a newline)."""
    body = dumps(obj)
    if event is None:
        return b"data: " + body + b"\n\n"
    _check_field("event", event)
    return b"event: " + event.encode() + b"\ndata: " + body + b"\n\n"


def comment(text: str = "") -> bytes:
    """A comment line: a keep-alive every SSE client ignores."""
    _check_field("comment", text)
    return f": {text}\n\n".encode() if text else b":\n\n"


def _check_field(name: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValueError(f"an SSE {name} cannot contain a line break: {value!r}")
