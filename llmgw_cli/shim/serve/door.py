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
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

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
    """A connection past the cap: the 503, then closed at once (no request is read). Closing
    at once matters: a burst of refused sockets must not hold file descriptors."""

    def __init__(self, cap: int) -> None:
        self.cap = cap

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(_busy_reply(self.cap))
        transport.close()


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
