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
