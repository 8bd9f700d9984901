"""`llmgw doctor`: layered diagnostics for a profile, each check timed and with a fix."""

from __future__ import annotations

import typer

from llmgw_cli.cli.completion import profile_option


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    profile: str = profile_option(),
    every: bool = typer.Option(False, "--all", help="Check every profile."),
    checks: list[str] = typer.Option(
        [],
        "--check",
        metavar="ID",
        help="Run only this check and the checks it needs (repeatable).",
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
) -> None:
    """Diagnose a gateway layer by layer: config, secret, proxy, DNS, TCP, TLS, HTTP, auth,
    models, requests, streaming, Claude Code compatibility. Exit 1 when a check fails."""
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
    reports = run_selected(
        ProfileStore(),
        profile,
        every,
        options=Options(verbose=verbose),
        checks=checks or None,
    )
    if json_out:
        console.print_json({"version": 1, "results": [r.to_json(strict, verbose) for r in reports]})
    else:
        render.render_reports(console.out, reports, verbose)
    code = exit_code(reports, strict)
    if code:
        raise typer.Exit(code)
