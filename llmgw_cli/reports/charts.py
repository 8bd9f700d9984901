"""Chart shapes the reports share, built on ``svg.Chart``: CDFs, grouped and stacked bars,
lines over time. Each takes plain series ``(label, colour, values)``; a run's colour is
``svg.colour(run index)`` everywhere, so a run looks the same in every chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from llmgw_cli.reports import scale
from llmgw_cli.reports.svg import Axis, Chart, Entry

Series = tuple[str, str, Sequence[float]]  # label, colour, values


def cdf(
    title: str, series: Sequence[Series], x_title: str, *, log: bool = False, width: int = 600
) -> Chart:
    """Share of requests (y, 0–100 %) at or below each latency (x)."""
    values = [v for _, _, vs in series for v in vs]
    xs = scale.fit(values, log=log, zero=False) if log else scale.fit(values)
    chart = Chart(
        title, Axis(x_title, xs), Axis("share of requests (%)", scale.Scale(0, 1), "%"), width=width
    )
    chart.legend = [Entry(name, col) for name, col, _ in series]
    for name, col, vs in series:
        data = sorted(vs)
        if not data:
            continue
        n = len(data)
        ys = [(i + 1) / n for i in range(n)]
        chart.line([data[0], *data], [0.0, *ys], col, step=True, title=name)
    return chart


def grouped_bars(
    title: str, categories: Sequence[str], series: Sequence[Series], y_title: str,
    *, width: int = 600, values_on_top: bool = True, log: bool = False,
) -> Chart:  # fmt: skip
    """For each category a bar per series, side by side."""
    top = [v for _, _, vs in series for v in vs if v is not None]
    ys = scale.fit(top, log=log) if top else scale.Scale(0, 1)
    chart = Chart(
        title, Axis("", scale.Scale(0, len(categories)), categories=tuple(categories)),
        Axis(y_title, ys), width=width, bottom=30,
    )  # fmt: skip
    chart.legend = [Entry(name, col) for name, col, _ in series]
    k = max(1, len(series))
    slot = 0.8 / k
    floor = ys.lo
    for j, (name, col, vs) in enumerate(series):
        for i, v in enumerate(vs):
            if v is None or (log and v <= 0):
                continue
            x0 = i + 0.1 + j * slot
            chart.rect(x0, x0 + slot * 0.92, floor, v, col, f"{name} {categories[i]}: {v:,.1f}")
            if values_on_top and k <= 4:
                chart.raw(
                    f'<text class="bar-value" x="{chart.px(x0 + slot * 0.46):.1f}" '
                    f'y="{chart.py(v) - 3:.1f}" text-anchor="middle" font-size="9.5" '
                    f'fill="#3c4043">{scale.label(v)}</text>'
                )
    return chart


def stacked_bars(
    title: str, categories: Sequence[str], series: Sequence[Series], y_title: str,
    *, width: int = 600, fmt: str = "",
) -> Chart:  # fmt: skip
    """For each category one bar, the series stacked bottom to top in order."""
    totals = [sum(vs[i] for _, _, vs in series) for i in range(len(categories))]
    ys = scale.fit(totals) if any(totals) else scale.Scale(0, 1)
    many = len(categories) > 12
    chart = Chart(
        title,
        Axis("", scale.Scale(0, len(categories)), categories=thin(categories) if many else
             tuple(categories)),
        Axis(y_title, ys), width=width, bottom=30,
    )  # fmt: skip
    chart.legend = [Entry(name, col, "extra") for name, col, _ in series]
    base = [0.0] * len(categories)
    for name, col, vs in series:
        for i, v in enumerate(vs):
            if v > 0:
                tip = _tip(name, categories[i], v, fmt)
                chart.rect(i + 0.12, i + 0.88, base[i], base[i] + v, col, tip)
                base[i] += v
    return chart


def _tip(name: str, category: str, v: float, fmt: str) -> str:
    return f"{name} {category}: " + (f"${v:,.4f}" if fmt == "$" else f"{v:,.0f}")


def thin(categories: Sequence[str]) -> tuple[str, ...]:
    """Label every n-th of many categories (the rest blank) so labels do not overlap."""
    step = math.ceil(len(categories) / 10)
    return tuple(c if i % step == 0 else "" for i, c in enumerate(categories))


def over_time(
    title: str, series: Sequence[tuple[str, str, Sequence[float], Sequence[float], bool]],
    x_title: str, y_title: str, *, width: int = 600, fmt: str = "", zero: bool = True,
    legend: Sequence[Entry] = (), x_axis: Axis | None = None,
) -> Chart:  # fmt: skip
    """Lines ``(label, colour, xs, ys, dashed)`` against time (or ``x_axis``)."""
    xs = scale.fit([v for _, _, x, _, _ in series for v in x], zero=False, pad=0)
    top = [v for _, _, _, y, _ in series for v in y]
    ys = scale.Scale(0, 1) if fmt == "%" else scale.fit(top, zero=zero)
    chart = Chart(title, x_axis or Axis(x_title, xs), Axis(y_title, ys, fmt), width=width)
    chart.legend = list(legend)
    for name, col, x, y, dashed in series:
        chart.line(x, y, col, dash=dashed, title=name)
    return chart
