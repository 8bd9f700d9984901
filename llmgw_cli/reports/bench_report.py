"""``llmgw bench --report FILE.html|FILE.svg``: the result as charts.

The HTML page and the SVG picture hold the same things: a header (date, llmgw version,
targets and their endpoints without credentials, the load, SLO and goodput, the machine),
one colour per run with a legend, latency CDFs of TTFT and e2e (HTML: a log-scale switch),
p50/p90/p99 per run side by side, every request over time (warm-up, stalls and failures
visible), throughput and failures over time, the inter-token gaps, and the summary table.
Both are one self-contained file: nothing is fetched when they open.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmgw_cli import __version__
from llmgw_cli.errors import UsageError
from llmgw_cli.reports import bench_charts as bc
from llmgw_cli.reports import page
from llmgw_cli.reports.svg import FONT, colour, legend, run_entries

if TYPE_CHECKING:
    from llmgw_cli.bench.runner import Result

SUMMARY_HEAD = (
    "run", "model", "requests", "failed", "req/s", "tok/s", "TTFT p50", "TTFT p99",
    "E2E p50", "E2E p99", "ITL p50", "goodput",
)  # fmt: skip


def _ms(stats: dict[str, float] | None, key: str) -> str:
    return "–" if stats is None else f"{stats[key]:,.1f} ms"


def summary_rows(result: Result) -> list[list[str]]:
    rows = []
    for r in result.runs:
        failed = ", ".join(f"{k}×{v}" for k, v in r["errors"].items()) or "0"
        g = r["goodput"]
        good = "–" if g is None else f"{100 * g['fraction']:.1f}% {'✓' if g['passed'] else '✗'}"
        rows.append([
            r["label"], r["model"], str(r["requests"]), failed,
            f"{r['request_throughput']:,.1f}", f"{r['output_tokens_per_s']:,.0f}",
            _ms(r["ttft_ms"], "p50"), _ms(r["ttft_ms"], "p99"), _ms(r["e2e_ms"], "p50"),
            _ms(r["e2e_ms"], "p99"), _ms(r["itl_ms"], "p50"), good,
        ])  # fmt: skip
    return rows


def load_text(result: Result) -> str:
    o = result.options
    amount = f"n={o.requests} per run" if o.requests is not None else f"{o.duration_s:g} s"
    shape = f"open loop, rate {o.rate:g}/s per run" if o.rate is not None else (
        f"closed loop, c={o.concurrency}")  # fmt: skip
    extra = f", warm-up {o.warmup}" if o.warmup else ""
    stream = "streamed" if o.stream else "not streamed"
    return f"{shape}, {amount}{extra}; max_tokens {o.max_tokens}, {stream}"


def slo_text(result: Result) -> str:
    slo = result.slo
    if slo is None:
        return "none set (--slo ttft=MS,e2e=MS)"
    bounds = [f"{k} ≤ {v:g} ms" for k, v in (("TTFT", slo.ttft_ms), ("E2E", slo.e2e_ms)) if v]
    goods = []
    for r in result.runs:
        g: dict[str, Any] | None = r["goodput"]
        if g is not None:
            mark = "met" if g["passed"] else "missed"
            goods.append(f"{r['label']} {100 * g['fraction']:.1f}% ({mark})")
    return f"{', '.join(bounds)} for {slo.percent:g}% of requests; goodput: {'; '.join(goods)}"


def facts(result: Result) -> list[tuple[str, str]]:
    targets = "; ".join(
        f"{r['label']}: {r['model']} at {page.public_url(r['url'])} ({r['format']})"
        for r in result.runs
    )
    return [
        ("date", page.stamp(result.finished_at)),
        ("llmgw", __version__),
        ("targets", targets),
        ("load", load_text(result)),
        ("SLO", slo_text(result)),
        ("machine", page.machine()),
    ]


def _cdfs(result: Result, attr: str) -> str:
    """The linear and the log form of one CDF; the page's switch shows one of them."""
    return "".join(
        bc.latency_cdf(result, attr, lg).render(css_class="log" if lg else "lin")
        for lg in (False, True)
    )


def _cards(items: list[str]) -> str:
    return '<div class="grid">' + "".join(f'<div class="card">{c}</div>' for c in items) + "</div>"


def _has(result: Result, key: str) -> bool:
    return any(r[key] is not None for r in result.runs)


