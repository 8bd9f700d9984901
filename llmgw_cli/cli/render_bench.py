"""Rendering a bench result with rich (a render module: the core never imports this).

The latency table has one row per metric and run (runs side by side under each metric,
with the ratio of each run's p50 to the first run's); the runs table puts counts,
throughput and resources in one column per run; histograms of TTFT and e2e share their bins
across runs so the bars compare. Each run has its colour, the same as in the charts of
``bench --report`` (``llmgw_cli.reports``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from llmgw_cli.bench import stats
from llmgw_cli.bench.runner import Result
from llmgw_cli.reports.svg import colour

COLUMNS = ("mean", "p50", "p90", "p99", "max")
LATENCY_ROWS = (
    ("TTFB", "ttfb_ms"), ("TTFT", "ttft_ms"), ("ITL", "itl_ms"), ("TPOT", "tpot_ms"),
    ("E2E", "e2e_ms"), ("queue", "queue_ms"),
)  # fmt: skip
PHASE_ROWS = (("DNS", "dns"), ("TCP", "tcp"), ("TLS", "tls"))
BAR_WIDTH = 24
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def _ms(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:.0f}" if v >= 1000 else f"{v:.1f}" if v >= 100 else f"{v:.2f}"


def _ratio(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}×"


def _latency_rows(runs: list[dict[str, Any]]) -> Iterator[tuple[str, str, dict[str, float] | None]]:
    for name, key in LATENCY_ROWS:
        per_run = [r[key] for r in runs]
        if key == "queue_ms" and all(s is None or s["max"] < 1.0 for s in per_run):
            continue  # nothing waited: the row would be noise
        if all(s is None for s in per_run):
            continue
        for r, s in zip(runs, per_run, strict=True):
            yield name, r["label"], s
    for name, key in PHASE_ROWS:
        per_run = [r["phases_ms"][key] for r in runs]
        if all(s is None or s["max"] == 0.0 for s in per_run):
            continue  # no new connections, or DNS for IP addresses: nothing was resolved
        for r, s in zip(runs, per_run, strict=True):
            yield name, r["label"], s


def _run(label: str, runs: list[dict[str, Any]]) -> Text:
    i = next((i for i, r in enumerate(runs) if r["label"] == label), 0)
    return Text(label, style=colour(i))


def latency_table(result: Result) -> Table:
    runs = result.runs
    many = len(runs) > 1
    table = Table(title="latency (ms)", title_justify="left", header_style="bold")
    table.add_column("metric")
    if many:
        table.add_column("run")
    for col in COLUMNS:
        table.add_column(col, justify="right")
    if many:
        table.add_column(Text(f"p50 vs {runs[0]['label']}"), justify="right")
    base: dict[str, float | None] = {}
    last = ""
    for name, label, s in _latency_rows(runs):
        cells = [_ms(None if s is None else s[c]) for c in COLUMNS]
        first = name != last
        if first:
            base[name] = None if s is None else s["p50"]
        row = [name if first else ""] + ([_run(label, runs)] if many else []) + cells
        if many:
            row.append(_ratio(stats.ratio(None if s is None else s["p50"], base[name])))
        table.add_row(*row, end_section=False)
        last = name
    return table


def _resource(r: dict[str, Any] | None) -> str:
    if r is None:
        return "–"
    if r.get("same_process"):
        return "in bench's process"
    cpu = r.get("cpu_percent")
    return (
        f"{cpu:.0f}% CPU, {r['peak_rss_mb']:.0f} MB"
        if cpu is not None
        else f"{r['peak_rss_mb']:.0f} MB"
    )


def runs_table(result: Result) -> Table:
    runs = result.runs
    table = Table(title="runs", title_justify="left", header_style="bold")
    table.add_column("")
    for i, r in enumerate(runs):
        table.add_column(Text(r["label"], style=f"bold {colour(i)}"), justify="right")
    first = runs[0]

    def throughput(key: str, unit: str) -> list[str]:
        out = []
        for i, r in enumerate(runs):
            cell = f"{r[key]:,.1f} {unit}"
            if i:
                cell += f" ({_ratio(stats.ratio(r[key], first[key]))})"
            out.append(cell)
        return out

    table.add_row("model", *(Text(str(r["model"])) for r in runs))  # outside text: no markup
    table.add_row("requests (ok)", *(f"{r['requests']} ({r['ok']})" for r in runs))
    table.add_row(
        "errors", *(", ".join(f"{k}×{v}" for k, v in r["errors"].items()) or "none" for r in runs)
    )
    table.add_row("duration", *(f"{r['duration_s']:.2f} s" for r in runs))
    table.add_row("throughput", *throughput("request_throughput", "req/s"))
    table.add_row("output", *throughput("output_tokens_per_s", "tok/s"))
    table.add_row("tokens from", *(r["tokens_source"] for r in runs))
    warm = result.options.warmup > 0
    table.add_row("connections", *(_connections(r["connections"], warm) for r in runs))
    if any(r["goodput"] for r in runs):
        table.add_row("goodput", *(_goodput(r["goodput"]) for r in runs))
    table.add_row("bench", *(_resource((r["resources"] or {}).get("bench")) for r in runs))
    table.add_row(
        "target process", *(_resource((r["resources"] or {}).get("target")) for r in runs)
    )
    return table


def _connections(c: dict[str, int], warm: bool) -> str:
    text = f"{c['new']} new, {c['reused']} reused"
    return text + " (opened in warm-up)" if warm and not c["new"] else text


def _goodput(g: dict[str, Any] | None) -> Text:
    if g is None:
        return Text("–")
    text = f"{100 * g['fraction']:.1f}% ({g['requests_per_s']:.1f}/s)"
    return Text(text + (" ✓" if g["passed"] else " ✗"), style="green" if g["passed"] else "red")


def _bar(count: int, peak: int) -> str:
    if peak <= 0 or count <= 0:
        return ""
    eighths = max(1, round(count / peak * BAR_WIDTH * 8))
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def edge_labels(edges: Sequence[float]) -> list[str]:
    """Bin bounds with the fewest decimals that keep every bound distinct (no duplicate
    labels when the bins are narrower than the usual precision)."""
    for decimals in range(_usual_decimals(edges), 7):
        labels = [f"{e:.{decimals}f}" for e in edges]
        if len(set(labels)) == len(labels):
            return labels
    return [f"{e!r}" for e in edges]


def _usual_decimals(edges: Sequence[float]) -> int:
    top = max(edges, default=0.0)
    return 0 if top >= 1000 else 1 if top >= 100 else 2


def histogram_table(result: Result, key: str, title: str) -> Table | None:
    attr = {"ttft_ms": "ttft_ms", "e2e_ms": "e2e_ms"}[key]
    series = [
        [getattr(s, attr) for s in samples if s.ok and getattr(s, attr) is not None]
        for samples in result.samples
    ]
    edges = stats.bin_edges((v for values in series for v in values), bins=10)
    if not edges:
        return None
    table = Table(title=title, title_justify="left", box=None, header_style="bold", pad_edge=False)
    table.add_column("ms", justify="right")
    hists = [stats.histogram(values, edges) for values in series]
    for i, run in enumerate(result.runs):
        table.add_column(
            Text(run["label"], style=f"bold {colour(i)}"), no_wrap=True, min_width=BAR_WIDTH + 6
        )
    bounds = edge_labels(edges)
    for i in range(len(edges) - 1):
        over = i == len(edges) - 2 and any(h.overflow for h in hists)
        label = f"{bounds[i]}–{bounds[i + 1]}" + ("+" if over else "")
        cells: list[Text | str] = []
        for j, h in enumerate(hists):
            peak = max(h.counts, default=0)
            count = h.counts[i]
            bar = Text(_bar(count, peak), style=colour(j))
            cells.append(bar.append(f" {count}", style="default") if count else "")
        table.add_row(label, *cells)
    return table


def renderables(result: Result) -> list[RenderableType]:
    out: list[RenderableType] = [latency_table(result), runs_table(result)]
    errors = error_lines(result)
    if errors is not None:
        out.append(errors)
    for key, title in (("ttft_ms", "TTFT histogram"), ("e2e_ms", "E2E histogram")):
        hist = histogram_table(result, key, title)
        if hist is not None:
            out.append(hist)
    return out


def error_lines(result: Result) -> Text | None:
    lines = [
        f"{run['label']} {key}: {example}"
        for run in result.runs
        for key, example in run.get("error_examples", {}).items()
    ]
    return Text("first error of each kind:\n  " + "\n  ".join(lines)) if lines else None


def render(result: Result, console: Console) -> None:
    for item in renderables(result):
        console.print(item)
        console.print()
