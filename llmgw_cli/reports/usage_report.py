"""``llmgw usage --report FILE.html``: the audit log as charts, in the bench report's style.

Cost and tokens per day (per hour, per minute … when the log spans less), by user and by
profile, each stacked by model; the share of prompt tokens read from the cache over time,
per model; e2e and TTFT percentiles per profile; the summary table by model. A model has
one colour on the whole page. Input: audit records (``auditlog.read``), nothing else.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from html import escape
from typing import Any

from llmgw_cli import __version__, auditlog, usage
from llmgw_cli.bench import stats
from llmgw_cli.reports import charts, page, scale
from llmgw_cli.reports.svg import Axis, Chart, Entry, colour

Record = dict[str, Any]
PCT_COLOURS = {"p50": "#9ec5f8", "p90": "#4a8fe7", "p99": "#1b4f9c"}


def _num(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _model(r: Record) -> str:
    return str(r.get("upstream_model") or r.get("model") or "-")


# (seconds, label format, name): the largest that cuts the window into at least 4 buckets.
BUCKETS = (
    (86400, "%Y-%m-%d", "day"), (3600, "%m-%d %H:00", "hour"),
    (600, "%H:%M", "10 minutes"), (60, "%H:%M", "minute"), (10, "%H:%M:%S", "10 s"),
)  # fmt: skip


def bucket(span_s: float) -> tuple[Callable[[float], str], str]:
    """A function from a timestamp to its bucket's label (UTC, sorting in time order)."""
    size, fmt, name = next((b for b in BUCKETS if span_s / b[0] >= 4), BUCKETS[-1])

    def label(ts: float) -> str:
        start = ts - ts % size
        return datetime.fromtimestamp(start, tz=timezone.utc).strftime(fmt)

    return label, name


def _stacked(
    records: Sequence[Record], key: Callable[[Record], str], value: Callable[[Record], float],
    models: Sequence[str], keys: Sequence[str] | None = None,
) -> tuple[list[str], list[charts.Series]]:  # fmt: skip
    table: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in records:
        table[key(r)][_model(r)] += value(r)
    cats = list(keys) if keys is not None else sorted(table, key=lambda k: -sum(table[k].values()))
    series: list[charts.Series] = [
        (m, colour(i), [table[c][m] for c in cats]) for i, m in enumerate(models)
    ]
    return cats, series


def _tokens(r: Record) -> float:
    return _num(r.get("prompt_tokens")) + _num(r.get("response_tokens"))


def _cost(r: Record) -> float:
    return _num(r.get("cost_usd"))


def _field(name: str) -> Callable[[Record], str]:
    return lambda r: str(r.get(name) or "-")


def _cache_share(
    records: Sequence[Record], stamp: Callable[[Record], str], cats: Sequence[str],
    models: Sequence[str],
) -> Chart:  # fmt: skip
    cached: dict[tuple[str, str], float] = defaultdict(float)
    prompt: dict[tuple[str, str], float] = defaultdict(float)
    for r in records:
        k = (stamp(r), _model(r))
        cached[k] += _num(r.get("cache_read_tokens"))
        prompt[k] += _num(r.get("prompt_tokens"))
    index = {c: i + 0.5 for i, c in enumerate(cats)}
    lines = []
    for i, m in enumerate(models):
        pts = [(index[c], cached[(c, m)] / prompt[(c, m)]) for c in cats if prompt[(c, m)] > 0]
        lines.append((m, colour(i), [p[0] for p in pts], [p[1] for p in pts], False))
    chart = charts.over_time(
        "cache hits: share of prompt tokens read from the cache", lines, "", "cached share (%)",
        fmt="%", legend=[Entry(m, colour(i), "extra") for i, m in enumerate(models)],
        x_axis=Axis("", scale.Scale(0, len(cats)), categories=charts.thin(cats)),
    )  # fmt: skip
    for _, col, xs, ys, _ in lines:
        chart.points([(x, y, f"{y:.0%}") for x, y in zip(xs, ys, strict=True)], col, r=3.2)
    return chart


