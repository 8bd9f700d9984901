"""Doctor's terminal output (rich): one table per profile, fixes under failures, a summary
line; and ``run_and_render`` for callers such as ``llmgw demo``.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmgw_cli.config.model import Profile
from llmgw_cli.doctor.context import Options
from llmgw_cli.doctor.registry import CheckSpec
from llmgw_cli.doctor.result import CheckResult, Exchange, ProfileReport

MARKS = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]", "skip": "[dim]-[/]"}


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 1 else f"{value:.1f} ms"


def report_table(report: ProfileReport, verbose: bool = False) -> Table:
    table = Table(box=None, pad_edge=False, show_header=False, padding=(0, 1))
    table.add_column("", width=1)
    table.add_column("check", style="bold", no_wrap=True)
    table.add_column("ms", justify="right", no_wrap=True)
    table.add_column("summary", overflow="fold")
    for check in report.checks:
        shown = _ms(check.duration_ms) if check.status != "skip" else ""
        summary = escape(check.summary)
        table.add_row(
            MARKS[check.status],
            check.id,
            shown,
            f"[dim]{summary}[/]" if check.status == "skip" else summary,
        )
        if check.fix and check.status in ("fail", "warn"):
            table.add_row("", "", "", f"[cyan]fix:[/] {escape(check.fix)}")
        if verbose:
            for exchange in check.exchanges:
                table.add_row("", "", "", _exchange_text(exchange))
    return table


def _exchange_text(ex: Exchange) -> str:
    lines = [f"[dim]→ {escape(ex.method)} {escape(ex.url)}[/]"]
    lines += [f"[dim]  {escape(k)}: {escape(v)}[/]" for k, v in ex.request_headers.items()]
    if ex.error:
        lines.append(f"[dim]← error: {escape(ex.error)}[/]")
    else:
        lines.append(f"[dim]← {ex.status} {escape(ex.http_version or '')} in {ex.elapsed_ms} ms[/]")
        lines += [f"[dim]  {escape(k)}: {escape(v)}[/]" for k, v in ex.response_headers.items()]
    return "\n".join(lines)


def counts_line(report: ProfileReport) -> str:
    c = report.counts()
    parts = [f"{c['ok']} ok"]
    if c["warn"]:
        parts.append(f"{c['warn']} warning{'s' if c['warn'] > 1 else ''}")
    if c["fail"]:
        parts.append(f"{c['fail']} failed")
    if c["skip"]:
        parts.append(f"{c['skip']} skipped")
    return ", ".join(parts) + f" in {report.duration_ms / 1000:.2f} s"


def render_report(console: Console, report: ProfileReport, verbose: bool = False) -> None:
    where = f" {escape(report.endpoint)}" if report.endpoint else ""
    console.print(
        f"[bold]doctor {escape(report.profile)}[/]{where} "
        f"[dim](selected by {escape(report.selected_by)})[/]"
    )
    console.print(report_table(report, verbose))
    colour = (
        "red"
        if report.counts()["fail"] or report.config_error
        else ("yellow" if report.counts()["warn"] else "green")
    )
    console.print(f"[{colour}]{escape(report.profile)}: {counts_line(report)}[/]")


def render_reports(console: Console, reports: list[ProfileReport], verbose: bool = False) -> None:
    for i, report in enumerate(reports):
        if i:
            console.print()
        render_report(console, report, verbose)
    if len(reports) > 1:
        bad = [r.profile for r in reports if not r.passed()]
        total = sum(r.duration_ms for r in reports) / 1000
        verdict = (
            f"[red]{len(bad)} failing: {escape(', '.join(bad))}[/]"
            if bad
            else "[green]all passed[/]"
        )
        console.print(f"\n{len(reports)} profiles, {verdict}, {total:.2f} s")


def render_checks(console: Console, specs: list[CheckSpec]) -> None:
    table = Table(box=None, pad_edge=False)
    for col in ("id", "layer", "formats", "needs", "what it checks"):
        table.add_column(col)
    for s in specs:
        table.add_row(
            s.id,
            s.layer,
            "+".join(s.formats) if s.formats else "all",
            ", ".join(s.depends) or "-",
            s.title,
        )
    console.print(table)


def failures(reports: list[ProfileReport]) -> list[CheckResult]:
    return [c for r in reports for c in r.checks if c.status == "fail"]


def run_and_render(
    profile: Profile,
    selected_by: str = "demo",
    *,
    verbose: bool = False,
    console: Console | None = None,
    options: Options | None = None,
) -> ProfileReport:
    """Run doctor against one profile and print its table (for `llmgw demo` and the like)."""
    from llmgw_cli.doctor.runner import run_profile

    if console is None:
        from llmgw_cli.cli import console as terminal

        console = terminal.out
    report = run_profile(profile, selected_by, options=options or Options(verbose=verbose))
    render_report(console, report, verbose)
    return report
