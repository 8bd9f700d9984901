"""Claude Code's troubleshooting table as checks, part 2: the client's side and the
gateway's timing (docs/architecture.md, "doctor/") — both key variables
set, the apiKeyHelper, model discovery, ping cadence, ``retry-after``.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

from llmgw_cli.doctor.apicalls import body_for, request_model
from llmgw_cli.doctor.context import CLAUDE_CODE_DEFAULT_MODEL, Context
from llmgw_cli.doctor.httpprobe import api_base, auth_headers
from llmgw_cli.doctor.netprobe import ProbeError
from llmgw_cli.doctor.registry import check
from llmgw_cli.doctor.result import Outcome, fail, ok, skip, warn
from llmgw_cli.doctor.sseprobe import StreamReport

DISCOVERY_BUDGET_S = 3.0  # Claude Code's timeout for GET /v1/models?limit=1000
RETRY_AFTER_MAX_S = 60  # above this Claude Code stops retrying
MAX_SETTINGS_BYTES = 1 << 20
SHIM_FIX = "or put `llmgw shim` in front (it synthesizes pings and normalises retry-after)"


@check(
    "auth_conflict",
    layer="client",
    title="not both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN in the environment",
    formats=("anthropic",),
    depends=("auth",),
)
def auth_conflict(ctx: Context) -> Outcome:
    both = [v for v in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN") if ctx.environ.get(v)]
    if len(both) < 2:
        return ok(f"{both[0] if both else 'neither key variable'} set, not both")
    fix = (
        f'run eval "$(llmgw env --profile {ctx.profile.name})": it sets one and unsets the '
        "other (or unset one yourself); a profile cannot change the shell you run it from"
    )
    detail: dict[str, Any] = {"set": both}
    try:  # what Claude Code then sends: both headers (the profile's key in each here)
        extra = {**auth_headers("bearer", ctx.secret), **auth_headers("x-api-key", ctx.secret)}
        model = request_model(ctx, "anthropic") or CLAUDE_CODE_DEFAULT_MODEL
        reply = ctx.request(
            "POST",
            api_base(ctx.profile, "anthropic") + "/messages?beta=true",
            fmt="anthropic",
            body={**body_for(model, "anthropic"), "max_tokens": 1},
            extra=extra,
            timeout=ctx.options.model_timeout,
        )
        detail["status_with_both"] = reply.status
    except ProbeError:
        reply = None
    if reply is not None and reply.status in (400, 401, 403):
        return fail(
            f"both key variables are set: Claude Code sends x-api-key and Authorization, and "
            f"the gateway refuses that ({reply.status}: {reply.error_message()[:100]})",
            fix,
            detail,
        )
    return warn(
        "both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are set: Claude Code sends both "
        "headers, and which key the gateway reads is up to it",
        fix,
        detail,
    )


def helper_command(environ: Any, cwd: Path) -> tuple[str, Path] | None:
    """The apiKeyHelper Claude Code would run: project settings first, then the user's."""
    home = environ.get("CLAUDE_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".claude")
    for path in (
        cwd / ".claude" / "settings.local.json",
        cwd / ".claude" / "settings.json",
        Path(home) / "settings.json",
    ):
        try:
            if path.stat().st_size > MAX_SETTINGS_BYTES:
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("apiKeyHelper"), str):
            return data["apiKeyHelper"], path
    return None


@check(
    "api_key_helper",
    layer="client",
    title="Claude Code's apiKeyHelper prints one line and exits 0 in time",
    formats=("anthropic",),
    depends=("config",),
)
def api_key_helper(ctx: Context) -> Outcome:
    found = helper_command(ctx.environ, Path.cwd())
    if found is None:
        return skip("no apiKeyHelper in Claude Code's settings")
    command, where = found
    budget = ctx.options.helper_budget_s
    # Only the program is shown: a helper command may carry a key in its arguments.
    words = command.split()
    shown = (words[0] if words else "") + (" …" if len(words) > 1 else "")
    detail: dict[str, Any] = {"command": shown, "settings": str(where)}
    start = time.perf_counter()
    try:
        done = subprocess.run(
            ["/bin/sh", "-c", command],
            capture_output=True,
            timeout=budget,
            stdin=subprocess.DEVNULL,
            env={**os.environ},
        )
    except subprocess.TimeoutExpired:
        return fail(
            f"apiKeyHelper {shown!r} did not finish within {budget:.0f} s",
            "make the helper answer quickly (cache the key); Claude Code waits for it on every "
            "refresh",
            detail,
        )
    detail["ms"] = round((time.perf_counter() - start) * 1000, 1)
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    detail["exit"], detail["lines"] = done.returncode, len(lines)
    edit = f"fix the command in {where} (`llmgw claude-settings --profile {ctx.profile.name}`)"
    if done.returncode != 0:
        return fail(f"apiKeyHelper {shown!r} exited {done.returncode}", edit, detail)
    if len(lines) != 1 or not lines[0].strip():
        return fail(
            f"apiKeyHelper {shown!r} printed {len(lines)} lines: Claude Code needs exactly one "
            "(the key) and fails on anything else",
            edit,
            detail,
        )
    if ctx.secret is not None and lines[0].strip() != ctx.secret:
        return warn(f"apiKeyHelper {shown!r} prints a key, but not this profile's", edit, detail)
    return ok(f"{shown!r}: one line, exit 0, {detail['ms']:.0f} ms (budget {budget:.0f} s)", detail)


