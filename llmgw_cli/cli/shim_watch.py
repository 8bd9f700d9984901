"""`llmgw shim status --watch`: a live table of the chain's members, from the shim's status route.

Each refresh asks ``GET /_llmgw/status`` (authenticated with the local token) and redraws:
breaker state, p50 and EWMA time to first token, recent error rate, requests, tokens.
"""

from __future__ import annotations

import time
from typing import Any

from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from llmgw_cli.cli import console

_STATE_STYLE = {"closed": "green", "half_open": "yellow", "open": "red"}


def _ms(value: Any) -> str:
    return "–" if value is None else f"{value:.1f}"


def _tokens(n: int) -> str:
    return f"{n / 1e6:.2f}M" if n >= 1e6 else f"{n / 1e3:.1f}k" if n >= 1e4 else str(n)


def render(data: dict[str, Any]) -> Group:
    uptime = int(data.get("uptime_s", 0))
    head = Text.assemble(
        (f"{data.get('url', '?')}", "bold"),
        f"  pid {data.get('pid', '?')}  up {uptime // 3600}:{uptime // 60 % 60:02d}:"
        f"{uptime % 60:02d}  order {data.get('order', 'static')}  "
        f"requests {data.get('requests', 0)}  errors {data.get('errors', 0)}  "
        f"in flight {data.get('in_flight', 0)}",
    )
    table = Table(expand=False, pad_edge=False)
    for title, justify in (
        ("member", "left"),
        ("state", "left"),
        ("p50 TTFT ms", "right"),
        ("EWMA ms", "right"),
        ("error rate", "right"),
        ("requests", "right"),
        ("tokens", "right"),
        ("in flight", "right"),
        ("last error", "left"),
    ):
        table.add_column(title, justify=justify, no_wrap=title != "last error")  # type: ignore[arg-type]
    for m in data.get("members", []):
        state = str(m.get("state", "closed"))
        label = state.replace("_", "-")
        wait = m.get("retry_in_s") or m.get("held_for_s") or 0
        if wait:
            label += f" ({wait:.0f}s)"
        error = m.get("last_error") or ""
        table.add_row(
            Text(str(m.get("name"))),
            Text(label, style=_STATE_STYLE.get(state, "")),
            _ms(m.get("p50_ttft_ms")),
            _ms(m.get("ewma_ttft_ms")),
            f"{100 * float(m.get('error_rate', 0.0)):.1f}%",
            str(m.get("requests", 0)),
            _tokens(int(m.get("tokens", 0))),
            str(m.get("in_flight", 0)),
            Text(error[:60] + ("…" if len(error) > 60 else ""), style="dim"),
        )
    return Group(head, table)


def watch(interval: float, count: int | None) -> None:
    """Redraw every ``interval`` seconds; stop after ``count`` refreshes, or on Ctrl-C."""
    from llmgw_cli.errors import LlmgwError
    from llmgw_cli.shim.serve import control

    state = control.running()
    shown = 0
    try:
        with Live(console=console.out, auto_refresh=False, transient=False) as live:
            while count is None or shown < count:
                try:
                    view: Any = render(control.status(state))
                except LlmgwError as exc:
                    view = Text(exc.message, style="red")
                live.update(view, refresh=True)
                shown += 1
                if count is not None and shown >= count:
                    break
                time.sleep(interval)
    except KeyboardInterrupt:
        return
