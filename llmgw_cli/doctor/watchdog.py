"""Whole-operation deadlines for doctor: a timer that, when a limit passes, shuts down every
socket the check opened, so a blocked read returns at once whatever the server does (a
drip of one byte a second resets a per-read timeout forever; this does not).

    with dog.limit(8.0) as scope:      # nested scopes: a request inside a check
        ...                            # scope.expired tells why a read failed

Sockets join with ``dog.track(sock)``; httpx's come through its ``trace`` extension.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Scope:
    seconds: float
    ends: float  # time.monotonic()
    expired: bool = False


@dataclass
class Watchdog:
    _sockets: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _scopes: list[Scope] = field(default_factory=list)

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets = [s for s in self._sockets if s.fileno() != -1]
            self._sockets.append(sock)

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: every new connection's socket is tracked."""
        if event.endswith("connect_tcp.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                self.track(sock)

    def remaining(self) -> float | None:
        """Seconds left in the innermost-ending scope (None: no limit)."""
        if not self._scopes:
            return None
        return max(0.0, min(s.ends for s in self._scopes) - time.monotonic())

    @contextlib.contextmanager
    def limit(self, seconds: float) -> Iterator[Scope]:
        scope = Scope(seconds, time.monotonic() + seconds)
        left = self.remaining()
        timer = threading.Timer(
            seconds if left is None else min(seconds, left + 0.05), self._fire, (scope,)
        )
        timer.daemon = True
        self._scopes.append(scope)
        timer.start()
        try:
            yield scope
        finally:
            timer.cancel()
            self._scopes.remove(scope)

    def tripped(self) -> Scope | None:
        """The innermost active scope whose limit passed, if any."""
        return next((s for s in reversed(self._scopes) if s.expired), None)

    def _fire(self, scope: Scope) -> None:
        scope.expired = True
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