def subtitle(result: Result) -> str:
    n = sum(r["requests"] for r in result.runs)
    runs = len(result.runs)
    return f"{runs} run{'s' if runs != 1 else ''} · {n:,} requests · {load_text(result)}"


def html(result: Result) -> str:
    runs = run_entries(bc.labels(result))
    header = f'<h1>llmgw bench</h1><p class="sub">{escape(subtitle(result))}</p>' + page.facts_html(
        [(k, escape(v)) for k, v in facts(result)]
    )
    latency = [k for k in ("ttft_ms", "e2e_ms") if _has(result, k)]
    pct = [
        bc.percentiles(result, key, f"{name} percentiles").render()
        for key, name in (("ttft_ms", "TTFT"), ("e2e_ms", "E2E"))
        if _has(result, key)
    ]
    itl = bc.itl_distribution(result)
    tail = [c.render() for c in (itl,) if c is not None]
    if _has(result, "tpot_ms"):
        tail.append(bc.latency_cdf(result, "tpot_ms", False).render())
    body = [
        '<div class="bar">',
        page.legend_html(runs),
        '<label class="toggle" for="log">linear / log scale for the CDFs</label></div>',
        _cards([_cdfs(result, k) for k in latency]),
        _cards(pct),
        f'<div class="card wide">{bc.latency_over_time(result).render()}</div>',
        f'<div class="card wide">{bc.throughput_over_time(result).render()}</div>',
        _cards(tail) if tail else "",
        "<h2>summary</h2>",
        page.table_html(SUMMARY_HEAD, summary_rows(result), [e.colour for e in runs]),
        '<p class="note">Latencies count from each request\'s intended start; '
        "percentiles interpolate between ranks. The same figures: <code>--json</code>.</p>",
    ]
    return page.document(
        "llmgw bench report", header, "".join(body), log_checked=bc.wants_log(result)
    )


def _row(charts: list[str], y: float) -> str:
    placed = "".join(
        f'<g transform="translate({20 + 620 * i} 0)">{c}</g>' for i, c in enumerate(charts)
    )
    return f'<g transform="translate(0 {y})">{placed}</g>'


def svg(result: Result) -> str:
    """One picture: header, legend, the charts in a grid, the summary table."""
    w = 1260
    labels = bc.labels(result)
    log = bc.wants_log(result)
    lines = facts(result)
    y = 30 + 17 * len(lines) + 16
    parts = [
        '<text x="20" y="30" font-size="20" font-weight="650">llmgw bench</text>',
        page.svg_text_block(lines, 20, 54),
        legend(run_entries(labels), 20, y),
    ]
    y += 26
    latency = [k for k in ("ttft_ms", "e2e_ms") if _has(result, k)]
    parts.append(_row([bc.latency_cdf(result, k, log).render() for k in latency], y))
    y += 310
    names = {"ttft_ms": "TTFT", "e2e_ms": "E2E"}
    pct = [bc.percentiles(result, k, f"{names[k]} percentiles").render() for k in latency]
    parts.append(_row(pct, y))
    y += 310
    for chart in (bc.latency_over_time(result), bc.throughput_over_time(result)):
        parts.append(f'<g transform="translate(20 {y})">{chart.render()}</g>')
        y += chart.height + 10
    itl = bc.itl_distribution(result)
    tail = [c.render() for c in (itl,) if c is not None]
    if _has(result, "tpot_ms"):
        tail.append(bc.latency_cdf(result, "tpot_ms", False).render())
    if tail:
        parts.append(_row(tail, y))
        y += 310
    widths = (130, 150, 70, 110, 60, 60, 85, 85, 85, 85, 80, 80)
    colours = [colour(i) for i in range(len(labels))]
    parts.append(page.svg_table(SUMMARY_HEAD, summary_rows(result), colours, 20, y + 14, widths))
    y += 20 * (len(labels) + 1) + 24
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{y}" '
        f'viewBox="0 0 {w} {y}" font-family=\'{FONT}\' font-size="12" fill="#202124">'
        f"<title>llmgw bench report</title>"
        f'<rect width="{w}" height="{y}" fill="#ffffff"/>{"".join(parts)}</svg>\n'
    )


def save(result: Result, path: Path) -> None:
    """Write the report as HTML or SVG, by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".html", ".htm"):
        raise UsageError(f"--report writes FILE.svg or FILE.html, not {path.name!r}")
    from llmgw_cli import paths

    text = svg(result) if suffix == ".svg" else html(result)
    paths.write_atomic(path, text, mode=0o644)  # figures and URLs only, no secrets
