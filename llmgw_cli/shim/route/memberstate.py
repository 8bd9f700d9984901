"""What the chain remembers about each member: breaker, latency, outcomes, tokens.

Kept apart from ``Member`` (the session and credential, rebuilt on every reload) and keyed
by member name, so a reload that keeps a member keeps its breaker, its EWMA and its counts.
``unavailable`` words the refusal when no member's state lets it take a request.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Callable

from llmgw_cli.shim.config import Breaker as BreakerConfig
from llmgw_cli.shim.plugins.contract import Reject
from llmgw_cli.shim.route.breaker import Breaker

EWMA_ALPHA = 0.3  # weight of the newest TTFT sample: adapts in a handful of requests
SAMPLES = 256  # TTFT samples kept for the p50 in `shim status`
OUTCOMES = 100  # outcomes kept for the recent error rate


class MemberState:
    def __init__(
        self,
        name: str,
        breaker: BreakerConfig,
        on_state: Callable[[str, str], None] | None = None,
    ) -> None:
        self.name = name
        self.on_state = on_state
        self.breaker = Breaker(
            breaker.failures, breaker.window_s, breaker.cooldown_s, self._state_changed
        )
        self.ewma_ms: float | None = None
        self.sampled_at = 0.0  # monotonic time of the newest TTFT sample
        self.ttft_ms: deque[float] = deque(maxlen=SAMPLES)
        self.outcomes: deque[bool] = deque(maxlen=OUTCOMES)
        self.hold_until = 0.0  # a Retry-After: no request before this monotonic time
        self.requests = 0
        self.errors = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.last_error: str | None = None

    def configure(self, breaker: BreakerConfig) -> None:
        """New breaker settings from a reload; the state is kept."""
        b = self.breaker
        b.limit = max(1, breaker.failures)
        b.window_s, b.cooldown_s = breaker.window_s, breaker.cooldown_s

    def _state_changed(self, state: str) -> None:
        if self.on_state is not None:
            self.on_state(self.name, state)

    def usable(self, now: float) -> bool:
        return now >= self.hold_until and self.breaker.available(now)

    def ok(self) -> None:
        self.requests += 1
        self.outcomes.append(True)
        self.last_error = None
        self.breaker.success()

    def failed(self, now: float, message: str, hard: bool) -> None:
        self.requests += 1
        self.errors += 1
        self.outcomes.append(False)
        self.last_error = message
        self._penalise()
        self.breaker.failure(now, hard)

    def rate_limited(self, message: str) -> None:
        """A 429: the member is up but busy; kept out for its Retry-After, not a breaker count."""
        self.requests += 1
        self.errors += 1
        self.outcomes.append(False)
        self.last_error = message

    def broke(self, now: float, message: str) -> None:
        """The answer it had started died part-way (already counted as a request)."""
        self.errors += 1
        if self.outcomes:
            self.outcomes[-1] = False
        self.last_error = message
        self._penalise()
        self.breaker.failure(now)

    def _penalise(self) -> None:
        # The adaptive order puts the member that answered instead ahead of this one.
        if self.ewma_ms is not None:
            self.ewma_ms = self.ewma_ms * 2 + 100.0

    def sample(self, ttft_ms: float, now: float) -> None:
        self.ttft_ms.append(ttft_ms)
        self.sampled_at = now
        prev = self.ewma_ms
        self.ewma_ms = ttft_ms if prev is None else prev + EWMA_ALPHA * (ttft_ms - prev)

    def tokens(self, input_tokens: int, output_tokens: int) -> None:
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens

    def public(self, now: float) -> dict[str, object]:
        outcomes = self.outcomes
        return {
            "state": self.breaker.state,
            "retry_in_s": round(self.breaker.retry_in(now), 3),
            "held_for_s": round(max(0.0, self.hold_until - now), 3),
            "ewma_ttft_ms": None if self.ewma_ms is None else round(self.ewma_ms, 3),
            "p50_ttft_ms": round(statistics.median(self.ttft_ms), 3) if self.ttft_ms else None,
            "error_rate": round(outcomes.count(False) / len(outcomes), 4) if outcomes else 0.0,
            "recent_failures": self.breaker.recent_failures(now),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "tokens": self.input_tokens + self.output_tokens,
            "requests": self.requests,  # kept across reloads, unlike Member's own counts
            "errors": self.errors,
        }


def unavailable(skipped: list[MemberState], now: float) -> Reject:
    """The refusal when every member is held (429) or its breaker is open: each one's
    reason, and Retry-After the shortest wait."""
    reasons, waits = [], []
    for st in skipped:
        if now < st.hold_until:
            wait = st.hold_until - now
            reasons.append(f"{st.name}: rate limited (retry in {wait:.1f} s)")
        else:
            wait = st.breaker.retry_in(now)
            reasons.append(
                f"{st.name}: circuit {st.breaker.state.replace('_', '-')} (retry in {wait:.1f} s)"
            )
        waits.append(wait)
    held_only = all(now < st.hold_until for st in skipped)
    status, kind = (429, "rate_limit_error") if held_only else (503, "overloaded_error")
    message = "no chain member can take this request now: " + "; ".join(reasons)
    retry_after = str(max(1, math.ceil(min(waits)))) if waits else "1"
    return Reject(status, kind, message, headers={"retry-after": retry_after})