@check(
    "discovery",
    layer="client",
    title="model discovery: GET /v1/models?limit=1000 in 3 s without redirects",
    formats=("anthropic",),
    depends=("auth",),
)
def discovery(ctx: Context) -> Outcome:
    on = ctx.profile.claude_code.model_discovery
    url = api_base(ctx.profile, "anthropic") + "/models?limit=1000"
    problem, detail = _discover(ctx, url)
    if problem is None:
        return ok(
            f"{detail['claude_ids']} Claude model ids listed in {detail['ms']:.0f} ms"
            + ("" if on else " (claude_code.model_discovery is off: /model lists built-ins)"),
            detail,
        )
    if not on:
        return ok(
            f"{problem} — claude_code.model_discovery is off, so Claude Code never asks", detail
        )
    detail["profile_fix"] = {"model_discovery": False}
    return fail(
        f"{problem}: with claude_code.model_discovery on, /model in Claude Code stays empty",
        "ask the gateway to answer /v1/models?limit=1000 directly, or set "
        "claude_code.model_discovery: false (`llmgw doctor --fix` writes it)",
        detail,
    )


def _discover(ctx: Context, url: str) -> tuple[str | None, dict[str, Any]]:
    try:
        reply = ctx.request("GET", url, fmt="anthropic", timeout=DISCOVERY_BUDGET_S)
    except ProbeError as exc:
        return f"GET /v1/models?limit=1000: {exc.message}", {}
    detail: dict[str, Any] = {"status": reply.status, "ms": round(reply.elapsed_ms, 1)}
    if 300 <= reply.status < 400:
        where = reply.headers.get("location", "?")
        return f"GET /v1/models?limit=1000 → {reply.status} redirect to {where}", detail
    if reply.elapsed_ms > DISCOVERY_BUDGET_S * 1000:
        return (
            f"GET /v1/models?limit=1000 took {reply.elapsed_ms:.0f} ms (Claude Code waits 3 s)",
            detail,
        )
    data = reply.json()
    if reply.status != 200 or not isinstance(data, dict) or not isinstance(data.get("data"), list):
        return f"GET /v1/models?limit=1000 → {reply.status}, no model list", detail
    ids = [str(m.get("id")) for m in data["data"] if isinstance(m, dict)]
    kept = [i for i in ids if "claude" in i or "anthropic" in i]
    detail.update(listed=len(ids), claude_ids=len(kept))
    if not kept:
        return (
            "the list has no id containing 'claude' or 'anthropic' (Claude Code keeps only those)",
            detail,
        )
    return None, detail


@check(
    "pings",
    layer="client",
    title="ping events and no long silence on a stream",
    formats=("anthropic",),
    depends=("stream",),
)
def pings(ctx: Context) -> Outcome:
    report = ctx.shared.get("stream")
    if not isinstance(report, StreamReport) or not report.is_sse or not report.events:
        return skip("no event stream to look at")
    kinds = [ev.event for ev in report.events]
    gap, limit = _silence(report), ctx.options.ping_gap_s
    detail = {"pings": kinds.count("ping"), "longest_silence_ms": round(gap, 1), "limit_s": limit}
    fix = "ask the gateway to forward ping events and not to hold a stream back, " + SHIM_FIX
    if "ping" not in kinds:
        return warn(
            f"no ping events in {len(kinds)}: the gateway drops them; on a slow answer Claude "
            "Code's idle watchdog (5 min) then aborts a live stream",
            fix,
            detail,
        )
    if gap > limit * 1000:
        return warn(
            f"the stream went silent for {gap / 1000:.1f} s with no ping (limit {limit:g} s)",
            fix,
            detail,
        )
    return ok(f"{detail['pings']} ping(s); longest silence {gap:.0f} ms", detail)


def _silence(report: StreamReport) -> float:
    times = [0.0, *report.times]
    return max((b - a for a, b in itertools.pairwise(times)), default=0.0)


_SECONDS = re.compile(r"^\d+$")


@check(
    "retry_after",
    layer="client",
    title="retry-after in whole seconds (60 at most)",
    formats=("anthropic", "openai"),
    depends=("auth",),
)
def retry_after(ctx: Context) -> Outcome:
    seen = list(ctx.retry_afters)
    if not seen:
        return skip("no answer in this run carried retry-after")
    bad = [(c, s, v) for c, s, v in seen if not _SECONDS.match(v.strip())]
    detail = {"seen": [{"check": c, "status": s, "retry_after": v} for c, s, v in seen]}
    fix = "ask the gateway to send retry-after as whole seconds, " + SHIM_FIX
    if bad:
        check_id, status, value = bad[0]
        return fail(
            f"retry-after {value!r} ({check_id}, {status}) is not whole seconds: Claude Code "
            "ignores it and retries on its own schedule",
            fix,
            detail,
        )
    high = [v for _, _, v in seen if int(v) > RETRY_AFTER_MAX_S]
    if high:
        return warn(f"retry-after {high[0]} s: above 60 s Claude Code stops retrying", fix, detail)
    return ok(f"retry-after in whole seconds ({', '.join(v for _, _, v in seen[:3])})", detail)
