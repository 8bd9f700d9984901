"""The status line text: profile · p50 TTFT · today's spend, from the audit log's tail.

Fast by construction: no tiktoken, aiohttp or rich; only today's lines are read, from the
end of the log.
"""

from __future__ import annotations

import json
import select
from pathlib import Path
from typing import IO, Any

from llmgw_cli.usage import Today, today


def read_session(stream: IO[str], wait_s: float = 0.2) -> dict[str, Any]:
    """The JSON Claude Code passes on stdin, or {} (a terminal, nothing sent, not JSON)."""
    try:
        if stream.isatty():
            return {}
        ready, _, _ = select.select([stream], [], [], wait_s)
        if not ready:
            return {}
        data = json.loads(stream.read() or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def profile_name(session: dict[str, Any]) -> str | None:
    workspace = session.get("workspace")
    folder = workspace.get("current_dir") if isinstance(workspace, dict) else None
    folder = folder or session.get("cwd")
    try:
        from llmgw_cli.config.selection import select as choose
        from llmgw_cli.config.store import ProfileStore

        return choose(ProfileStore(), None, Path(folder) if isinstance(folder, str) else None).name
    except Exception:  # no profile selected, unreadable config: the line still prints
        return None


def format_line(profile: str | None, figures: Today) -> str:
    ttft = (
        f"TTFT p50 {figures.p50_ttft_ms:,.0f} ms" if figures.p50_ttft_ms is not None else "TTFT -"
    )
    cost = (
        f"${figures.cost_usd:,.2f}"
        if figures.cost_usd >= 0.01 or not figures.cost_usd
        else "<$0.01"
    )
    line = f"{profile or 'llmgw'} · {ttft} · today {cost} ({figures.requests} req)"
    if figures.cache_hit_share is not None:
        line += f" · cache {figures.cache_hit_share:.0%}"
    return line


def main() -> int:
    """`llmgw statusline`: read Claude Code's session JSON, print the line. Never fails."""
    import sys

    sys.stdout.write(line(read_session(sys.stdin)) + "\n")
    return 0


def line(session: dict[str, Any], path: Path | None = None) -> str:
    """The figures are those of the profile the line names: the selected one when there is
    one, else the one the latest request went to."""
    name = profile_name(session)
    try:
        figures = today(path, profile_name=name)
    except OSError:
        figures = Today(0, 0.0, None, None)
    return format_line(name or figures.last_profile, figures)
