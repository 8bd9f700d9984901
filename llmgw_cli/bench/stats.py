"""Pure statistics for bench: percentiles, summaries, histograms, goodput. No I/O, no clocks.

Percentiles interpolate linearly between the two nearest ranks (numpy's default, "linear"
or type 7): for sorted values x[0..n-1], p maps to rank h = (n-1)·p/100 and the result is
x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). One sample gives itself for every percentile.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PERCENTILES = (50, 90, 95, 99)
STAT_KEYS = ("mean", "min", "p50", "p90", "p95", "p99", "max")

Stats = dict[str, float]


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) of values already sorted ascending."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    if not 0.0 <= p <= 100.0:
        raise ValueError(f"percentile must be within 0..100, not {p}")
    h = (len(sorted_values) - 1) * p / 100.0
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def summarize(values: Iterable[float]) -> Stats | None:
    """``{mean, min, p50, p90, p95, p99, max}``, or None when there are no values."""
    data = sorted(values)
    if not data:
        return None
    out: Stats = {"mean": math.fsum(data) / len(data), "min": data[0]}
    for p in PERCENTILES:
        out[f"p{p}"] = percentile(data, p)
    out["max"] = data[-1]
    return out


def rounded(stats: Stats | None, digits: int = 3) -> Stats | None:
    return None if stats is None else {k: round(v, digits) for k, v in stats.items()}


def tpot(e2e_ms: float, ttft_ms: float, output_tokens: int) -> float | None:
    """Time per output token after the first: (e2e − TTFT) / (output tokens − 1)."""
    if output_tokens < 2:
        return None
    return (e2e_ms - ttft_ms) / (output_tokens - 1)


def ratio(value: float | None, base: float | None) -> float | None:
    """value / base, or None when either is missing or the base is zero."""
    if value is None or base is None or base == 0:
        return None
    return value / base


@dataclass(frozen=True)
class Slo:
    """Service-level objective: bounds in ms (None: unbounded), the percent that must meet them."""

    ttft_ms: float | None = None
    e2e_ms: float | None = None
    percent: float = 99.0

    def met(self, ok: bool, ttft_ms: float | None, e2e_ms: float | None) -> bool:
        """Whether one request met every bound; a failed request never does."""
        if not ok:
            return False
        if self.ttft_ms is not None and (ttft_ms is None or ttft_ms > self.ttft_ms):
            return False
        return not (self.e2e_ms is not None and (e2e_ms is None or e2e_ms > self.e2e_ms))


def parse_slo(text: str) -> Slo:
    """``ttft=MS,e2e=MS[,p=PERCENT]``; raises ValueError naming the problem."""
    values: dict[str, float] = {}
    for part in text.split(","):
        key, eq, raw = part.strip().partition("=")
        key = key.strip().lower()
        if not eq or key not in ("ttft", "e2e", "p"):
            raise ValueError(f"{part.strip()!r}: write ttft=MS, e2e=MS or p=PERCENT")
        if key in values:
            raise ValueError(f"{key} given twice")
        try:
            number = float(raw.strip().removesuffix("ms").removesuffix("%"))
        except ValueError:
            raise ValueError(f"{part.strip()!r}: {raw.strip()!r} is not a number") from None
        if not math.isfinite(number) or number <= 0:
            raise ValueError(f"{key} must be a positive number")
        values[key] = number
    if "ttft" not in values and "e2e" not in values:
        raise ValueError("give at least one of ttft=MS and e2e=MS")
    percent = values.get("p", 99.0)
    if percent > 100:
        raise ValueError("p is a percentage of requests, at most 100")
    return Slo(values.get("ttft"), values.get("e2e"), percent)


@dataclass(frozen=True)
class Goodput:
    good: int
    total: int
    duration_s: float
    slo: Slo

    @property
    def fraction(self) -> float:
        return self.good / self.total if self.total else 0.0

    @property
    def per_s(self) -> float:
        return self.good / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def passed(self) -> bool:
        # good/total >= percent/100, multiplied out (the epsilon absorbs float noise).
        return self.total > 0 and self.good * 100 >= self.total * self.slo.percent - 1e-9


@dataclass(frozen=True)
class Histogram:
    edges: tuple[float, ...]  # len(counts) + 1 bounds; the last bin also holds overflow
    counts: tuple[int, ...]
    overflow: int  # values above the last edge, counted in the last bin


def bin_edges(values: Iterable[float], bins: int = 10, clip: float = 99.0) -> tuple[float, ...]:
    """Shared bin edges for several series: from the minimum to the clip percentile (outliers
    would otherwise squeeze everything into one bin); the last bin takes the overflow."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    data = sorted(values)
    if not data:
        return ()
    lo, hi = data[0], percentile(data, clip)
    if hi <= lo:
        hi = data[-1] if data[-1] > lo else lo + 1.0
    step = (hi - lo) / bins
    return (*(lo + i * step for i in range(bins)), hi)


def histogram(values: Iterable[float], edges: Sequence[float]) -> Histogram:
    """Counts of ``values`` in ``[edges[i], edges[i+1])``; the last bin is closed and
    also counts values beyond it (and values below the first edge go in the first)."""
    if len(edges) < 2:
        return Histogram(tuple(edges), (), 0)
    bins = len(edges) - 1
    counts = [0] * bins
    lo, hi = edges[0], edges[-1]
    step = (hi - lo) / bins
    overflow = 0
    for v in values:
        if v > hi:
            overflow += 1
            i = bins - 1
        elif v <= lo or step <= 0:
            i = 0
        else:
            i = min(int((v - lo) / step), bins - 1)
        counts[i] += 1
    return Histogram(tuple(edges), tuple(counts), overflow)