def _percentiles(records: Sequence[Record], field: str, title: str) -> Chart | None:
    by: dict[str, list[float]] = defaultdict(list)
    for r in records:
        v = _num(r.get(field))
        if v > 0 and not usage.is_error(r):
            by[str(r.get("profile") or "-")].append(v * 1000)
    if not by:
        return None
    profiles = sorted(by)
    series = []
    for p in ("p50", "p90", "p99"):
        q = float(p[1:])
        series.append((p, PCT_COLOURS[p], [stats.percentile(sorted(by[k]), q) for k in profiles]))
    chart = charts.grouped_bars(title, profiles, series, "latency (ms)")
    return chart


def html(records: Sequence[Record], since: float, now: float) -> str:
    stamped = [(ts, r) for r in records if (ts := auditlog.timestamp(r)) is not None]
    stamped.sort(key=lambda p: p[0])
    recs = [r for _, r in stamped]
    first = stamped[0][0] if stamped else since
    to_bucket, unit = bucket(max(stamped[-1][0] if stamped else now, first + 1) - first)
    ts_of = {id(r): ts for ts, r in stamped}

    def stamp(r: Record) -> str:
        return to_bucket(ts_of[id(r)])

    cats = sorted({stamp(r) for r in recs})
    models = sorted({_model(r) for r in recs}, key=lambda m: -sum(_cost(r) for r in recs
                                                                   if _model(r) == m))  # fmt: skip
    total = usage.summarize(recs, "model", since)
    header = (
        "<h1>llmgw usage</h1>"
        f'<p class="sub">{len(recs):,} requests · ${total.total.cost_usd:,.2f} · '
        f"{total.total.tokens:,} tokens</p>"
        + page.facts_html([
            ("window", escape(f"{page.stamp(since)} to {page.stamp(now)}")),
            ("source", "the shim's audit log (<code>llmgw usage --json</code>: same figures)"),
            ("llmgw", escape(__version__)),
            ("machine", escape(page.machine())),
        ])
    )  # fmt: skip
    if not recs:
        return page.document("llmgw usage", header, "<p>No requests in this window.</p>")
    cards: list[str] = []
    for title, value, y in (
        ("cost", _cost, "cost (USD)"),
        ("tokens", _tokens, "tokens (prompt + output)"),
    ):
        c, s = _stacked(recs, stamp, value, models, cats)
        cards.append(charts.stacked_bars(f"{title} per {unit}, by model", c, s, y).render())
    for who in ("user", "profile"):
        for title, value, y in (
            ("cost", _cost, "cost (USD)"),
            ("tokens", _tokens, "tokens (prompt + output)"),
        ):
            c, s = _stacked(recs, _field(who), value, models)
            cards.append(charts.stacked_bars(f"{title} by {who}, by model", c, s, y).render())
    cards.append(_cache_share(recs, stamp, cats, models).render())
    for field, name in (("latency", "E2E"), ("ttft", "TTFT")):
        chart = _percentiles(recs, field, f"{name} percentiles per profile")
        if chart is not None:
            cards.append(chart.render())
    legend = [Entry(m, colour(i), "extra") for i, m in enumerate(models)]
    body = [
        f'<div class="bar">{page.legend_html(legend)}</div>',
        '<div class="grid">', *(f'<div class="card">{c}</div>' for c in cards), "</div>",
        "<h2>by model</h2>", _table(total, models),
    ]  # fmt: skip
    return page.document("llmgw usage report", header, "".join(body))


def _table(report: usage.Report, models: Sequence[str]) -> str:
    head = ("model", "requests", "errors", "tokens", "cached", "cost", "p50 e2e", "p50 TTFT")
    rows, colours = [], []
    for g in report.rows:
        d = g.to_dict()
        rows.append([
            g.key, f"{g.requests:,}", f"{g.errors:,}", f"{g.tokens:,}",
            f"{g.cache_read_tokens:,}", f"${g.cost_usd:,.4f}",
            _ms(d["p50_latency_ms"]), _ms(d["p50_ttft_ms"]),
        ])  # fmt: skip
        colours.append(colour(models.index(g.key)) if g.key in models else "#9aa0a6")
    return page.table_html(head, rows, colours)


def _ms(v: float | None) -> str:
    return "–" if v is None or math.isnan(v) else f"{v:,.0f} ms"
