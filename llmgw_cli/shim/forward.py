"""The hot path: one client request in, relayed to a member, the answer streamed back.

Per request: check the local token, read the body as bytes (never parsed unless a plugin,
the router or a translator asks), ask the router for members, swap the credential, send,
and relay the response chunk by chunk as it arrives. Failures before the first relayed byte
go back to the router (retry, next member); after it, a stream ends with an error event.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from typing import Any

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

# Importing translators registers the format translators with `translation`, once.
from llmgw_cli.shim import faults, openai_usage, translation, translators
from llmgw_cli.shim.auth import UNAUTHORIZED, LocalAuth
from llmgw_cli.shim.members import DROP_RESPONSE, Member
from llmgw_cli.shim.plugin import BadBody, Exchange, Reject
from llmgw_cli.shim.pluginhost import PluginFailed, PluginHost
from llmgw_cli.shim.router import Failure, Route, Router
from llmgw_cli.shim.usage import ResponseTap

perf = time.perf_counter
_OPENAI_PREFIXES = ("/v1/chat/", "/v1/completions", "/v1/embeddings", "/v1/responses")
_UPSTREAM_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)
SMALL_BODY = 65536  # non-streamed bodies up to this size are relayed in one write


def client_format(path: str, headers: Any) -> str:
    if path.startswith("/v1/messages"):
        return "anthropic"
    if path.startswith(_OPENAI_PREFIXES):
        return "openai"
    return "anthropic" if "anthropic-version" in headers else "other"


class Stats:
    __slots__ = ("errors", "in_flight", "requests", "started")

    def __init__(self) -> None:
        self.started = time.time()
        self.requests = 0
        self.errors = 0
        self.in_flight = 0


class Forwarder:
    def __init__(self, router: Router, plugins: PluginHost, auth: LocalAuth, stats: Stats) -> None:
        self.router = router  # swapped whole on reload; each request keeps the one it started with
        self.plugins = plugins
        self.auth = auth
        self.stats = stats
        self._ids = itertools.count(1)
        self._id_prefix = "req_" + os.urandom(4).hex() + "_"
        self._completing: set[asyncio.Task[None]] = set()

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        t0 = perf()
        headers = request.headers
        fmt = client_format(request.path, headers)
        stats = self.stats
        stats.requests += 1
        if not self.auth.ok(headers):
            stats.errors += 1
            return faults.error_response(fmt, 401, UNAUTHORIZED)
        if headers.get("expect", "").lower() == "100-continue":
            await _continue(request)  # curl sends large bodies only after this
        body = await request.read()
        ex = Exchange(
            f"{self._id_prefix}{next(self._ids)}",
            request.method,
            request.path,
            fmt,
            headers,
            body,
            started=t0,
        )
        stats.in_flight += 1
        plugins = self.plugins
        try:
            response = await self._forward(request, ex, t0)
            if (ex.status is not None and ex.status >= 400) or ex.error is not None:
                stats.errors += 1
            return response
        except BaseException:
            if ex.error is None:
                ex.error = "client disconnected"
            stats.errors += 1
            raise
        finally:
            stats.in_flight -= 1
            self.router.finished(ex)
            if plugins:
                if ex.e2e_ms is None:
                    ex.e2e_ms = (perf() - t0) * 1000
                self._complete(plugins, ex)

    def _complete(self, plugins: PluginHost, ex: Exchange) -> None:
        """Run ``on_complete`` after the answer has gone out, not before: a whole (non-
        streamed) response is only sent once this handler returns, and the audit write and
        the budget's SQLite settle need not hold it. ``drain`` waits for these on shutdown."""
        task = asyncio.get_running_loop().create_task(plugins.on_complete(ex))
        self._completing.add(task)
        task.add_done_callback(self._completing.discard)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for pending ``on_complete`` calls (shutdown, before the plugins close)."""
        if self._completing:
            await asyncio.wait(set(self._completing), timeout=timeout)

    async def _forward(
        self, request: web.BaseRequest, ex: Exchange, t0: float
    ) -> web.StreamResponse:
        fmt = ex.client_format
        plugins = self.plugins
        router = self.router
        try:
            if plugins:
                await plugins.on_request(ex)
            route = router.route(ex)
        except Reject as rej:
            return self._answer(ex, rej.status, rej.message, rej.body(fmt), rej.headers)
        except BadBody as exc:
            return self._fail(ex, 400, str(exc) + "; send a JSON body")
        except PluginFailed as exc:
            return self._fail(ex, 500, str(exc))
        ex.route = route.name
        upstream_s = 0.0
        failure: Failure | None = None
        members = route.members
        last = len(members) - 1
        for i, member in enumerate(members):
            ex.attempts = i + 1
            ex.profile, ex.upstream = member.name, member.base
            try:
                factory = (
                    None if fmt == "other" or member.serves(fmt) else translation.find(fmt, member)
                )
                if factory is None and fmt != "other" and not member.serves(fmt):
                    failure = Failure(
                        "format",
                        f"profile {member.name!r} serves only "
                        f"{', '.join(member.formats)}; it cannot answer a {fmt} request",
                    )
                    tr = None
                else:
                    tr = factory() if factory is not None else None
                    url, data, out_headers, strip = self._outgoing(request, ex, member, route, tr)
            except BadBody as exc:
                return self._fail(ex, 400, str(exc) + "; send a JSON body")
            except translation.LocalAnswer as local:  # answered without the member
                ex.status = local.status
                return web.Response(
                    status=local.status,
                    body=local.body,
                    headers={"Content-Type": "application/json", "x-llmgw-upstream": member.name},
                )
            except ValueError as exc:  # a translator could not express the request
                return self._fail(ex, 400, getattr(exc, "message", str(exc)))
            if failure is None or failure.kind != "format":
                t1 = perf()
                # Counted until the answer has been relayed: a reload closes a replaced
                # member's session only once nothing is in flight on it.
                member.in_flight += 1
                try:
                    assert member.session is not None, "member not started"
                    resp = await member.session.request(
                        request.method,
                        url,
                        data=data,
                        headers=out_headers,
                        allow_redirects=False,
                    )
                except _UPSTREAM_ERRORS as exc:
                    upstream_s += perf() - t1
                    failure = faults.describe(exc, member)
                else:
                    upstream_s += perf() - t1
                    first = b""
                    if strip and resp.status == 400:
                        t2 = perf()
                        try:
                            resp, first = await self._unless_refused(
                                request, ex, member, route, resp
                            )
                            strip = member.stream_usage
                        except _UPSTREAM_ERRORS as exc:
                            failure = faults.describe(exc, member)
                            resp.close()
                        upstream_s += perf() - t2
                    if i < last and resp.status < 400 and _is_stream(resp):
                        # Hold the client's headers until the first body byte: a member that
                        # stalls before it can still be left for the next one.
                        t2 = perf()
                        try:
                            first = await resp.content.readany()
                        except _UPSTREAM_ERRORS as exc:
                            failure = faults.describe(exc, member)
                            resp.close()
                        upstream_s += perf() - t2
                    if failure is None and not (router.retry_status(resp.status) and i < last):
                        router.record(
                            member,
                            ex,
                            None
                            if resp.status < 500 and resp.status != 429
                            else faults.failure_from_status(member, resp.status, resp.headers),
                        )
                        return await self._relay(
                            request, ex, member, resp, t0, upstream_s, tr, strip, first
                        )
                    if failure is None:
                        failure = faults.failure_from_status(member, resp.status, resp.headers)
                        resp.close()
                finally:
                    member.in_flight -= 1
            router.record(member, ex, failure)
            delay = router.retry_delay(ex, i + 1, member, failure) if i < last else None
            if delay is None:
                break
            if delay > 0:
                await asyncio.sleep(delay)
            failure = None
        assert failure is not None
        ex.error = failure.message
        wait = failure.retry_after
        return self._fail(
            ex, failure.status, failure.message, {"retry-after": f"{wait:g}"} if wait else None
        )

    async def _unless_refused(
        self,
        request: web.BaseRequest,
        ex: Exchange,
        member: Member,
        route: Route,
        resp: aiohttp.ClientResponse,
    ) -> tuple[aiohttp.ClientResponse, bytes]:
        """A 400 to a request we added ``stream_options`` to. If the member refused them (older
        Azure API versions, some compatible servers), send the request as the client did and
        never ask that member again; else return the 400 with its body read ahead."""
        body = await resp.read()
        if b"stream_options" not in body:
            return resp, body
        resp.release()
        member.stream_usage = False
        url, data, headers, _ = self._outgoing(request, ex, member, route, None)
        assert member.session is not None
        again = await member.session.request(
            request.method, url, data=data, headers=headers, allow_redirects=False
        )
        return again, b""

    def _outgoing(
        self,
        request: web.BaseRequest,
        ex: Exchange,
        member: Member,
        route: Route,
        tr: translation.Translator | None,
    ) -> tuple[URL, bytes, CIMultiDict[str], bool]:
        """URL, body and headers for the member; True when the usage we asked the member
        for must be stripped from the stream (``openai_usage``)."""
        model = route.models.get(member.name) if route.models else None
        raw_path = request.raw_path
        data = ex.body
        strip = False
        if tr is not None:
            raw_path, data = tr.request(ex, member, model)
        else:
            strip = (
                ex.client_format == "openai"
                and member.stream_usage
                and self.plugins.needs_usage
                and openai_usage.wants_injection(ex)
            )
            if model is not None or strip:
                payload = ex.json()
                if isinstance(payload, dict):
                    if strip:
                        payload = openai_usage.with_usage(payload)
                    if model is not None and payload.get("model") != model:
                        payload = {**payload, "model": model}
                    if payload is not ex.json():
                        data = _dumps(payload)
            if ex.client_format == "anthropic":  # thinking an OpenAI-format member produced
                data = translators.strip_unsigned_thinking(data)
        headers = member.outgoing_headers(request.headers)
        if tr is not None:
            headers["Accept-Encoding"] = "identity"  # a translator needs plain bytes
            for name, value in tr.headers.items():
                if name not in headers:
                    headers[name] = value
        if member.base.endswith("/v1") and raw_path.startswith("/v1/"):
            raw_path = raw_path[3:]  # an OpenAI-style base already ends in /v1
        return URL(member.base + raw_path, encoded=True), data, headers, strip

    async def _relay(
        self,
        request: web.BaseRequest,
        ex: Exchange,
        member: Member,
        resp: aiohttp.ClientResponse,
        t0: float,
        upstream_s: float,
        tr: translation.Translator | None,
        strip: bool = False,
        first: bytes = b"",
    ) -> web.StreamResponse:
        ex.status = resp.status
        headers: CIMultiDict[str] = CIMultiDict(resp.headers)
        for name in DROP_RESPONSE:
            headers.popall(name, None)
        streaming = headers.get("Content-Type", "").startswith("text/event-stream")
        ex.stream = streaming
        headers["x-llmgw-upstream"] = member.name
        headers["x-llmgw-attempts"] = str(ex.attempts)
        headers["x-llmgw-route"] = ex.route or "default"
        wants_tap = self.plugins.needs_usage or self.router.needs_usage
        tap = ResponseTap(ex, streaming, t0) if wants_tap else None
        length = resp.content_length
        done = False
        try:
            if not streaming and (tr is not None or (length is not None and length <= SMALL_BODY)):
                # A small whole body, or one a translator must see whole: one write.
                t_read = perf()
                try:
                    data = await resp.read()
                except _UPSTREAM_ERRORS as exc:
                    message = f"upstream {member.base} broke off the response: {type(exc).__name__}"
                    member.mark(False, message)
                    return self._fail(ex, 502, message)
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
                return web.Response(
                    status=resp.status, reason=resp.reason, body=data, headers=headers
                )
            if streaming or tr is not None:
                headers.popall("Content-Length", None)  # room for an error event if it dies
            _overhead(headers, ex, t0, upstream_s)
            out = web.StreamResponse(status=resp.status, reason=resp.reason, headers=headers)
            if tr is not None:
                st: translation.StreamTranslator | None = tr.stream()
            else:
                st = openai_usage.StripUsage() if strip and streaming else None
            await out.prepare(request)
            try:
                done = await self._pump(ex, member, resp, out, streaming, tap, st, first)
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
        self,
        ex: Exchange,
        member: Member,
        resp: aiohttp.ClientResponse,
        out: web.StreamResponse,
        streaming: bool,
        tap: ResponseTap | None,
        st: translation.StreamTranslator | None,
        first: bytes = b"",
    ) -> bool:
        """Relay chunks as they come; True when the upstream finished cleanly.

        The tap reads the member's bytes as they came (before translation or filtering):
        the member's own usage is the exact figure, whatever the client is shown.
        """
        read, write = resp.content.readany, out.write
        held = first  # read ahead by ``_forward`` before the client's headers went out
        while True:
            if held:
                raw, held = held, b""
            else:
                try:
                    raw = await read()
                except _UPSTREAM_ERRORS as exc:
                    await self._died(ex, member, out, streaming, exc)
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

    async def _died(
        self,
        ex: Exchange,
        member: Member,
        out: web.StreamResponse,
        streaming: bool,
        exc: BaseException,
    ) -> None:
        message = f"upstream {member.base} broke off the response: {type(exc).__name__}"
        detail = str(exc)
        if detail:
            message += f" ({detail})"
        ex.error = message
        member.mark(False, message)
        if streaming:
            await out.write(faults.stream_error_event(ex.client_format, message))
        else:
            out.force_close()

    def _answer(
        self, ex: Exchange, status: int, message: str, body: dict[str, Any], headers: dict[str, str]
    ) -> web.Response:
        ex.status = status
        ex.error = message
        return web.Response(
            status=status,
            body=_dumps(body),
            headers={"Content-Type": "application/json", **headers},
        )

    def _fail(
        self, ex: Exchange, status: int, message: str, headers: dict[str, str] | None = None
    ) -> web.Response:
        ex.status = status
        ex.error = message
        return faults.error_response(ex.client_format, status, message, headers=headers)


def _is_stream(resp: aiohttp.ClientResponse) -> bool:
    return resp.headers.get("Content-Type", "").startswith("text/event-stream")


def _overhead(headers: CIMultiDict[str], ex: Exchange, t0: float, upstream_s: float) -> None:
    ms = (perf() - t0 - upstream_s) * 1000
    ex.overhead_ms = ms
    headers["x-llmgw-overhead-ms"] = f"{ms:.3f}"


async def _continue(request: web.BaseRequest) -> None:
    if request.writer is not None:
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")


def _dumps(obj: Any) -> bytes:
    import json

    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
