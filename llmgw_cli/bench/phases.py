"""Connection phases per request: DNS, TCP, TLS, and whether a pooled connection was reused.

aiohttp's ``TraceConfig`` reports DNS resolution, connection creation (DNS + TCP + TLS as
one span) and reuse, but has no signal between the TCP connect and the TLS handshake, and
it costs every request a few awaits per signal (one per response chunk, too). So bench
runs on ``PhaseLoop``, which times the three calls aiohttp makes to open a connection, for
the request that is running (a context variable, inherited by the tasks happy eyeballs
spawns):

    loop.getaddrinfo         DNS (aiohttp's default threaded resolver; an IP address skips it)
    loop.sock_connect        TCP connect (through aiohappyeyeballs)
    loop.create_connection   with sock= and ssl=: the TLS handshake

A request that made no connection reused one from the pool. On any other loop (bench run
inside a caller's loop) the ``TraceConfig`` below is used instead: TCP is then connection
creation minus DNS, TLS included, and TLS is unknown.

Through an HTTPS proxy the phases describe the connection to the proxy.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from types import SimpleNamespace
from typing import Any

import aiohttp

from llmgw_cli.bench.record import Record

CURRENT: contextvars.ContextVar[Record | None] = contextvars.ContextVar(
    "llmgw_bench_request", default=None
)


class PhaseLoop(asyncio.SelectorEventLoop):
    """A selector loop that times DNS lookups, socket connects and TLS handshakes per request."""

    async def getaddrinfo(self, *args: Any, **kwargs: Any) -> Any:
        rec = CURRENT.get()
        if rec is None:
            return await super().getaddrinfo(*args, **kwargs)
        start = time.perf_counter()
        result = await super().getaddrinfo(*args, **kwargs)
        rec.dns_ms = (time.perf_counter() - start) * 1000.0
        return result

    async def sock_connect(self, sock: Any, address: Any) -> None:
        rec = CURRENT.get()
        if rec is None:
            return await super().sock_connect(sock, address)
        rec.reused = False
        if rec.dns_ms is None:
            rec.dns_ms = 0.0  # an IP address: nothing to resolve
        start = time.perf_counter()
        await super().sock_connect(sock, address)
        rec.tcp_ms = (time.perf_counter() - start) * 1000.0

    async def create_connection(self, *args: Any, **kwargs: Any) -> Any:
        rec = CURRENT.get()
        if rec is None or not kwargs.get("ssl") or kwargs.get("sock") is None:
            return await super().create_connection(*args, **kwargs)
        start = time.perf_counter()
        result = await super().create_connection(*args, **kwargs)
        rec.tls_ms = (time.perf_counter() - start) * 1000.0
        return result


def new_loop() -> asyncio.AbstractEventLoop:
    return PhaseLoop()


def traced() -> bool:
    """Whether the running loop cannot time phases itself, so a TraceConfig must."""
    return not isinstance(asyncio.get_running_loop(), PhaseLoop)


def _rec(ctx: SimpleNamespace) -> Record | None:
    rec = ctx.trace_request_ctx
    return rec if isinstance(rec, Record) else None


async def _dns_start(_s: aiohttp.ClientSession, ctx: SimpleNamespace, _p: Any) -> None:
    rec = _rec(ctx)
    if rec is not None:
        rec.mark = time.perf_counter()


async def _dns_end(_s: aiohttp.ClientSession, ctx: SimpleNamespace, _p: Any) -> None:
    rec = _rec(ctx)
    if rec is not None:
        rec.dns_ms = (time.perf_counter() - rec.mark) * 1000.0


async def _create_start(_s: aiohttp.ClientSession, ctx: SimpleNamespace, _p: Any) -> None:
    rec = _rec(ctx)
    if rec is not None:
        rec.reused = False
        rec.dns_ms = 0.0  # stays 0 when the host is an IP address: nothing to resolve
        ctx.create_started = time.perf_counter()


async def _create_end(_s: aiohttp.ClientSession, ctx: SimpleNamespace, _p: Any) -> None:
    rec = _rec(ctx)
    if rec is None:
        return
    rec.connect_ms = (time.perf_counter() - ctx.create_started) * 1000.0
    if rec.tcp_ms is None:  # not a PhaseLoop: TCP and TLS cannot be told apart
        rec.tcp_ms = max(0.0, rec.connect_ms - (rec.dns_ms or 0.0))


async def _reused(_s: aiohttp.ClientSession, ctx: SimpleNamespace, _p: Any) -> None:
    rec = _rec(ctx)
    if rec is not None:
        rec.reused = True


class _Ctx(SimpleNamespace):
    create_started = 0.0


def trace_config() -> aiohttp.TraceConfig:
    """Signals that fill a ``Record`` passed as ``trace_request_ctx``."""
    config = aiohttp.TraceConfig(trace_config_ctx_factory=_Ctx)
    config.on_dns_resolvehost_start.append(_dns_start)
    config.on_dns_resolvehost_end.append(_dns_end)
    config.on_connection_create_start.append(_create_start)
    config.on_connection_create_end.append(_create_end)
    config.on_connection_reuseconn.append(_reused)
    return config
