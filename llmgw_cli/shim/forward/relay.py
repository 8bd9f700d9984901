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
from typing import Any

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from llmgw_cli.shim.forward import faults, openai_usage
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
    request, ex, member, t0, tr = at.request, at.ex, at.member, at.t0, at.tr
    upstream_s = at.upstream_s
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
    tap = ResponseTap(ex, streaming, t0) if at.wants_tap else None
    length = resp.content_length
    done = False
    try:
        if not streaming and (tr is not None or (length is not None and length <= SMALL_BODY)):
            # A small whole body, or one a translator must see whole: one write.
            t_read = perf()
            try:
                data = await resp.read()
            except UPSTREAM_ERRORS as exc:
                return faults.fail(ex, 502, _broke_off(member, exc))
            upstream_s += perf() - t_read
            done = True
            if tap is not None:  # the member's own figures, before any translation
                tap.feed(data)
                tap.finish()
            if tr is not None:
                data = tr.response(resp.status, data)
                headers.popall("Content-Encoding", None)
                headers["Content-Type"] = "application/json"
            headers.popall("Content-Length", None)
            _overhead(headers, ex, t0, upstream_s)
            return web.Response(status=resp.status, reason=resp.reason, body=data, headers=headers)
        if streaming or tr is not None:
            headers.popall("Content-Length", None)  # room for an error event if it dies
        _overhead(headers, ex, t0, upstream_s)
        out = web.StreamResponse(status=resp.status, reason=resp.reason, headers=headers)
        if tr is not None:
            st: registry.StreamTranslator | None = tr.stream()
        else:
            st = openai_usage.StripUsage() if at.strip and streaming else None
        await out.prepare(request)
        try:
            ping_s = at.ping_s if streaming and ex.client_format == "anthropic" else 0.0
            done = await _pump(ex, member, resp, out, streaming, tap, st, at.first, ping_s)
        except ConnectionResetError:  # the client went away: stop reading upstream
            ex.error = "client disconnected"
            return out
        if tap is not None:
            tap.finish()
        await out.write_eof()
        ex.e2e_ms = (perf() - t0) * 1000
        return out
    finally:
        if done:
            resp.release()
        else:  # cut short (client gone, upstream died): the connection is not reusable
            resp.close()


async def _pump(
    ex: Exchange,
    member: Member,
    resp: aiohttp.ClientResponse,
    out: web.StreamResponse,
    streaming: bool,
    tap: ResponseTap | None,
    st: registry.StreamTranslator | None,
    first: bytes,
    ping_s: float = 0.0,
) -> bool:
    """Relay chunks as they come; True when the upstream finished cleanly. With ``ping_s``
    (an Anthropic stream), ``ping_s`` seconds of upstream silence send a ``ping`` event,
    between two events only."""
    write = out.write
    if not ping_s:
        return await _relay(ex, member, resp.content.readany, write, out, streaming, tap, st, first)
    pinger = _Pinger(resp, write, ping_s)
    if first:
        pinger.boundary = first.endswith((b"\n\n", b"\r\n\r\n"))
    try:
        return await _relay(ex, member, pinger.read, write, out, streaming, tap, st, first)
    finally:
        pinger.stop()


async def _relay(
    ex: Exchange,
    member: Member,
    read: Any,
    write: Any,
    out: web.StreamResponse,
    streaming: bool,
    tap: ResponseTap | None,
    st: registry.StreamTranslator | None,
    first: bytes,
) -> bool:
    held = first
    while True:
        if held:
            raw, held = held, b""
        else:
            try:
                raw = await read()
            except UPSTREAM_ERRORS as exc:
                ex.error = _broke_off(member, exc)
                fail = getattr(st, "fail", None)  # a translated Responses stream ends itself
                if streaming and fail is not None:
                    await write(fail(ex.error))
                elif streaming:
                    await write(faults.stream_error_event(ex.client_format, ex.error))
                else:
                    out.force_close()
                return False
            if not raw:
                break
        chunk = st.feed(raw) if st is not None else raw
        if chunk:
            await write(chunk)
        if tap is not None:
            tap.feed(raw)
    if st is not None:
        tail = st.close()
        if tail:
            await write(tail)
    return True


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
