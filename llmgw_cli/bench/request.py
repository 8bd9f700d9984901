"""The hot path: send one request and stamp what happens. It never raises for a failed
request (the failure is the measurement); only cancellation propagates.

Streams are parsed incrementally (``wire.sse``); every chunk is stamped once when it
arrives, and only events that carry content, usage or the end are decoded as JSON.
A content delta is a non-empty piece of text, thinking or tool-call JSON: the first one is
the first token (TTFT), each later one an inter-token gap.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp

from llmgw_cli.bench.phases import CURRENT
from llmgw_cli.bench.record import Record
from llmgw_cli.bench.target import Target
from llmgw_cli.wire import responses as rw
from llmgw_cli.wire.sse import SSEEvent, SSEParser
from llmgw_cli.wire.usage import UsageTap

_now = time.perf_counter
ERROR_BODY_BYTES = 4096  # of an error reply: enough for the message, never the whole page


class Bounded(Exception):
    """A reply passed one of the target's bounds; ``kind`` goes in the errors table."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


FreshSession = Callable[[], aiohttp.ClientSession]
# What a pooled connection the server has already closed fails with: "Server disconnected",
# or "Can not write request body" (ClientOSError).
_STALE = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


async def send(
    session: aiohttp.ClientSession,
    target: Target,
    rec: Record,
    fresh: FreshSession | None = None,
) -> None:
    """One request. A pooled connection the server closed before answering (llama.cpp's
    server closes after each stream while announcing keep-alive) is retried once on a fresh
    connection, which is then counted as a new one, not as an error."""
    CURRENT.set(rec)
    rec.sent = _now()
    try:
        try:
            await _attempt(session, target, rec)
        except _STALE:
            if rec.reused is False or rec.headers_at is not None or fresh is None:
                raise
            rec.reused = None
            async with fresh() as once:
                await _attempt(once, target, rec)
    except asyncio.CancelledError:
        raise
    except Bounded as exc:
        rec.error, rec.detail = exc.kind, str(exc)
    except Exception as exc:
        rec.error = classify(exc)
        rec.detail = _detail(exc, session)
    rec.end = _now()


async def _attempt(session: aiohttp.ClientSession, target: Target, rec: Record) -> None:
    async with session.post(
        target.url,
        data=target.body,
        headers=target.headers,
        trace_request_ctx=rec,
        allow_redirects=False,  # a redirect is a misconfigured endpoint: report it
    ) as resp:
        rec.headers_at = _now()
        rec.status = resp.status
        if rec.reused is None:  # no connection was opened for this request
            rec.reused = True
        if resp.status >= 300:
            rec.error = str(resp.status)
            head = await resp.content.read(ERROR_BODY_BYTES)
            rec.detail = head[:300].decode("utf-8", "replace")
        elif target.stream:
            await _stream(resp, target, rec)
        else:
            _whole(await _read_capped(resp, target.max_body_bytes), target.format, rec)


async def _stream(resp: aiohttp.ClientResponse, target: Target, rec: Record) -> None:
    """One loop for every format's stream; the format's event function stamps the pieces
    and says when the stream has properly ended."""
    on_event = _EVENTS.get(target.format, _openai_event)
    parser, tap = SSEParser(), UsageTap()
    done = seen = False
    async for chunk in _chunks(resp, rec, target.max_pieces):
        t = _now()
        for ev in parser.feed(chunk):
            seen = True
            done = on_event(ev, t, rec, tap) or done
    if not done and rec.error is None:
        # Events that stopped short: a cut stream; no event at all: not an event stream.
        rec.error = "stream_cut" if seen else "bad_response"


def _piece(rec: Record, t: float, piece: Any) -> None:
    if piece:
        rec.token_times.append(t)
        rec.pieces.append(piece)


def _detail(exc: Exception, session: aiohttp.ClientSession) -> str:
    if isinstance(exc, asyncio.TimeoutError) and not isinstance(exc, aiohttp.ServerTimeoutError):
        total = session.timeout.total
        return f"not done within --timeout {total:g} s (the whole-request deadline)"
    return str(exc)[:300] or type(exc).__name__


