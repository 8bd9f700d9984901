"""Reports people would rather look at than a terminal table: charts as SVG, and HTML pages
holding them, each one self-contained (no request of any kind when it opens).

    scale.py         linear and log axis scales, ticks, tick labels
    svg.py           the chart toolkit: axes, lines, points, bars, bands, legend, colours
    charts.py        shared shapes: CDF, grouped and stacked bars, lines over time
    page.py          the HTML page (inline CSS), header facts, tables; their SVG forms
    bench_charts.py  the bench charts, from per-request samples
    bench_report.py  ``bench --report FILE.html|FILE.svg``
    usage_report.py  ``usage --report FILE.html``

Core code: no rich, no typer, nothing heavy imported (``docs/architecture.md``).
"""

from __future__ import annotations
