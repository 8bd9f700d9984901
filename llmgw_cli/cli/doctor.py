"""`llmgw doctor`: layered diagnostics for a profile, each check timed and with a fix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from llmgw_cli.cli.completion import profile_option

if TYPE_CHECKING:
    from llmgw_cli.doctor.result import ProfileReport


def check_ids(incomplete: str) -> list[str]:
    """Check ids for completing --check."""
    from llmgw_cli.doctor.registry import all_checks

    return [s.id for s in all_checks() if s.id.startswith(incomplete)]


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    profile: str = profile_option(),
    every: bool = typer.Option(False, "--all", help="Check every profile."),
    checks: list[str] = typer.Option(
        [],
        "--check",
        metavar="ID",
        help="Run only this check and the checks it needs (repeatable; see --list-checks).",
        autocompletion=check_ids,
    ),
    list_checks: bool = typer.Option(False, "--list-checks", help="List the checks and exit."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too (exit 1)."),
    verbose: bool = typer.Option(
        False,
        "--verbose",
        "-v",
        help="Show each HTTP request's and response's headers (secrets redacted).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Write the results as JSON on stdout."),
    deep: bool = typer.Option(
        False,
        "--deep",
        help="Also replay the installed Claude Code's own request (recorded once per version; "
        "$LLMGW_CLAUDE_BIN or claude on PATH), feature by feature.",
    ),
    fix: bool = typer.Option(
        False,
        "--fix",
        help="Write the claude_code: options the checks showed necessary into the profile "
        "(backup, diff), then re-run those checks.",
    ),
) -> None:
    """Diagnose a gateway layer by layer, each check timed and with a fix; exit 1 on a failure.

    Layers: config, secret, proxy, DNS, TCP, TLS, HTTP, auth, models, requests, streaming,
    Claude Code compatibility.

    Example: llmgw doctor --profile corp --check tls -v
    """
    from llmgw_cli.cli import console
    from llmgw_cli.cli import render_doctor as render
    from llmgw_cli.config.store import ProfileStore
    from llmgw_cli.doctor.context import Options
    from llmgw_cli.doctor.registry import all_checks
    from llmgw_cli.doctor.result import exit_code
    from llmgw_cli.doctor.runner import run_selected

    if list_checks:
        specs = all_checks()
        if json_out:
            console.print_json(
                {
                    "checks": [
                        {
                            "id": s.id,
                            "layer": s.layer,
                            "formats": list(s.formats) if s.formats else None,
                            "depends": list(s.depends),
                            "title": s.title,
                        }
                        for s in specs
                    ]
                }
            )
        else:
            render.render_checks(console.out, specs)
        return
    store = ProfileStore()
    options = Options(verbose=verbose, deep=deep)
    reports = run_selected(store, profile, every, options=options, checks=checks or None)
    if not json_out:
        render.render_reports(console.out, reports, verbose)
    if fix:  # the exit code is the re-run's for the fixed checks
        reports = [_fix(store, r, options, json_out) for r in reports]
    if json_out:
        console.print_json({"version": 1, "results": [r.to_json(strict, verbose) for r in reports]})
    elif every:
        console.out.print(summary_line(reports, strict))
    code = exit_code(reports, strict)
    if code:
        raise typer.Exit(code)


def _fix(store: Any, report: Any, options: Any, quiet: bool) -> Any:
    """Write what the report's checks ask for, show the diff, re-run those checks."""
    from llmgw_cli.cli import console
    from llmgw_cli.cli import render_doctor as render
    from llmgw_cli.doctor import fix
    from llmgw_cli.doctor.runner import run_profile

    switches, asked = fix.needed(report)
    if not switches:
        if not quiet:
            console.out.print(f"--fix: nothing to write for {report.profile}")
        return report
    written = fix.write(store, report.profile, switches, asked)
    rerun = run_profile(store.load(report.profile), "--fix", options=options, checks=asked)
    if not quiet:
        console.out.print(
            f"\n--fix wrote {', '.join(f'claude_code.{k}' for k in switches)} to "
            f"{written.path} (backup {written.backup.name}):",
            highlight=False,
        )
        console.out.print(written.diff, markup=False, highlight=False, end="")
        console.out.print(f"re-running {', '.join(asked)}:")
        render.render_report(console.out, rerun, options.verbose)
    return fix.merged(report, rerun)


def summary_line(reports: list[ProfileReport], strict: bool) -> str:
    """`doctor --all`'s last line: how many profiles passed, and which did not."""
    failing = [r.profile for r in reports if not r.passed(strict)]
    passed = len(reports) - len(failing)
    text = f"{len(reports)} profiles: {passed} passed, {len(failing)} failed"
    return text + (f" ({', '.join(failing)})" if failing else "")
