"""The bench report's charts, from a result's per-request samples (``bench.record.Sample``).

Run ``i`` is drawn in ``svg.colour(i)`` in every chart. Times on the x axis are seconds from
the start of the measured part; warm-up requests (kept apart by the runner) sit before 0
in a grey band, failed requests are red ×.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from llmgw_cli.bench import stats
from llmgw_cli.reports import charts, scale
from llmgw_cli.reports.svg import ERROR, MUTED, Axis, Chart, Entry, colour

if TYPE_CHECKING:
    from llmgw_cli.bench.record import Sample
    from llmgw_cli.bench.runner import Result

PERCENTILES = ("p50", "p90", "p99")


def _values(samples: Sequence[Sample], attr: str) -> list[float]:
    return [v for s in samples if s.ok and (v := getattr(s, attr)) is not None]


def labels(result: Result) -> list[str]:
    return [str(r["label"]) for r in result.runs]


CDFS = {
    "ttft_ms": ("TTFT: time to first token", "time to first token (ms)"),
    "e2e_ms": ("E2E: end-to-end latency", "end-to-end latency (ms)"),
    "tpot_ms": ("TPOT: time per output token", "time per output token after the first (ms)"),
}


def latency_cdf(result: Result, attr: str, log: bool, width: int = 600) -> Chart:
    series = [
        (name, colour(i), _values(samples, attr))
        for i, (name, samples) in enumerate(zip(labels(result), result.samples, strict=True))
    ]
    title, x_title = CDFS[attr]
    return charts.cdf(
        title + (" · log scale" if log else ""), series, x_title, log=log, width=width
    )


def wants_log(result: Result) -> bool:
    """Whether the latency CDFs read better on a log axis (values spread over 20×)."""
    return any(
        scale.wants_log([v for run in result.samples for v in _values(run, attr)], 20)
        for attr in ("ttft_ms", "e2e_ms")
    )


def percentiles(result: Result, key: str, title: str, width: int = 600) -> Chart:
    series = [
        (r["label"], colour(i), [None if r[key] is None else r[key][p] for p in PERCENTILES])
        for i, r in enumerate(result.runs)
    ]
    return charts.grouped_bars(title, PERCENTILES, series, "latency (ms)", width=width)  # type: ignore[arg-type]


def latency_over_time(result: Result, width: int = 1220) -> Chart:
    """Each request a point at its start: e2e latency; failures as red ×."""
    all_samples = [s for run in (*result.warmup, *result.samples) for s in run]
    ys_all = [s.e2e_ms for s in all_samples if s.e2e_ms is not None]
    log = scale.wants_log(ys_all, 30)
    xs = scale.fit([s.start_s for s in all_samples] or [0.0], zero=True, pad=0.02)
    ys = scale.fit(ys_all or [1.0], log=log)
    chart = Chart(
        "latency over time: every request (e2e)",
        Axis("request start (s since the measured part began)", xs),
        Axis("end-to-end latency (ms)" + (", log" if log else ""), ys),
        width=width, height=320,
    )  # fmt: skip
    warm = [s for run in result.warmup for s in run]
    chart.legend = [Entry(n, colour(i)) for i, n in enumerate(labels(result))]
    if any(not s.ok for s in all_samples):
        chart.legend.append(Entry("failed", ERROR, "extra"))
    if warm:
        chart.legend.append(Entry("warm-up", MUTED, "extra"))
    if warm:
        chart.band(min(s.start_s for s in warm), 0.0, "warm-up")
    errors: list[tuple[float, float, str]] = []
    for i, name in enumerate(labels(result)):
        runs = [*(result.warmup[i] if i < len(result.warmup) else []), *result.samples[i]]
        for group, alpha in (([s for s in runs if s.start_s < 0], 0.3), (result.samples[i], 0.8)):
            pts = [
                (s.start_s, s.e2e_ms, f"{name} #{s.seq}: {s.e2e_ms:,.1f} ms")
                for s in group if s.ok and s.e2e_ms is not None
            ]  # fmt: skip
            chart.points(pts, colour(i), opacity=alpha)
        errors += [
            (s.start_s, s.e2e_ms if s.e2e_ms is not None else ys.hi,
             f"{name} #{s.seq}: {s.error} after {s.e2e_ms or 0:,.0f} ms")
            for s in runs if not s.ok
        ]  # fmt: skip
    if errors:
        chart.points(errors, ERROR, shape="x", opacity=1)
    return chart


def _bin_width(duration: float, requests: int) -> float:
    """About 20 bins, fewer when there are few requests (each bin should hold several)."""
    return max(0.1, scale.nice_step(duration, max(8, min(24, requests // 8))))


def throughput_over_time(result: Result, width: int = 1220) -> Chart:
    """Requests answered per second (solid) and failures per second (dashed), per run."""
    done = [s.start_s + (s.e2e_ms or 0) / 1000 for run in result.samples for s in run]
    end = max(done, default=1.0)
    w = _bin_width(end, max((len(run) for run in result.samples), default=0))
    bins = max(1, math.ceil(end / w))
    series: list[tuple[str, str, Sequence[float], Sequence[float], bool]] = []
    any_errors = False
    for i, (name, samples) in enumerate(zip(labels(result), result.samples, strict=True)):
        ok, bad = [0] * bins, [0] * bins
        for s in samples:
            k = min(bins - 1, int((s.start_s + (s.e2e_ms or 0) / 1000) / w))
            (ok if s.ok else bad)[k] += 1
        last = max((k for k in range(bins) if ok[k] or bad[k]), default=0) + 1
        mids = [(k + 0.5) * w for k in range(last)]  # the line ends when the run did
        series.append((name, colour(i), mids, [c / w for c in ok[:last]], False))
        if any(bad):
            any_errors = True
            series.append((f"{name} failed", colour(i), mids, [c / w for c in bad[:last]], True))
    legend = [Entry(n, colour(i)) for i, n in enumerate(labels(result))]
    if any_errors:
        legend.append(Entry("failed / s (dashed)", ERROR, "extra", dash=True))
    return charts.over_time(
        f"throughput and errors over time ({w:g} s bins)", series,
        "time (s since the measured part began)", "throughput (requests/s)", width=width,
        legend=legend,
    )  # fmt: skip


def itl_distribution(result: Result, width: int = 600) -> Chart | None:
    """Share of inter-token gaps per bin, one outline per run (bins shared, log when wide)."""
    per_run = [[g for s in samples if s.ok for g in s.itl_ms] for samples in result.samples]
    pooled = [g for gaps in per_run for g in gaps]
    if not pooled:
        return None
    log = scale.wants_log(pooled, 50)
    edges = _log_edges(pooled, 24) if log else list(stats.bin_edges(pooled, bins=24, clip=99.5))
    if len(edges) < 2:
        return None
    tops: list[list[float]] = []
    for gaps in per_run:
        h = stats.histogram(gaps, edges)
        tops.append([c / max(1, len(gaps)) for c in h.counts])
    xs = scale.Scale(edges[0], edges[-1], log) if log else scale.fit(edges, zero=False, pad=0)
    ys = scale.fit([v for t in tops for v in t] or [1.0])
    chart = Chart(
        "inter-token latency distribution", Axis("gap between tokens (ms)", xs),
        Axis("share of gaps (%)", ys, "%"), width=width,
    )  # fmt: skip
    chart.legend = [Entry(n, colour(i)) for i, n in enumerate(labels(result))]
    for i, t in enumerate(tops):
        chart.line([*edges[:-1], edges[-1]], [*t, t[-1]], colour(i), step=True)
    return chart


def _log_edges(values: Sequence[float], bins: int) -> list[float]:
    data = sorted(v for v in values if v > 0)
    if not data:
        return []
    lo, hi = data[0], stats.percentile(data, 99.5)
    if hi <= lo:
        hi = lo * 10
    ratio = (hi / lo) ** (1 / bins)
    return [lo * ratio**k for k in range(bins + 1)]
