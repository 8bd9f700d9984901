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
import time

import aiohttp
from aiohttp import web

# Importing translators registers the format translators with `translation`, once.
from llmgw_cli.shim import (  # noqa: F401
    faults,
    outgoing,
    relay,
    responses_bridges,
    translation,
    translators,
)
from llmgw_cli.shim.members import Member
from llmgw_cli.shim.outgoing import Outgoing
from llmgw_cli.shim.plugin import BadBody, Exchange, Reject
from llmgw_cli.shim.pluginhost import PluginFailed, PluginHost
from llmgw_cli.shim.router import Failure, Route, Router

perf = time.perf_counter
_UPSTREAM_ERRORS = relay.UPSTREAM_ERRORS


async def forward(
    request: web.BaseRequest, ex: Exchange, router: Router, plugins: PluginHost, t0: float
) -> web.StreamResponse:
    """The answer to one request; ``router`` is the one it started with (a reload swaps it)."""
    fmt = ex.client_format
    try:
        if plugins:
            await plugins.on_request(ex)
        route = router.route(ex)
    except Reject as rej:
        return faults.rejected(ex, rej)
    except BadBody as exc:
        return faults.fail(ex, 400, f"{exc}; send a JSON body")
    except PluginFailed as exc:
        return faults.fail(ex, 500, str(exc))
    ex.route = route.name
    needs_usage = plugins.needs_usage
    upstream_s = 0.0  # time spent waiting on members: not the shim's overhead
    failure: Failure | None = None
    members = route.members
    last = len(members) - 1
    for i, member in enumerate(members):
        ex.attempts = i + 1
        ex.profile, ex.upstream = member.name, member.base
        failure = None
        tr: translation.Translator | None = None
        if fmt != "other" and not member.serves(fmt):
            factory = translation.find(fmt, member)
            if factory is None:
                failure = Failure(
                    "format",
                    f"profile {member.name!r} serves only "
                    f"{', '.join(member.formats)}; it cannot answer a {fmt} request",
                )
            else:
                tr = factory()
        if failure is None:
            try:
                sent = outgoing.build(request, ex, member, route, tr, needs_usage)
            except BadBody as exc:
                return faults.fail(ex, 400, f"{exc}; send a JSON body")
            except translation.LocalAnswer as local:  # answered without the member
                ex.status = local.status
                return web.Response(
                    status=local.status,
                    body=local.body,
                    headers={"Content-Type": "application/json", "x-llmgw-upstream": member.name},
                )
            except ValueError as exc:  # a translator could not express the request
                return faults.fail(ex, 400, getattr(exc, "message", str(exc)))
            t1 = perf()
            # Counted until the answer has been relayed: a reload closes a replaced
            # member's session only once nothing is in flight on it.
            member.in_flight += 1
            try:
                resp: aiohttp.ClientResponse | None = None
                first = b""
                strip = sent.strip
                try:
                    resp = await _send(request.method, member, sent)
                    if strip and resp.status == 400:
                        resp, first = await _unless_refused(
                            request, ex, member, route, resp, needs_usage
                        )
                        strip = member.stream_usage
                    if i < last and resp.status < 400 and relay.is_stream(resp):
                        first = await resp.content.readany()
                except _UPSTREAM_ERRORS as exc:
                    failure = faults.describe(exc, member)
                    if resp is not None:
                        resp.close()
                upstream_s += perf() - t1
                if failure is None:
                    assert resp is not None
                    status = resp.status
                    if not (router.retry_status(status) and i < last):
                        # Relayed as it is, but a 5xx or 429 still counts against the member.
                        bad = status >= 500 or status == 429
                        why = (
                            faults.failure_from_status(member, status, resp.headers)
                            if bad
                            else None
                        )
                        router.record(member, ex, why)
                        wants_tap = needs_usage or router.needs_usage
                        return await relay.relay(
                            request, ex, member, resp, t0, upstream_s, tr, strip, first, wants_tap
                        )
                    failure = faults.failure_from_status(member, status, resp.headers)
                    resp.close()
            finally:
                member.in_flight -= 1
        router.record(member, ex, failure)
        delay = router.retry_delay(ex, i + 1, member, failure) if i < last else None
        if delay is None:
            break
        if delay > 0:
            await asyncio.sleep(delay)
    assert failure is not None
    wait = failure.retry_after
    return faults.fail(
        ex, failure.status, failure.message, {"retry-after": f"{wait:g}"} if wait else None
    )


async def _send(method: str, member: Member, sent: Outgoing) -> aiohttp.ClientResponse:
    assert member.session is not None, "member not started"
    return await member.session.request(
        method, sent.url, data=sent.data, headers=sent.headers, allow_redirects=False
    )


async def _unless_refused(
    request: web.BaseRequest,
    ex: Exchange,
    member: Member,
    route: Route,
    resp: aiohttp.ClientResponse,
    needs_usage: bool,
) -> tuple[aiohttp.ClientResponse, bytes]:
    """A 400 to a request we added ``stream_options`` to. If the member refused them (older
    Azure API versions, some compatible servers), send the request as the client did and
    never ask that member again; else return the 400 with its body read ahead."""
    body = await resp.read()
    if b"stream_options" not in body:
        return resp, body
    resp.release()
    member.stream_usage = False
    again = outgoing.build(request, ex, member, route, None, needs_usage)
    return await _send(request.method, member, again), b""
