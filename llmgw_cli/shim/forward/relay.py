"""Relaying the member's answer to the client, once the attempt loop has chosen it.

A small whole body (or one a translator must see whole) goes out in one write; anything
else streams chunk by chunk as it arrives. The usage tap reads the member's own bytes
(before translation or filtering), so its figures are exact whatever the client is shown.
An upstream that breaks off after the client's headers went out ends a stream with an
error event in the client's format (a whole body: the connection is closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from typing import Any

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from llmgw_cli import bounded
from llmgw_cli.shim.forward import bounds, faults, openai_usage
from llmgw_cli.shim.forward.attempt import Attempt
from llmgw_cli.shim.forward.usage import ResponseTap
from llmgw_cli.shim.members.member import DROP_RESPONSE, Member
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.translate import registry

perf = time.perf_counter
UPSTREAM_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)
SMALL_BODY = 65536  # non-streamed bodies up to this size are relayed in one write


def is_stream(resp: aiohttp.ClientResponse) -> bool:
    return resp.headers.get("Content-Type", "").startswith("text/event-stream")


async def relay(at: Attempt, resp: aiohttp.ClientResponse) -> web.StreamResponse:
    """The member's answer ``resp`` to the client. ``at.first``: body bytes read ahead by the
    attempt loop; ``at.upstream_s``: time spent waiting on members so far (what
    ``x-llmgw-overhead-ms`` leaves out)."""
    ex, member, tr = at.ex, at.member, at.tr
    ex.status = resp.status
    headers: CIMultiDict[str] = CIMultiDict(resp.headers)
    for name in DROP_RESPONSE:
        headers.popall(name, None)
    if "retry-after" in headers:
        _whole_retry_after(headers)
    streaming = is_stream(resp)
    ex.stream = streaming
    headers["x-llmgw-upstream"] = member.name
    headers["x-llmgw-attempts"] = str(ex.attempts)
    headers["x-llmgw-route"] = ex.route or "default"
    tap = ResponseTap(ex, streaming, at.t0) if at.wants_tap else None
    length = resp.content_length
    done = False
    try:
        if not streaming and length is not None and length > member.max_response_bytes:
            return faults.fail(ex, 502, bounds.too_large(member, member.max_response_bytes))
        if not streaming and (tr is not None or (length is not None and length <= SMALL_BODY)):
            # A small whole body, or one a translator must see whole: one write.
            answer, done = await _whole(at, resp, headers, tap)
            return answer
        return await _streamed(at, resp, headers, tap, streaming)
    finally:
        if done or at.done:
            resp.release()
        else:  # cut short (client gone, upstream died): the connection is not reusable
            resp.close()


async def _whole(
    at: Attempt, resp: aiohttp.ClientResponse, headers: CIMultiDict[str], tap: ResponseTap | None
) -> tuple[web.StreamResponse, bool]:
    """Read the whole answer (within ``limits.max_response_mb``, decoded for a translator)
    and send it in one write; (the response, whether the member's answer was read to its
    end)."""
    ex, member, tr = at.ex, at.member, at.tr
    limit = member.max_response_bytes
    t_read = perf()
    try:
        data = await bounds.read_capped(resp, limit)
        if tr is not None:  # asked for identity; decoded if the member compressed anyway
            data = bounds.decoded(resp, data, limit)
    except UPSTREAM_ERRORS as exc:
        return faults.fail(ex, 502, _broke_off(member, exc)), False
    except bounds.TooLarge:
        return faults.fail(ex, 502, bounds.too_large(member, limit)), False
    except (bounded.UnsupportedEncoding, zlib.error) as exc:
        return faults.fail(ex, 502, f"the answer of {member.name} does not decode: {exc}"), False
    at.upstream_s += perf() - t_read
    if tap is not None:  # the member's own figures, before any translation
        tap.feed(data)
        tap.finish()
    if tr is not None:
        data = tr.response(resp.status, data)
        headers.popall("Content-Encoding", None)
        headers["Content-Type"] = "application/json"
    headers.popall("Content-Length", None)
    _overhead(headers, ex, at.t0, at.upstream_s)
    answer = web.Response(status=resp.status, reason=resp.reason, body=data, headers=headers)
    return answer, True


async def _streamed(
    at: Attempt,
    resp: aiohttp.ClientResponse,
    headers: CIMultiDict[str],
    tap: ResponseTap | None,
    streaming: bool,
) -> web.StreamResponse:
    ex, tr = at.ex, at.tr
    if streaming or tr is not None:
        headers.popall("Content-Length", None)  # room for an error event if it dies
    inflater = None
    if tr is not None and streaming:  # asked for identity; decoded if compressed anyway
        limit = 4 * at.member.max_response_bytes
        inflater = bounded.Inflater.for_encoding(resp.headers.get("Content-Encoding"), limit)
        headers.popall("Content-Encoding", None)
    _overhead(headers, ex, at.t0, at.upstream_s)
    out = web.StreamResponse(status=resp.status, reason=resp.reason, headers=headers)
    if tr is not None:
        st: registry.StreamTranslator | None = tr.stream()
    else:
        st = openai_usage.StripUsage() if at.strip and streaming else None
    await out.prepare(at.request)
    pump = _Pump(at, resp, out, streaming, tap, st, inflater)
    try:
        at.done = await pump.run(at.first)
    except ConnectionResetError:  # the client went away: stop reading upstream
        ex.error = "client disconnected"
        return out
    finally:
        pump.stop()
    if not at.done:
        return out
    if tap is not None:
        tap.finish()
    await out.write_eof()
    ex.e2e_ms = (perf() - at.t0) * 1000
    return out


class _Pump:
    """Relays chunks as they come. A stream ends with an error event in the client's format
    when the member breaks off or passes a limit (``timeouts.idle_s`` between events, the
    total); a whole body past ``limits.max_response_mb`` is cut (the connection closed)."""

    def __init__(
        self,
        at: Attempt,
        resp: aiohttp.ClientResponse,
        out: web.StreamResponse,
        streaming: bool,
        tap: ResponseTap | None,
        st: registry.StreamTranslator | None,
        inflater: bounded.Inflater | None,
    ) -> None:
        self.at, self.resp, self.out, self.streaming = at, resp, out, streaming
        self.tap, self.st, self.inflater = tap, st, inflater
        idle_s = at.member.profile.timeouts.idle_s
        self.idle = bounds.IdleWatch(resp, idle_s) if streaming else None
        self.pending = b""  # an unfinished event (streams only)
        # An Anthropic stream's silences are filled with pings (Claude Code's idle watchdog).
        ping_s = at.ping_s if streaming and at.ex.client_format == "anthropic" else 0.0
        self.pinger = _Pinger(resp, out.write, ping_s) if ping_s else None

    def stop(self) -> None:
        if self.idle is not None:
            self.idle.cancel()
        if self.pinger is not None:
            self.pinger.stop()

    async def run(self, first: bytes) -> bool:
        """True when the member's answer finished cleanly."""
        write, idle, tap = self.out.write, self.idle, self.tap
        read = self.resp.content.readany if self.pinger is None else self.pinger.read
        if first and self.pinger is not None:
            self.pinger.boundary = first.endswith((b"\n\n", b"\r\n\r\n"))
        left = self.at.member.max_response_bytes  # a whole (non-streamed) body only
        self.pending = b""
        while True:
            if first:
                raw, first = first, b""
            else:
                try:
                    raw = await read()
                except (*UPSTREAM_ERRORS, bounds.IdleTimeout) as exc:
                    return await self._broke(exc)
                if not raw:
                    break
            if tap is not None:
                tap.feed(raw)
            if self.st is not None:
                raw = self._translate(raw)
            if idle is not None:
                raw = self._whole_events(raw, idle)
            else:
                left -= len(raw)
                if left < 0:
                    return self._cut()
            if raw:
                await write(raw)
        tail = self.pending + (self.st.close() if self.st is not None else b"")
        if tail:
            await write(tail)
        return True

    def _whole_events(self, raw: bytes, idle: bounds.IdleWatch) -> bytes:
        """The complete events so far; an unfinished one is held back (``pending``), so an
        error event can follow cleanly, and only a complete event counts as activity."""
        if self.pending:
            raw, self.pending = self.pending + raw, b""
        end = bounds.event_end(raw)
        if end:
            idle.event()
        if end < len(raw) and len(raw) - end <= bounds.MAX_HELD:
            raw, self.pending = raw[:end], raw[end:]
        return raw

    def _translate(self, raw: bytes) -> bytes:
        assert self.st is not None
        return self.st.feed(self.inflater.feed(raw) if self.inflater is not None else raw)

    async def _broke(self, exc: BaseException) -> bool:
        ex, member = self.at.ex, self.at.member
        why = bounds.timed_out(member, exc)
        if why is not None:
            member.mark(False, why)
            ex.error = why
        else:
            ex.error = _broke_off(member, exc)
        fail = getattr(self.st, "fail", None)  # a translated Responses stream ends itself
        if self.streaming and fail is not None:
            await self.out.write(fail(ex.error))
        elif self.streaming:
            await self.out.write(faults.stream_error_event(ex.client_format, ex.error))
        else:
            self.out.force_close()
        return False

    def _cut(self) -> bool:
        """Headers went out long ago: the client can only be told by a connection closed
        before the body's end (never a clean end it would take for the whole answer)."""
        member = self.at.member
        self.at.ex.error = bounds.too_large(member, member.max_response_bytes)
        self.out.force_close()
        transport = self.at.request.transport
        if transport is not None:
            transport.abort()
        return False


