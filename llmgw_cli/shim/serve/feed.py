"""What the live dashboard shows, collected off the hot path's existing completion point.

``Feed.note(exchange)`` runs once per finished request (``Forwarder``, after the router
heard of it): it appends one small tuple to a bounded ring (the last ``RING`` requests:
model, status, latency, member, route, attempts, tokens; never a prompt or a body) and
bumps the member's tally. That is all it costs when nobody watches (measured in
``benchmarks/dashboard_cost.py``). Each watcher (a dashboard's SSE stream) has an event
``note`` sets; the per-member percentiles, costs and the JSON are built only for them.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import deque
from typing import Any

from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.contract import Exchange, Usage

RING = 200  # requests kept for the dashboard's "last requests"
TTFT_WINDOW = 500  # TTFTs kept per member for its p50/p99
_perf = time.perf_counter

# One finished request: seq, wall start, model, status, error, e2e ms, ttft ms, member,
# route, attempts, input tokens (cache included), output tokens.
Summary = tuple[
    int, float, "str | None", "int | None", "str | None", float, "float | None",
    "str | None", "str | None", int, int, int,
]  # fmt: skip


class Tally:
    """One member's figures since the shim started."""

    __slots__ = ("errors", "requests", "ttft", "usage")

    def __init__(self) -> None:
        self.requests = 0
        self.errors = 0
        self.ttft: deque[float] = deque(maxlen=TTFT_WINDOW)
        self.usage: dict[str | None, Usage] = {}  # by model, for the cost

    def public(self, prices: PriceTable) -> dict[str, Any]:
        ttft = sorted(self.ttft)
        tokens = sum(u.input_tokens + u.output_tokens + u.cache_read_tokens
                     + u.cache_write_tokens for u in self.usage.values())  # fmt: skip
        return {
            "requests": self.requests,
            "errors": self.errors,
            "error_rate": round(self.errors / self.requests, 4) if self.requests else 0.0,
            "p50_ttft_ms": _pct(ttft, 50),
            "p99_ttft_ms": _pct(ttft, 99),
            "tokens": tokens,
            "cost_usd": round(sum(prices.cost(m, u) for m, u in self.usage.items()), 6),
        }


def _pct(data: list[float], p: float) -> float | None:
    if not data:
        return None
    if len(data) == 1:
        return round(data[0], 1)
    return round(statistics.quantiles(data, n=100, method="inclusive")[int(p) - 1], 1)


class Feed:
    def __init__(self, prices: PriceTable | None = None) -> None:
        self.prices = prices or PriceTable()
        self.ring: deque[Summary] = deque(maxlen=RING)
        self.tallies: dict[str, Tally] = {}
        self.seq = 0
        self._events: list[asyncio.Event] = []  # one per watcher

    def note(self, ex: Exchange) -> None:
        """Record a finished request (hot path: a tuple, a deque append, a few counters)."""
        self.seq += 1
        e2e = ex.e2e_ms if ex.e2e_ms is not None else (_perf() - ex.started) * 1000
        u = ex.usage
        tokens_in = u.input_tokens + u.cache_read_tokens + u.cache_write_tokens
        status = ex.status
        failed = ex.error is not None or status is None or status >= 400
        model = ex.upstream_model or ex.parsed_model()
        member = ex.profile
        self.ring.append((
            self.seq, ex.wall_start, model, status, ex.error, e2e, ex.ttft_ms, member,
            ex.route, ex.attempts, tokens_in, u.output_tokens,
        ))  # fmt: skip
        if member is not None:
            tally = self.tallies.get(member)
            if tally is None:
                tally = self.tallies[member] = Tally()
            tally.requests += 1
            tally.errors += failed
            if ex.ttft_ms is not None and not failed:
                tally.ttft.append(ex.ttft_ms)
            if u.input_tokens or u.output_tokens:
                _add(tally.usage, model, u)
        if self._events:
            self.wake()

    @property
    def watchers(self) -> int:
        return len(self._events)

    def watch(self) -> asyncio.Event:
        """A watcher arrives: from now on ``note`` sets its event (``unwatch`` when it leaves)."""
        event = asyncio.Event()
        self._events.append(event)
        return event

    def unwatch(self, event: asyncio.Event) -> None:
        self._events = [e for e in self._events if e is not event]

    def wake(self) -> None:
        for event in self._events:
            event.set()

    def since(self, seq: int) -> list[dict[str, Any]]:
        """Requests after ``seq``, oldest first (at most the ring)."""
        return [_request(s) for s in self.ring if s[0] > seq]

    def members(self, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The router's public member rows (state, upstream, reachability) plus the tallies."""
        out = []
        for m in members:
            row = {
                "name": m.get("name"),
                "upstream": m.get("upstream"),
                "state": m.get("state", "closed"),
                "reachable": m.get("reachable"),
                "in_flight": m.get("in_flight", 0),
                "retry_in_s": m.get("retry_in_s", 0.0),
            }
            tally = self.tallies.get(str(m.get("name")))
            row.update((tally or Tally()).public(self.prices))
            if isinstance(m.get("error_rate"), float):  # the chain's: every attempt counts
                row["error_rate"] = m["error_rate"]
            out.append(row)
        return out


def _add(by_model: dict[str | None, Usage], model: str | None, u: Usage) -> None:
    acc = by_model.get(model)
    if acc is None:
        if len(by_model) >= 64:  # bounded: model names come from clients
            model = None
            acc = by_model.get(None)
        if acc is None:
            acc = by_model[model] = Usage()
    acc.input_tokens += u.input_tokens
    acc.output_tokens += u.output_tokens
    acc.cache_read_tokens += u.cache_read_tokens
    acc.cache_write_tokens += u.cache_write_tokens
    acc.cache_write_1h_tokens += u.cache_write_1h_tokens


def _request(s: Summary) -> dict[str, Any]:
    seq, ts, model, status, error, e2e, ttft, member, route, attempts, tin, tout = s
    return {
        "seq": seq,
        "ts": round(ts, 3),
        "model": model,
        "status": status,
        "error": None if error is None else error[:120],
        "latency_ms": round(e2e, 1),
        "ttft_ms": None if ttft is None else round(ttft, 1),
        "member": member,
        "route": route,
        "attempts": attempts,
        "tokens": tin + tout,
    }
