"""``llmgw usage``: requests, errors, tokens, cost and latency from the shim's audit log."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("usage")
    def usage_cmd(
        since: str = typer.Option(
            "24h", "--since", help="Window: 30m, 24h, 7d, 2w, or a date (UTC)."
        ),
        by: str = typer.Option(
            "model",
            "--by",
            help="Group by model, user, profile, day or session (cache hits, busting).",
        ),
        log: Path | None = typer.Option(
            None, "--log", help="Audit log to read [default: audit.jsonl in the state dir]."
        ),
        json_out: bool = typer.Option(False, "--json", help="Write the report as JSON."),
    ) -> None:
        """Summarise the shim's audit log (rotated files included), with a per-day chart."""
        from llmgw_cli.usage import usage_report

        report = usage_report(since, by, log).to_dict()
        if json_out:
            from llmgw_cli.cli.console import print_json

            print_json(report)
        else:
            from llmgw_cli.cli import render_usage

            render_usage.usage_report(report)
