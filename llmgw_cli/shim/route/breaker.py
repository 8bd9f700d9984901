"""A circuit breaker per chain member: closed → open → half-open → closed.

- closed: requests flow; failures are counted in a sliding window of ``window_s`` seconds.
  ``failures`` of them inside the window open it. A member that cannot be reached at all
  (connection refused, TLS or proxy failure: ``hard`` failures) opens it at once: nothing
  about a closed port is flaky, and the next request should not pay for finding out again.
- open: no request reaches the member until ``cooldown_s`` has passed.
- half-open: exactly one request (the probe) is let through; success closes the breaker,
  failure opens it again for another cool-down.

Time is passed in (``time.monotonic()`` values) so the state machine is tested without
sleeping. ``on_state(state)`` is told about every transition (the metrics gauge, the log).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class Breaker:
    __slots__ = (
        "_failures",
        "cooldown_s",
        "limit",
        "on_state",
        "opened_at",
        "probing",
        "state",
        "window_s",
    )

    def __init__(
        self,
        failures: int,
        window_s: float,
        cooldown_s: float,
        on_state: Callable[[str], None] | None = None,
    ) -> None:
        self.limit = max(1, failures)
        self.window_s = window_s
        self.cooldown_s = cooldown_s
        self.on_state = on_state
        self.state = CLOSED
        self.opened_at = 0.0
        self.probing = False  # half-open: the single probe is out
        self._failures: deque[float] = deque()

    def available(self, now: float) -> bool:
        """Whether a request may be sent now (without taking the half-open probe)."""
        if self.state == CLOSED:
            return True
        if self.state == OPEN:
            return now - self.opened_at >= self.cooldown_s
        return not self.probing

    def acquire(self, now: float) -> bool:
        """Take the right to send one request; for an open breaker past its cool-down this
        turns it half-open and hands out the probe. False: do not send."""
        if self.state == CLOSED:
            return True
        if not self.available(now):
            return False
        if self.state == OPEN:
            self._set(HALF_OPEN)
        self.probing = True
        return True

    def release(self) -> None:
        """A probe that was taken but never sent (the request ended before reaching it)."""
        self.probing = False

    def success(self) -> None:
        if self.state != CLOSED:
            self._failures.clear()
            self.probing = False
            self._set(CLOSED)

    def failure(self, now: float, hard: bool = False) -> None:
        if self.state == HALF_OPEN:
            self._open(now)
            return
        if self.state == OPEN:  # a late answer to a request sent before it opened
            return
        window = self._failures
        window.append(now)
        cutoff = now - self.window_s
        while window and window[0] < cutoff:
            window.popleft()
        if hard or len(window) >= self.limit:
            self._open(now)

    def recent_failures(self, now: float) -> int:
        cutoff = now - self.window_s
        return sum(1 for t in self._failures if t >= cutoff)

    def retry_in(self, now: float) -> float:
        """Seconds until an open breaker lets a probe through (0 when it would now)."""
        if self.state != OPEN:
            return 0.0
        return max(0.0, self.cooldown_s - (now - self.opened_at))

    def _open(self, now: float) -> None:
        self.opened_at = now
        self.probing = False
        self._failures.clear()
        self._set(OPEN)

    def _set(self, state: str) -> None:
        if state != self.state:
            self.state = state
            if self.on_state is not None:
                self.on_state(state)
