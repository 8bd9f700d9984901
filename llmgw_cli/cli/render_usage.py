"""Rich rendering for `llmgw tokens` and `llmgw usage` (tables and a per-day bar chart)."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from llmgw_cli.cli.console import out

BAR_WIDTH = 40


def _usd(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1:
        return f"${value:,.2f}"
    return f"${value:.2f}" if value >= 0.01 or value == 0 else f"${value:.6f}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}ms"


def _count(n: int) -> str:
    """Compact, so the table fits 80 columns: 9,876 · 12.3k · 2.95M."""
    if n < 10_000:
        return f"{n:,}"
    if n < 1_000_000:
        return f"{n / 1000:.1f}k"
    return f"{n / 1_000_000:.2f}M"


def tokens_table(data: dict[str, Any]) -> None:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    if data["exact"]:
        label = ""
    elif data["tokenizer_exact"]:
        label = "  (estimate: the API adds a few tokens of message framing)"
    else:
        label = "  (estimate: no offline tokenizer for this model; the upstream's usage is exact)"
    table.add_row("model", Text(str(data["model"])))  # outside text: never markup
    table.add_row("tokens", f"{data['tokens']:,}{label}")
    table.add_row("encoding", data["encoding"])
    if data["kind"] == "request":
        table.add_row("counted as", "request body (messages, system, tools)")
    if data["max_output_tokens"]:
        table.add_row("max output", f"{data['max_output_tokens']:,} tokens")
    price = data["price_per_million"]
    if price is None:
        table.add_row("price", "unknown model: add it under `prices:` in the shim config")
    else:
        note = " (priced as its family)" if data["price_source"] == "family" else ""
        table.add_row("price / M", f"${price['input']:g} in, ${price['output']:g} out{note}")
        table.add_row("cost as input", _usd(data["cost_usd"]["input"]))
        if data["cost_usd"]["max_total"] is not None:
            table.add_row("cost at most", _usd(data["cost_usd"]["max_total"]))
    out.print(table)


def human_time(iso: str) -> str:
    """2026-12-03T02:11:00+00:00 → Thu 3 Dec 2026, 02:11 UTC (the JSON keeps ISO 8601)."""
    from datetime import datetime

    try:
        stamp = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{stamp:%a} {stamp.day} {stamp:%b %Y, %H:%M} UTC"


def human_day(key: str) -> str:
    """2026-12-03 → Thu 3 Dec 2026."""
    from datetime import date

    try:
        day = date.fromisoformat(key)
    except ValueError:
        return key
    return f"{day:%a} {day.day:>2} {day:%b %Y}"


def usage_report(report: dict[str, Any]) -> None:
    rows = report["rows"]
    since = human_time(report["since"])
    if not rows:
        out.print(f"No requests in the audit log since {escape(since)}.")
        return
    table = Table(
        title=escape(f"since {since}, by {report['by']}"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column(report["by"], no_wrap=True)
    for name in ("reqs", "errors", "tokens", "cached", "cost", "p50 e2e", "p50 ttft"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in [*rows, report["total"]]:
        tokens = row["tokens"]
        table.add_row(
            Text(str(row["key"])),  # a user id, model or profile from the audit log: text only
            f"{row['requests']:,}",
            f"{row['errors']:,}",
            _count(tokens["total"]),
            _count(tokens["cache_read"]),
            _usd(row["cost_usd"]),
            _ms(row["p50_latency_ms"]),
            _ms(row["p50_ttft_ms"]),
            style="bold" if row is report["total"] else None,
        )
    if not out.is_terminal:  # a pipe or file gets the whole table, not rich's 80-column default
        out.width = max(out.width, 132)
    out.print(table)
    if report["by"] == "session":
        session_notes(rows)
    day_chart(report["days"])


def session_notes(rows: list[dict[str, Any]]) -> None:
    """Each session's cache-hit share and saving, and the turns that busted its cache."""
    out.print("\nprompt cache by session")
    for row in rows:
        share = row["cache_hit_share"]
        hit = "-" if share is None else f"{share:.0%}"
        out.print(f"{row['key']}  hit {hit}  saved {_usd(row['cache_saved_usd'])}")
        for change in row["prefix_changes"]:
            out.print(f"  [yellow]cache busted[/yellow] {change}")


def day_chart(days: list[dict[str, Any]]) -> None:
    """One bar per UTC day: spend, or requests when nothing was priced."""
    if not days:
        return
    by_cost = any(d["cost_usd"] for d in days)
    values = [d["cost_usd"] if by_cost else d["requests"] for d in days]
    top = max(values) or 1
    out.print(f"\nper day ({'cost' if by_cost else 'requests'})")
    for day, value in zip(days, values, strict=True):
        bar = "█" * max(1 if value else 0, round(value / top * BAR_WIDTH))
        label = _usd(value) if by_cost else f"{int(value):,}"
        out.print(f"{human_day(day['key'])}  {bar:<{BAR_WIDTH}}  {label}", markup=False)
