"""The attempt loop: the plugins' and the router's say, then the route's members in turn.

For each member: pick a translator when it does not serve the client's format, build what
it is sent (``outgoing``), send, and decide. A failure before any byte reached the client
(connection, TLS, timeout, a status the router retries) goes back to the router, which
says how long to wait before the next member or to give up; the first answer it accepts
is handed to ``relay``. A streamed answer's headers are held until its first body byte
when another member is left to try: a member that stalls before it can still be left.
"""

from __future__ import annotations

import asyncio
import math
import time

import aiohttp
from aiohttp import web

from llmgw_cli.shim.forward import bounds, faults, outgoing, relay
from llmgw_cli.shim.forward.attempt import Attempt
from llmgw_cli.shim.forward.outgoing import Outgoing
from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import BadBody, Exchange, Reject
from llmgw_cli.shim.plugins.host import PluginFailed, PluginHost
from llmgw_cli.shim.route.router import Failure, Router

# Importing bridges registers the format translators with `registry`, once.
from llmgw_cli.shim.translate import bridges, registry, responses_bridges  # noqa: F401
from llmgw_cli.wire.common import TranslationError

perf = time.perf_counter
_UPSTREAM_ERRORS = relay.UPSTREAM_ERRORS


async def forward(
    request: web.BaseRequest, ex: Exchange, router: Router, plugins: PluginHost, t0: float
) -> web.StreamResponse:
    """The answer to one request; ``router`` is the one it started with (a reload swaps it)."""
    try:
        if plugins:
            await plugins.on_request(ex)
        route = router.route(ex)
    except Reject as rej:
        return faults.rejected(ex, rej)
    except BadBody as exc:
        return faults.fail(ex, 400, f"{exc}; send a JSON body")
    except PluginFailed as exc:  # a guard that could not check: refused, never waved through
        return faults.fail(
            ex, 503, f"{exc.message}; the request was not forwarded (see the shim's log)"
        )
    ex.route = route.name
    needs_usage = plugins.needs_usage
    wants_tap = needs_usage or router.needs_usage
    upstream_s = 0.0
    failure: Failure | None = None
    members = route.members
    last = len(members) - 1
    for i, member in enumerate(members):
        ex.attempts = i + 1
        ex.profile, ex.upstream = member.name, member.base
        at = Attempt(request, ex, member, route, t0, upstream_s, needs_usage, wants_tap)
        at.ping_s = router.ping_s
        outcome = await _try(at, router, i < last)
        if not isinstance(outcome, Failure):
            return outcome
        failure, upstream_s = outcome, at.upstream_s
        router.record(member, ex, failure)
        delay = router.retry_delay(ex, i + 1, member, failure) if i < last else None
        if delay is None:
            break
        if delay > 0:
            await asyncio.sleep(delay)
    assert failure is not None
    wait = failure.retry_after
    return faults.fail(
        ex, failure.status, failure.message, {"retry-after": str(math.ceil(wait))} if wait else None
    )


async def _try(at: Attempt, router: Router, more: bool) -> web.StreamResponse | Failure:
    """One member: its answer (relayed, or the client's error), or why to move on."""
    ex, member = at.ex, at.member
    fmt = ex.client_format
    if fmt != "other" and not member.serves(fmt):
        factory = registry.find(fmt, member)
        if factory is None:
            return Failure(
                "format",
                f"profile {member.name!r} serves only "
                f"{', '.join(member.formats)}; it cannot answer a {fmt} request",
            )
        at.tr = factory()
    try:
        sent = outgoing.build(at.request, ex, member, at.route, at.tr, at.needs_usage)
    except BadBody as exc:
        return faults.fail(ex, 400, f"{exc}; send a JSON body")
    except registry.LocalAnswer as local:  # answered without the member
        ex.status = local.status
        return web.Response(
            status=local.status,
            body=local.body,
            headers={"Content-Type": "application/json", "x-llmgw-upstream": member.name},
        )
    except TranslationError as exc:  # a translator could not express the request
        return faults.fail(ex, 400, exc.message)
    # Counted until the answer has been relayed: a reload closes a replaced member's
    # session only once nothing is in flight on it.
    member.in_flight += 1
    try:
        return await _exchange(at, sent, router, more)
    finally:
        member.in_flight -= 1


async def _exchange(
    at: Attempt, sent: Outgoing, router: Router, more: bool
) -> web.StreamResponse | Failure:
    member = at.member
    t1 = perf()
    at.strip = sent.strip
    try:
        at.resp = resp = await _send(at.request.method, member, sent)
        if at.strip and resp.status == 400:
            resp, at.first = await _unless_refused(at, resp)
            at.resp = resp
            at.strip = member.stream_usage
        if more and resp.status < 400 and relay.is_stream(resp):
            at.first = await resp.content.readany()
    except _UPSTREAM_ERRORS as exc:
        at.upstream_s += perf() - t1
        if at.resp is not None:
            at.resp.close()
        return faults.describe(exc, member)
    at.upstream_s += perf() - t1
    status = resp.status
    if router.retry_status(status) and more:
        failure = faults.failure_from_status(member, status, resp.headers)
        resp.close()
        return failure
    # Relayed as it is, but a 5xx or 429 still counts against the member.
    bad = status >= 500 or status == 429
    why = faults.failure_from_status(member, status, resp.headers) if bad else None
    router.record(member, at.ex, why)
    return await relay.relay(at, resp)


async def _send(method: str, member: Member, sent: Outgoing) -> aiohttp.ClientResponse:
    assert member.session is not None, "member not started"
    return await member.session.request(
        method, sent.url, data=sent.data, headers=sent.headers, allow_redirects=False
    )


async def _unless_refused(
    at: Attempt, resp: aiohttp.ClientResponse
) -> tuple[aiohttp.ClientResponse, bytes]:
    """A 400 to a request we added ``stream_options`` to. If the member refused them (older
    Azure API versions, some compatible servers), send the request as the client did and
    never ask that member again; else return the 400 with its body read ahead."""
    try:
        body = await bounds.read_capped(resp, bounds.ERROR_BODY_BYTES)
    except bounds.TooLarge as exc:
        raise aiohttp.ClientPayloadError(f"a 400 whose body passed {exc.limit} bytes") from exc
    if b"stream_options" not in body:
        return resp, body
    resp.release()
    at.member.stream_usage = False
    again = outgoing.build(at.request, at.ex, at.member, at.route, None, at.needs_usage)
    return await _send(at.request.method, at.member, again), b""
