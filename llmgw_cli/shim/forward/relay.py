"""Relaying the member's answer to the client, once the attempt loop has chosen it.

A small whole body (or one a translator must see whole) goes out in one write; anything
else streams chunk by chunk as it arrives. The usage tap reads the member's own bytes
(before translation or filtering), so its figures are exact whatever the client is shown.
An upstream that breaks off after the client's headers went out ends a stream with an
error event in the client's format (a whole body: the connection is closed).
"""

from __future__ import annotations

import asyncio
import time

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
    streaming = is_stream(resp)
    ex.stream = streaming
    headers["x-llmgw-upstream"] = member.name
    headers["x-llmgw-attempts"] = str(ex.attempts)
    headers["x-llmgw-route"] = ex.route or "default"
    scrub = ex.scrub
    scrub.headers(headers)  # an upstream may echo the credential anywhere (plugins/scrub.py)
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
            data = scrub.raw(data)
            headers.popall("Content-Length", None)
            _overhead(headers, ex, t0, upstream_s)
            return web.Response(status=resp.status, reason=resp.reason, body=data, headers=headers)
        if streaming or tr is not None or scrub:
            # Room for an error event if it dies; scrubbing may change the length.
            headers.popall("Content-Length", None)
        _overhead(headers, ex, t0, upstream_s)
        out = web.StreamResponse(status=resp.status, reason=resp.reason, headers=headers)
        if tr is not None:
            st: registry.StreamTranslator | None = tr.stream()
        else:
            st = openai_usage.StripUsage() if at.strip and streaming else None
        await out.prepare(request)
        try:
            done = await _pump(ex, member, resp, out, streaming, tap, st, at.first)
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
) -> bool:
    """Relay chunks as they come; True when the upstream finished cleanly."""
    read, write = resp.content.readany, out.write
    clean = ex.scrub.stream() if ex.scrub else None
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
        if chunk and clean is not None:
            chunk = clean.feed(chunk)
        if chunk:
            await write(chunk)
        if tap is not None:
            tap.feed(raw)
    tail = st.close() if st is not None else b""
    if clean is not None:
        tail = clean.feed(tail) + clean.close() if tail else clean.close()
    if tail:
        await write(tail)
    return True


def _broke_off(member: Member, exc: BaseException) -> str:
    """The member died mid-answer: mark it unreachable and say so (never a credential)."""
    message = f"upstream {member.base} broke off the response: {type(exc).__name__}"
    detail = str(exc)
    if detail:
        message += f" ({detail})"
    member.mark(False, message)
    return message


def _overhead(headers: CIMultiDict[str], ex: Exchange, t0: float, upstream_s: float) -> None:
    ms = (perf() - t0 - upstream_s) * 1000
    ex.overhead_ms = ms
    headers["x-llmgw-overhead-ms"] = f"{ms:.3f}"