PING = b'event: ping\ndata: {"type": "ping"}\n\n'


class _Pinger:
    """``readany`` whose silences are filled with ``ping`` events (docs/clients.md:
    Claude Code's idle watchdog). A task per stream wakes when ``ping_s`` have passed since
    the upstream's last byte; a ping goes out only at an event boundary, never inside an
    event the upstream has half sent. Per chunk the cost is one clock read."""

    __slots__ = ("_read", "_s", "_task", "_write", "boundary", "last", "pings")

    def __init__(self, resp: aiohttp.ClientResponse, write: Any, ping_s: float) -> None:
        self._read = resp.content.readany
        self._write = write
        self._s = ping_s
        self.boundary = True  # what the client has seen ends with a whole event
        self.last = time.monotonic()
        self.pings = 0
        self._task: asyncio.Task[None] | None = None

    async def read(self) -> bytes:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._ping())
        raw = await self._read()
        self.last = time.monotonic()
        if raw:
            self.boundary = raw.endswith((b"\n\n", b"\r\n\r\n"))
        return raw

    async def _ping(self) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            while True:
                due = self.last + self._s - time.monotonic()
                if due > 0:
                    await asyncio.sleep(due)
                    continue
                if self.boundary:
                    self.pings += 1
                    await self._write(PING)
                self.last = time.monotonic()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def _broke_off(member: Member, exc: BaseException) -> str:
    """The member died mid-answer: mark it unreachable and say so (never a credential)."""
    message = f"upstream {member.base} broke off the response: {type(exc).__name__}"
    detail = str(exc)
    if detail:
        message += f" ({detail})"
    member.mark(False, message)
    return message


def _whole_retry_after(headers: CIMultiDict[str]) -> None:
    """Claude Code reads ``retry-after`` as whole seconds; anything else is dropped."""
    wait = headers["retry-after"]
    if wait.isdigit():
        return
    whole = faults.whole_seconds(wait)
    if whole is None:
        headers.popall("retry-after")
    else:
        headers["retry-after"] = whole


def _overhead(headers: CIMultiDict[str], ex: Exchange, t0: float, upstream_s: float) -> None:
    ms = (perf() - t0 - upstream_s) * 1000
    ex.overhead_ms = ms
    headers["x-llmgw-overhead-ms"] = f"{ms:.3f}"
