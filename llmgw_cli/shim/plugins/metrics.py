"""Metrics plugin: Prometheus series for ``/metrics`` (prometheus-client's text format).

The seed's series — ``llm_requests_total{model,status,user}``,
``llm_request_duration_seconds{model}``, ``llm_active_requests``,
``llm_tokens_total{model,type}`` — plus ``llm_ttft_seconds{model}``,
``llm_cost_usd_total{model}``, ``llmgw_overhead_seconds``, and per chain member
``llmgw_breaker_state{member,state}`` (1 for the current state) and ``llmgw_upstream_up{member}``.

A request only adds to plain Python ints, floats and lists (one dict lookup per series, a
``bisect`` per histogram: no client-library objects, locks or label lookups on the hot path,
docs/architecture.md); ``render`` turns them into metric families when ``/metrics`` is
scraped. Everything runs on the shim's event loop, so no lock is needed.

The figures live once per process, outside the plugin object, so a config reload that
rebuilds the plugins keeps the counters. Label values that clients choose (user, model)
are capped; past the cap they are counted as ``other``, so memory stays flat for days.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.utils import floatToGoString

from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.common import exchange_cost, number, priced_model, section, user_of
from llmgw_cli.shim.plugins.contract import Exchange

DEFAULTS: dict[str, Any] = {"enabled": True, "max_users": 100, "max_models": 50}
BREAKER_STATES = ("closed", "open", "half_open")
OTHER = "other"
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
TTFT_BUCKETS = (0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30, 60)
OVERHEAD_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1)
TOKEN_TYPES = ("input", "output", "cache_read", "cache_write")


class _Capped:
    """Passes the first ``limit`` distinct values through, maps the rest to ``other``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._seen: set[str] = set()

    def __call__(self, value: str | None) -> str:
        value = value or "unknown"
        if value in self._seen:
            return value
        if len(self._seen) >= self.limit:
            return OTHER
        self._seen.add(value)
        return value


class _Histogram:
    """Per-bucket counts (the last one is +Inf) and the sum; cumulated when rendered."""

    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1  # `le` is inclusive
        self.sum += value

    def buckets(self) -> list[tuple[str, float]]:
        out, total = [], 0
        labels = (*map(floatToGoString, self.bounds), "+Inf")
        for bound, count in zip(labels, self.counts, strict=True):
            total += count
            out.append((bound, float(total)))
        return out


class _ModelSeries:
    """One model's figures."""

    __slots__ = ("cost", "duration", "tokens", "ttft")

    def __init__(self) -> None:
        self.duration = _Histogram(DURATION_BUCKETS)
        self.ttft = _Histogram(TTFT_BUCKETS)
        self.tokens = [0, 0, 0, 0]  # TOKEN_TYPES
        self.cost = 0.0