async def _read_capped(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """The whole body (decoded as it arrives), at most ``limit`` bytes."""
    body = bytearray()
    async for chunk in resp.content.iter_chunked(1 << 16):
        body += chunk
        if len(body) > limit:
            raise Bounded("too_large", f"the reply passed bench's {limit >> 20} MB limit")
    return bytes(body)


async def _chunks(resp: aiohttp.ClientResponse, rec: Record, limit: int) -> AsyncIterator[bytes]:
    """A stream's chunks, until it has brought more content pieces than ``limit``."""
    async for chunk in resp.content.iter_any():
        if len(rec.pieces) > limit:
            raise Bounded(
                "runaway_stream",
                f"the stream sent more than {limit:,} content pieces (8 per max_token) "
                "and did not end",
            )
        yield chunk


def classify(exc: BaseException) -> str:
    """A short, stable error class for the errors table."""
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return "tls"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connect"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "stream_cut"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "disconnected"
    if isinstance(exc, aiohttp.ClientError | OSError):
        return type(exc).__name__
    if isinstance(exc, ValueError):  # JSON that does not parse, in a stream
        return "bad_response"
    return f"bug:{type(exc).__name__}"


def _anthropic_event(ev: SSEEvent, t: float, rec: Record, tap: UsageTap) -> bool:
    kind = ev.event
    if kind == "content_block_delta":
        delta = json.loads(ev.data).get("delta") or {}
        _piece(rec, t, delta.get("text") or delta.get("partial_json") or delta.get("thinking"))
    elif kind in ("message_delta", "message_start"):
        tap.feed_event(kind, json.loads(ev.data))
        _usage(tap, rec)
    elif kind == "message_stop":
        return True
    elif kind == "error":
        rec.error = "stream_error"
    return False


def _usage(tap: UsageTap, rec: Record) -> None:
    """The tap's figures on the record: all input (cached too), and the final output count
    (message_start's is a placeholder: without a later count, bench estimates)."""
    if tap.found:
        rec.input_tokens = tap.usage.prompt_tokens
        if tap.final_output:
            rec.output_tokens = tap.usage.output_tokens


def _openai_event(ev: SSEEvent, t: float, rec: Record, tap: UsageTap) -> bool:
    if ev.data == "[DONE]":
        return True
    obj = json.loads(ev.data)
    if not isinstance(obj, dict):
        return False
    if obj.get("error"):
        rec.error = "stream_error"
        return False
    done = False
    for choice in obj.get("choices") or ():
        delta = choice.get("delta") or {}
        piece = delta.get("content") or delta.get("reasoning_content")
        if not piece and delta.get("tool_calls"):
            piece = "".join(
                (c.get("function") or {}).get("arguments") or "" for c in delta["tool_calls"]
            )
        _piece(rec, t, piece)
        done = done or bool(choice.get("finish_reason"))
    if isinstance(obj.get("usage"), dict):
        tap.feed_event(None, obj)
        _usage(tap, rec)
    return done


_RESPONSES_DELTAS = ("response.output_text.delta", "response.function_call_arguments.delta")
_RESPONSES_ENDS = ("response.completed", "response.incomplete")


def _responses_event(ev: SSEEvent, t: float, rec: Record, tap: UsageTap) -> bool:
    kind = ev.event
    if kind in _RESPONSES_DELTAS:
        _piece(rec, t, json.loads(ev.data).get("delta"))
    elif kind in _RESPONSES_ENDS:
        tap.feed_event(kind, json.loads(ev.data))  # usage comes with the final event
        _usage(tap, rec)
        return True
    elif kind in ("response.failed", "error"):
        rec.error = "stream_error"
    return False


_EVENTS: dict[str, Callable[[SSEEvent, float, Record, UsageTap], bool]] = {
    "anthropic": _anthropic_event,
    "openai": _openai_event,
    "responses": _responses_event,
}


def _whole(body: bytes, fmt: str, rec: Record) -> None:
    """A non-streamed reply: usage and the text (for an estimate when usage is missing)."""
    try:
        obj = json.loads(body)
    except ValueError:
        rec.error = "bad_response"
        return
    if not isinstance(obj, dict):
        rec.error = "bad_response"
        return
    tap = UsageTap()
    tap.feed_body(obj)
    _usage(tap, rec)
    if fmt == "responses":
        whole = rw.output_text(obj)
        if whole:
            rec.pieces.append(whole)
    elif fmt == "anthropic":
        for block in obj.get("content") or ():
            text = block.get("text") if isinstance(block, dict) else None
            if text:
                rec.pieces.append(text)
    else:
        for choice in obj.get("choices") or ():
            text = (choice.get("message") or {}).get("content")
            if text:
                rec.pieces.append(text)
