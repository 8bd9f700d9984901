"""Metrics plugin: Prometheus series for ``/metrics`` (prometheus-client, own registry).

The seed's series — ``llm_requests_total{model,status,user}``,
``llm_request_duration_seconds{model}``, ``llm_active_requests``,
``llm_tokens_total{model,type}`` — plus ``llm_ttft_seconds{model}``,
``llm_cost_usd_total{model}``, ``llmgw_overhead_seconds``, and per chain member
``llmgw_breaker_state{member,state}`` (1 for the current state) and ``llmgw_upstream_up{member}``.

The registry lives once per process, outside the plugin object, so a config reload that
rebuilds the plugins keeps the counters. Label values that clients choose (user, model)
are capped; past the cap they are counted as ``other``, so memory stays flat for days.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, ClassVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.common import exchange_cost, number, priced_model, section, user_of
from llmgw_cli.shim.plugins.contract import Exchange

DEFAULTS: dict[str, Any] = {"enabled": True, "max_users": 100, "max_models": 50}
BREAKER_STATES = ("closed", "open", "half_open")
OTHER = "other"


class _Capped:
    """Passes the first ``limit`` distinct values through, maps the rest to ``other``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str | None) -> str:
        value = value or "unknown"
        if value in self._seen:
            return value
        with self._lock:
            if len(self._seen) >= self.limit:
                return OTHER
            self._seen.add(value)
        return value


class ShimMetrics:
    def __init__(self, max_users: int = 100, max_models: int = 50) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.users = _Capped(max_users)
        self.models = _Capped(max_models)
        self.requests = Counter(
            "llm_requests", "Requests through the shim", ["model", "status", "user"], registry=r
        )
        self.duration = Histogram(
            "llm_request_duration_seconds",
            "Request duration, first byte in to last byte out",
            ["model"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
            registry=r,
        )
        self.active = Gauge("llm_active_requests", "Requests in flight", registry=r)
        self.tokens = Counter(
            "llm_tokens", "Tokens by kind (input is uncached input)", ["model", "type"], registry=r
        )
        self.ttft = Histogram(
            "llm_ttft_seconds",
            "Time to the first response byte",
            ["model"],
            buckets=(0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30, 60),
            registry=r,
        )
        self.cost = Counter(
            "llm_cost_usd", "Spend in US dollars at list prices", ["model"], registry=r
        )
        self.overhead = Histogram(
            "llmgw_overhead_seconds",
            "Time spent inside the shim, upstream excluded",
            buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1),
            registry=r,
        )
        self.breaker = Gauge(
            "llmgw_breaker_state",
            "Circuit breaker state per chain member (1 = current)",
            ["member", "state"],
            registry=r,
        )
        self.up = Gauge(
            "llmgw_upstream_up",
            "Last health check of each chain member (1 = reachable)",
            ["member"],
            registry=r,
        )

        # Label children looked up once: the label values are capped, so these stay small.
        self._per_model: dict[str, _ModelSeries] = {}
        self._per_request: dict[tuple[str, int | None, str], Any] = {}

    def _series(self, model: str) -> _ModelSeries:
        series = self._per_model.get(model)
        if series is None:
            series = self._per_model[model] = _ModelSeries(self, model)
        return series

    def observe(self, exchange: Exchange, prices: PriceTable) -> None:
        model = self.models(priced_model(exchange))
        series = self._series(model)
        key = (model, exchange.status, self.users(user_of(exchange)))
        counter = self._per_request.get(key)
        if counter is None:
            status = str(exchange.status) if exchange.status else "none"
            counter = self._per_request[key] = self.requests.labels(model, status, key[2])
        counter.inc()
        if exchange.e2e_ms is not None:
            series.duration.observe(exchange.e2e_ms / 1000)
        if exchange.ttft_ms is not None:
            series.ttft.observe(exchange.ttft_ms / 1000)
        if exchange.overhead_ms is not None:
            self.overhead.observe(exchange.overhead_ms / 1000)
        usage = exchange.usage
        if usage.input_tokens:
            series.input.inc(usage.input_tokens)
        if usage.output_tokens:
            series.output.inc(usage.output_tokens)
        if usage.cache_read_tokens:
            series.cache_read.inc(usage.cache_read_tokens)
        if usage.cache_write_tokens:
            series.cache_write.inc(usage.cache_write_tokens)
        spent = exchange_cost(exchange, prices)
        if spent:
            series.cost.inc(spent)

    def set_member_state(self, member: str, state: str) -> None:
        for known in BREAKER_STATES:
            self.breaker.labels(member, known).set(1 if known == state else 0)

    def set_upstream_up(self, member: str, up: bool) -> None:
        self.up.labels(member).set(1 if up else 0)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _ModelSeries:
    """One model's label children, bound once."""

    __slots__ = ("cache_read", "cache_write", "cost", "duration", "input", "output", "ttft")

    def __init__(self, m: ShimMetrics, model: str) -> None:
        self.duration = m.duration.labels(model)
        self.ttft = m.ttft.labels(model)
        self.input = m.tokens.labels(model, "input")
        self.output = m.tokens.labels(model, "output")
        self.cache_read = m.tokens.labels(model, "cache_read")
        self.cache_write = m.tokens.labels(model, "cache_write")
        self.cost = m.cost.labels(model)


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

    async def on_request(self, exchange: Exchange) -> None:
        self.metrics.active.inc()
        exchange.notes["metrics_active"] = True

    async def on_complete(self, exchange: Exchange) -> None:
        if exchange.notes.pop("metrics_active", False):
            self.metrics.active.dec()
        self.metrics.observe(exchange, self.prices)

    # Duck-typed hooks the core looks for (it knows no plugin by name).
    def render_metrics(self) -> tuple[bytes, str]:
        return self.metrics.render()

    def set_member_state(self, member: str, state: str) -> None:
        self.metrics.set_member_state(member, state)

    def set_upstream_up(self, member: str, up: bool) -> None:
        self.metrics.set_upstream_up(member, up)

    async def close(self) -> None:
        return None
