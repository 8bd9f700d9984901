"""The shim's own door: how long a client may take, how many may be in, how many fds.

- A new connection must deliver its first request head within ``header_timeout_s``, and a
  head that starts on a kept-alive connection must complete within it too (a client that
  connects and sends nothing, or one header byte a second, is closed); a kept-alive
  connection idle for ``keepalive_timeout_s`` is closed.
- At most ``cap`` client connections are open. Past it the oldest idle one (no request in
  progress) makes room; with none idle, the newcomer gets a 503 naming the limit. ``cap`` is
  ``limits.max_connections`` kept under the fd limit (each client also costs an upstream
  socket, and an accept burst arrives before anything is closed), so the shim never meets
  EMFILE.
- ``raise_nofile()`` lifts the soft RLIMIT_NOFILE to the hard limit at start-up.

aiohttp has no header-read timeout or connection cap of its own: ``DoorServer`` hooks its
``Server``/``RequestHandler`` pair (the keep-alive close time and the idle waiter they
already keep), tested against aiohttp 3.14 (tests/hostile/test_shim.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import socket
from typing import Any, cast

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from llmgw_cli.errors import UsageError
from llmgw_cli.shim.config import Limits

log = logging.getLogger("llmgw.shim")
FDS_RESERVED = 64  # files, the listening socket, the audit log, DNS, …
# asyncio accepts up to the listen backlog in one go (aiohttp's SockSite: 128) before any
# refused or evicted socket is closed: room for one such burst is kept too.
ACCEPT_BURST = 128


def raise_nofile() -> int:
    """Lift the soft open-files limit to the hard one; return the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft == resource.RLIM_INFINITY or soft >= want:
        return soft if soft != resource.RLIM_INFINITY else want
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ValueError, OSError):
        return soft
    return want


def connection_cap(max_connections: int, nofile: int) -> int:
    """Client connections the shim admits: the limit, kept under the fd budget."""
    return max(2, min(max_connections, (nofile - FDS_RESERVED - ACCEPT_BURST) // 2))


def _busy_reply(cap: int) -> bytes:
    message = (
        f"the shim already holds limits.max_connections ({cap}) client connections, all busy; "
        "retry shortly, or raise limits.max_connections (and the open-files limit)"
    )
    body = json.dumps({"type": "error", "error": {"type": "overloaded_error", "message": message}})
    return (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}"
    ).encode()


class _Handler(RequestHandler):
    """A RequestHandler whose wait for a request head is bounded by ``header_timeout_s``."""

    header_timeout_s = 10.0

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._close_within(self.header_timeout_s)

    def data_received(self, data: bytes) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done() and not self._messages:
            self._close_within(self.header_timeout_s)  # a head begins: it has this long
        super().data_received(data)

    def _close_within(self, seconds: float) -> None:
        """Bring aiohttp's keep-alive close forward (it closes only an idle handler)."""
        loop = self._loop
        close_time = loop.time() + seconds
        if self._keepalive_handle is not None and self._next_keepalive_close_time <= close_time:
            return
        if self._keepalive_handle is not None:
            self._keepalive_handle.cancel()
        self._next_keepalive_close_time = close_time
        self._keepalive_handle = loop.call_at(close_time, self._process_keepalive)

    @property
    def idle(self) -> bool:
        """Connected, and no request being read or handled: may make room for a newcomer.
        (A handler made in this accept burst has no transport yet: never chosen.)"""
        return self.transport is not None and self._current_request is None and not self._messages


class _Refuse(asyncio.Protocol):
    """A connection past the cap: the 503, then closed. Closing a socket whose request is
    still unread makes the kernel answer RST, and a client that has not read the 503 yet
    loses it (under uvloop that is the rule: the request is in by ``connection_made``). So
    the 503 is followed by a FIN, and what the client sends is read and dropped until it
    closes or ``LINGER_S`` passes. Only ``MAX_LINGERING`` refused sockets linger at once;
    past them a socket is closed at once: a burst of refusals must not hold file
    descriptors (the fd budget keeps room for them: FDS_RESERVED)."""

    LINGER_S = 0.5
    MAX_LINGERING = 32
    lingering = 0

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: no isinstance check.
        transport = cast(asyncio.Transport, transport)
        transport.write(_busy_reply(self.cap))
        if _Refuse.lingering >= self.MAX_LINGERING or not transport.can_write_eof():
            transport.close()
            return
        _Refuse.lingering += 1
        self._transport = transport
        transport.write_eof()
        self._timer = asyncio.get_running_loop().call_later(self.LINGER_S, transport.abort)

    def data_received(self, data: bytes) -> None:
        return None  # the request is not read: dropped

    def eof_received(self) -> bool:
        return False  # the client is done too: close

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            _Refuse.lingering -= 1
            self._transport = None
        if self._timer is not None:
            self._timer.cancel()


class DoorServer(web.Server):
    def __init__(self, handler: Any, *, cap: int, header_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.cap = cap
        self.header_timeout_s = header_timeout_s
        self._open: dict[RequestHandler, None] = {}  # insertion order: oldest first
        self.refused = 0

    def __call__(self) -> Any:  # the protocol factory: called as a connection is accepted
        if len(self._open) >= self.cap and not self._evict_idle():
            self.refused += 1
            if self.refused in (1, 10, 100) or self.refused % 1000 == 0:
                log.warning(
                    "connection cap %d reached, all busy: answered 503 (%d so far)",
                    self.cap,
                    self.refused,
                )
            return _Refuse(self.cap)
        handler = _Handler(self, loop=self._loop, **self._kwargs)
        handler.header_timeout_s = self.header_timeout_s
        self._open[handler] = None
        return handler

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        self._open.pop(handler, None)
        super().connection_lost(handler, exc)

    def _evict_idle(self) -> bool:
        for old in self._open:
            if isinstance(old, _Handler) and old.idle:
                self._open.pop(old)
                old.force_close()
                return True
        return False


def build(handler: Any, limits: Limits) -> DoorServer:
    """aiohttp's server behind the door: request bodies read raw
    (forward/incoming.py decodes them within limits.max_request_mb), header and keep-alive
    timeouts, a connection cap under the open-files limit (raised to the hard one here)."""
    nofile = raise_nofile()
    cap = connection_cap(limits.max_connections, nofile)
    log.info("open-files limit %d: at most %d client connections", nofile, cap)
    loop = asyncio.get_running_loop()

    def make_request(
        message: Any, payload: Any, protocol: Any, writer: Any, task: Any
    ) -> web.BaseRequest:
        return web.BaseRequest(
            message, payload, protocol, writer, task, loop, client_max_size=limits.request_bytes
        )

    return DoorServer(
        handler,
        cap=cap,
        header_timeout_s=limits.header_timeout_s,
        request_factory=make_request,
        handler_cancellation=True,
        access_log=None,
        auto_decompress=False,
        keepalive_timeout=limits.keepalive_timeout_s,
    )


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror}; pick another with --port"
        ) from exc
    sock.listen(1024)
    sock.setblocking(False)
    return sock
