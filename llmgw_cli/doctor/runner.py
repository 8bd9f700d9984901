"""Run the registered checks for one profile, or for the selected / every profile.

A check whose dependency failed (or was skipped because of a failure) is skipped with
the reason; a dependency skipped because it does not apply (no TLS on http://, nothing
to resolve for an IP) does not block anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from llmgw_cli.config.model import Profile
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.config.selection import select
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.doctor.context import Context, Options
from llmgw_cli.doctor.registry import CheckSpec, all_checks, with_dependencies
from llmgw_cli.doctor.result import CheckResult, Outcome, ProfileReport, fail, skip
from llmgw_cli.errors import ConfigError, LlmgwError, ProfileNotFound, UsageError, debug


def run_profile(
    profile: Profile,
    selected_by: str = "caller",
    *,
    secrets: Secrets | None = None,
    options: Options | None = None,
    checks: Iterable[str] | None = None,
    until: float | None = None,
) -> ProfileReport:
    """Every applicable check (or ``checks`` and their dependencies) against one profile.

    Each check ends within ``options.check_timeout``; none starts after ``until`` (a
    ``time.monotonic()``; default: ``options.total_timeout`` from now)."""
    wanted = set(checks) if checks is not None else None
    only = with_dependencies(wanted) if wanted is not None else None
    ctx = Context(
        profile, selected_by, secrets if secrets is not None else Secrets(), options or Options()
    )
    report = ProfileReport(profile.name, profile.root, selected_by)
    if until is None:
        until = time.monotonic() + ctx.options.total_timeout
    blocked: dict[str, str] = {}  # check id -> the failed check that blocks it
    start = time.perf_counter()
    try:
        for spec in all_checks():
            if only is not None and spec.id not in only:
                continue
            if not spec.applies(profile.formats):
                if wanted is not None and spec.id in wanted:
                    report.checks.append(
                        _result(
                            spec.id,
                            skip(f"does not apply to formats {'+'.join(profile.formats)}"),
                            0.0,
                        )
                    )
                continue
            cause = next((d for d in spec.depends if d in blocked), None)
            if cause is not None:
                blocked[spec.id] = blocked[cause]
                report.checks.append(
                    _result(spec.id, skip(f"skipped: {blocked[cause]} failed"), 0.0)
                )
                continue
            result = _run_one(spec, ctx, until)
            if result.status == "fail":
                blocked[spec.id] = spec.id
            report.checks.append(result)
    finally:
        ctx.close()
    report.duration_ms = (time.perf_counter() - start) * 1000.0
    return report


def _run_one(spec: CheckSpec, ctx: Context, until: float) -> CheckResult:
    ctx.exchanges = []
    ctx.check_id = spec.id
    start = time.perf_counter()
    left = until - time.monotonic()
    total = ctx.options.total_timeout
    if left <= 0:
        return _result(spec.id, skip(f"skipped: doctor's total limit of {total:g} s passed"), 0.0)
    seconds = min(ctx.options.check_timeout, left)
    with ctx.dog.limit(seconds) as scope:
        outcome = _outcome(spec, ctx)
    if scope.expired and outcome.status != "fail":
        which = "check's" if seconds == ctx.options.check_timeout else "run's total"
        outcome = fail(
            f"did not finish within the {which} limit of {seconds:g} s",
            "the gateway answers too slowly or never finishes; rerun with -v to see the requests",
        )
    duration = (time.perf_counter() - start) * 1000.0
    result = _result(spec.id, outcome, duration, ctx)
    result.exchanges = list(ctx.exchanges)
    return result


def _outcome(spec: CheckSpec, ctx: Context) -> Outcome:
    try:
        return spec.func(ctx)
    except LlmgwError as exc:
        return fail(exc.message, None)
    except Exception as exc:  # a bug in one check must not hide the others' results
        if debug():
            raise
        return fail(
            f"internal error in the {spec.id} check: {type(exc).__name__}: {exc}",
            "rerun with LLMGW_DEBUG=1 and report the traceback",
        )


def _result(
    check_id: str, outcome: Outcome, duration_ms: float, ctx: Context | None = None
) -> CheckResult:
    """The record of one check; whatever the gateway echoed, the secret is masked in it."""
    if ctx is not None:
        outcome = Outcome(
            outcome.status,
            ctx.scrub(outcome.summary),
            ctx.scrub(outcome.detail),
            ctx.scrub(outcome.fix),
        )
    return CheckResult(
        check_id, outcome.status, duration_ms, outcome.summary, outcome.detail, outcome.fix
    )


def load_error_report(name: str, selected_by: str, error: LlmgwError) -> ProfileReport:
    report = ProfileReport(name, "", selected_by, config_error=True)
    report.checks.append(
        CheckResult(
            "config",
            "fail",
            0.0,
            "the profile cannot be loaded",
            {"error": error.message},
            error.message,
        )
    )
    return report


def run_selected(
    store: ProfileStore,
    profile_flag: str | None = None,
    every: bool = False,
    *,
    secrets: Secrets | None = None,
    options: Options | None = None,
    checks: Iterable[str] | None = None,
    cwd: Path | None = None,
) -> list[ProfileReport]:
    """``--profile`` / the selected profile, or with ``every`` all of them."""
    checks = list(checks) if checks is not None else None
    if checks is not None:
        with_dependencies(checks)  # unknown ids are a usage error before anything runs
    if every and profile_flag:
        raise UsageError("use --profile NAME or --all, not both")
    if every:
        names = store.names()
        if not names:
            raise ConfigError(
                "no profiles yet: run `llmgw profile add NAME --endpoint URL` (or `llmgw demo`)"
            )
        targets = [(name, "--all") for name in names]
    else:
        selection = select(store, profile_flag, cwd)
        targets = [(selection.name, selection.detail)]
    reports = []
    opts = options or Options()
    until = time.monotonic() + opts.total_timeout  # one total for the whole run
    for name, source in targets:
        try:
            profile = store.load(name)
        except ProfileNotFound as exc:
            if source == "--profile":
                raise
            raise ConfigError(f"{exc.message} (selected by {source})") from exc
        except ConfigError as exc:
            reports.append(load_error_report(name, source, exc))
            continue
        reports.append(
            run_profile(profile, source, secrets=secrets, options=opts, checks=checks, until=until)
        )
    return reports
