"""``llmgw usage``: requests, errors, tokens, cost and latency from the shim's audit log."""

from __future__ import annotations

import time
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
        report_file: Path | None = typer.Option(
            None, "--report", metavar="FILE.html", help="Also write the report as charts."
        ),
    ) -> None:
        """Summarise the shim's audit log (rotated files included), with a per-day chart."""
        from llmgw_cli.usage import usage_report

        if report_file is not None:
            _write_report(report_file, since, log)
        report = usage_report(since, by, log).to_dict()
        if json_out:
            from llmgw_cli.cli.console import print_json

            print_json(report)
        else:
            from llmgw_cli.cli import render_usage

            render_usage.usage_report(report)


def _write_report(path: Path, since: str, log: Path | None) -> None:
    from llmgw_cli import auditlog, paths
    from llmgw_cli.cli import console
    from llmgw_cli.errors import UsageError
    from llmgw_cli.reports import usage_report
    from llmgw_cli.usage import parse_since

    if path.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--report writes FILE.html, not {path.name!r}")
    start = parse_since(since)
    records = list(auditlog.read(log or auditlog.default_path(), start))
    paths.write_atomic(path, usage_report.html(records, start, time.time()), mode=0o600)
    console.info(f"wrote {path}")