class ShimMetrics:
    def __init__(self, max_users: int = 100, max_models: int = 50) -> None:
        self.users = _Capped(max_users)
        self.models = _Capped(max_models)
        self.active = 0
        self.requests: dict[tuple[str, int | None, str], int] = {}
        self.per_model: dict[str, _ModelSeries] = {}
        self.overhead = _Histogram(OVERHEAD_BUCKETS)
        self.breaker: dict[str, str] = {}
        self.up: dict[str, bool] = {}
        self.registry = CollectorRegistry()
        self.registry.register(self)  # a collector: it has collect()

    def observe(self, exchange: Exchange, prices: PriceTable) -> None:
        model = self.models(priced_model(exchange))
        series = self.per_model.get(model)
        if series is None:
            series = self.per_model[model] = _ModelSeries()
        key = (model, exchange.status, self.users(user_of(exchange)))
        requests = self.requests
        requests[key] = requests.get(key, 0) + 1
        if exchange.e2e_ms is not None:
            series.duration.observe(exchange.e2e_ms / 1000)
        if exchange.ttft_ms is not None:
            series.ttft.observe(exchange.ttft_ms / 1000)
        if exchange.overhead_ms is not None:
            self.overhead.observe(exchange.overhead_ms / 1000)
        usage = exchange.usage
        counts = series.tokens
        counts[0] += usage.input_tokens
        counts[1] += usage.output_tokens
        counts[2] += usage.cache_read_tokens
        counts[3] += usage.cache_write_tokens
        series.cost += exchange_cost(exchange, prices)

    def set_member_state(self, member: str, state: str) -> None:
        self.breaker[member] = state

    def set_upstream_up(self, member: str, up: bool) -> None:
        self.up[member] = up

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def collect(self) -> Iterator[Metric]:
        """The metric families, computed now from the plain figures (a scrape)."""
        requests = CounterMetricFamily(
            "llm_requests", "Requests through the shim", labels=["model", "status", "user"]
        )
        for (model, status, user), n in list(self.requests.items()):
            requests.add_metric([model, str(status) if status else "none", user], n)
        yield requests
        yield from self._per_model()
        yield GaugeMetricFamily("llm_active_requests", "Requests in flight", value=self.active)
        overhead = HistogramMetricFamily(
            "llmgw_overhead_seconds", "Time spent inside the shim, upstream excluded"
        )
        overhead.add_metric([], self.overhead.buckets(), self.overhead.sum)
        yield overhead
        breaker = GaugeMetricFamily(
            "llmgw_breaker_state",
            "Circuit breaker state per chain member (1 = current)",
            labels=["member", "state"],
        )
        for member, state in list(self.breaker.items()):
            for known in BREAKER_STATES:
                breaker.add_metric([member, known], 1 if known == state else 0)
        yield breaker
        up = GaugeMetricFamily(
            "llmgw_upstream_up",
            "Last health check of each chain member (1 = reachable)",
            labels=["member"],
        )
        for member, is_up in list(self.up.items()):
            up.add_metric([member], 1 if is_up else 0)
        yield up

    def _per_model(self) -> Iterator[Metric]:
        duration = HistogramMetricFamily(
            "llm_request_duration_seconds",
            "Request duration, first byte in to last byte out",
            labels=["model"],
        )
        ttft = HistogramMetricFamily(
            "llm_ttft_seconds", "Time to the first response byte", labels=["model"]
        )
        tokens = CounterMetricFamily(
            "llm_tokens", "Tokens by kind (input is uncached input)", labels=["model", "type"]
        )
        cost = CounterMetricFamily(
            "llm_cost_usd", "Spend in US dollars at list prices", labels=["model"]
        )
        for model, series in list(self.per_model.items()):
            duration.add_metric([model], series.duration.buckets(), series.duration.sum)
            ttft.add_metric([model], series.ttft.buckets(), series.ttft.sum)
            for kind, n in zip(TOKEN_TYPES, series.tokens, strict=True):
                tokens.add_metric([model, kind], n)
            cost.add_metric([model], series.cost)
        yield from (duration, tokens, ttft, cost)


_metrics: ShimMetrics | None = None
_lock = threading.Lock()


def shim_metrics(max_users: int = 100, max_models: int = 50) -> ShimMetrics:
    """The process's metrics, created on first use and kept across reloads."""
    global _metrics
    with _lock:
        if _metrics is None:
            _metrics = ShimMetrics(max_users, max_models)
        return _metrics


def render_metrics() -> tuple[bytes, str]:
    """Body and content type for ``GET /metrics``."""
    return shim_metrics().render()


def set_member_state(member: str, state: str) -> None:
    shim_metrics().set_member_state(member, state)


def set_upstream_up(member: str, up: bool) -> None:
    shim_metrics().set_upstream_up(member, up)


class MetricsPlugin:
    name: ClassVar[str] = "metrics"
    needs_usage: ClassVar[bool] = True

    def __init__(
        self, config: Any, state_dir: Path, prices: PriceTable, fresh: bool = False
    ) -> None:
        cfg = section(config, "metrics", DEFAULTS)
        users = int(number(cfg["max_users"], "plugins.metrics.max_users", True) or 0)
        models = int(number(cfg["max_models"], "plugins.metrics.max_models", True) or 0)
        # fresh=True gives a private registry (tests, several shims in one process).
        self.metrics = ShimMetrics(users, models) if fresh else shim_metrics(users, models)
        self.prices = prices

    # The hooks as plain calls (contract: the host calls them instead of the coroutines).
    def request_now(self, exchange: Exchange) -> None:
        self.metrics.active += 1
        exchange.notes["metrics_active"] = True

    def complete_now(self, exchange: Exchange) -> None:
        if exchange.notes.pop("metrics_active", False):
            self.metrics.active -= 1
        self.metrics.observe(exchange, self.prices)

    async def on_request(self, exchange: Exchange) -> None:
        self.request_now(exchange)

    async def on_complete(self, exchange: Exchange) -> None:
        self.complete_now(exchange)

    # Duck-typed hooks the core looks for (it knows no plugin by name).
    def render_metrics(self) -> tuple[bytes, str]:
        return self.metrics.render()

    def set_member_state(self, member: str, state: str) -> None:
        self.metrics.set_member_state(member, state)

    def set_upstream_up(self, member: str, up: bool) -> None:
        self.metrics.set_upstream_up(member, up)

    async def close(self) -> None:
        return None
