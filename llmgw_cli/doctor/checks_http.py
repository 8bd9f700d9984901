"""Layer 3: HTTP — reachability, authentication, the model list and the clock."""

from __future__ import annotations

import difflib
import email.utils
from typing import Any

from llmgw_cli.doctor import authcheck
from llmgw_cli.doctor.apicalls import tiny_request
from llmgw_cli.doctor.authcheck import main_format, models_url
from llmgw_cli.doctor.context import CLAUDE_CODE_DEFAULT_MODEL, Context
from llmgw_cli.doctor.httpprobe import HTML_FIX, describe_html
from llmgw_cli.doctor.netprobe import ProbeError
from llmgw_cli.doctor.registry import check
from llmgw_cli.doctor.result import Outcome, fail, ok, skip, warn

API = ("anthropic", "openai", "responses")


@check(
    "http",
    layer="http",
    title="HTTP reachability, status, version, server",
    formats=API,
    depends=("tls",),
)
def http(ctx: Context) -> Outcome:
    url = models_url(ctx)
    try:
        reply = ctx.request("GET", url, fmt=main_format(ctx))
    except ProbeError as exc:
        return fail(f"GET {url}: {exc.message}", "see the proxy, tcp and tls checks above")
    ctx.probe = reply
    detail: dict[str, Any] = {
        "url": url,
        "status": reply.status,
        "http_version": reply.http_version,
        "server": reply.headers.get("server"),
        "content_type": reply.content_type,
        "request_ids": reply.request_ids(),
        "elapsed_ms": round(reply.elapsed_ms, 1),
    }
    head = f"GET /v1/models → {reply.status} {reply.http_version}"
    server = f", server {detail['server']}" if detail["server"] else ""
    if reply.is_html:
        return fail(f"{head}: {describe_html(reply)}", HTML_FIX, detail)
    if 300 <= reply.status < 400:
        where = reply.headers.get("location", "?")
        return fail(
            f"{head}: redirected to {where} (often an SSO login)",
            "use the API endpoint itself; API clients do not follow logins",
            detail,
        )
    if reply.status >= 500:
        return fail(
            f"{head}: the gateway answered with an error: {reply.error_message()}",
            "the gateway or its upstream is failing: quote the request id to its operators",
            detail,
        )
    return ok(f"{head}{server} in {reply.elapsed_ms:.0f} ms", detail)


@check(
    "auth",
    layer="http",
    title="key accepted; 401/403/429 explained; other header style",
    formats=API,
    depends=("http", "secret"),
)
def auth(ctx: Context) -> Outcome:
    return authcheck.diagnose(ctx)


@check(
    "models",
    layer="http",
    title="/v1/models lists the configured and default models",
    formats=API,
    depends=("auth",),
)
def models(ctx: Context) -> Outcome:
    p = ctx.profile
    configured = {k: v for k, v in vars(p.models).items() if v}
    wanted = dict(configured)
    if "anthropic" in p.formats:
        # Claude Code asks for models.default when set (ANTHROPIC_MODEL), else its own default.
        wanted.setdefault("default", CLAUDE_CODE_DEFAULT_MODEL)
    reply = ctx.probe
    if reply is None or reply.status != 200 or not isinstance(reply.json(), dict):
        try:
            reply = ctx.request("GET", models_url(ctx), fmt=main_format(ctx))
        except ProbeError as exc:
            return fail(f"GET /v1/models: {exc.message}", None)
    data = reply.json()
    if (
        reply.status in (404, 405)
        or not isinstance(data, dict)
        or not isinstance(data.get("data"), list)
    ):
        return warn(
            f"no model list (GET /v1/models → {reply.status}); the names below are unchecked",
            "nothing to do if requests work: Claude Code does not need the list",
            {"wanted": wanted},
        )
    listed = [str(m.get("id")) for m in data["data"] if isinstance(m, dict) and m.get("id")]
    ctx.listed_models = listed
    missing = {role: name for role, name in wanted.items() if name not in listed}
    detail: dict[str, Any] = {"listed": listed[:50], "count": len(listed), "wanted": wanted}
    if not missing:
        return ok(
            f"{len(listed)} models listed; {', '.join(sorted(set(wanted.values())))} present",
            detail,
        )
    routed = _routed(ctx, sorted(set(missing.values()))[:3])
    parts, fixes = [], []
    for role, name in missing.items():
        close = difflib.get_close_matches(name, listed, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        label = f"models.{role}" if role in configured else "Claude Code's default model"
        if name in routed:
            parts.append(f"{label} {name} is not listed, but a 1-token request with it works")
            continue
        parts.append(f"{label} {name} is not listed{hint}")
        key = role
        fixes.append(f"models.{key}={close[0] if close else (listed[0] if listed else 'MODEL')}")
    detail["missing"] = missing
    detail["routed_anyway"] = sorted(routed)
    ctx.routed_models = sorted(routed)
    if not fixes:
        return warn(
            "; ".join(parts), "nothing to do; the list is incomplete, not the routing", detail
        )
    return fail(
        "; ".join(parts),
        f"`llmgw profile set {p.name} {' '.join(dict.fromkeys(fixes))}`",
        detail,
    )


def _routed(ctx: Context, names: list[str]) -> set[str]:
    """Names the gateway serves although its list leaves them out (wildcard routes)."""
    routed = set()
    for name in names:
        try:
            reply = tiny_request(ctx, main_format(ctx), name)
        except ProbeError:
            continue
        if 200 <= reply.status < 300:
            routed.add(name)
    return routed


@check(
    "clock",
    layer="http",
    title="clock skew from the server's Date header",
    formats=API,
    depends=("http",),
)
def clock(ctx: Context) -> Outcome:
    reply = ctx.probe
    if reply is None or "date" not in reply.headers:
        return skip("the server sent no Date header")
    try:
        server = email.utils.parsedate_to_datetime(reply.headers["date"]).timestamp()
    except (TypeError, ValueError):
        return skip(f"unreadable Date header {reply.headers['date']!r}")
    local = (reply.sent_at + reply.received_at) / 2
    skew = server - local
    detail = {"date": reply.headers["date"], "skew_s": round(skew, 1)}
    text = f"server clock {'ahead' if skew > 0 else 'behind'} by {abs(skew):.0f} s"
    if abs(skew) <= 30:  # Date has 1 s resolution; small differences mean nothing
        return ok(f"skew {round(skew):+d} s (within 30 s)", detail)
    fix = "enable time sync here (timedatectl set-ntp true) or tell the gateway's operators"
    if abs(skew) > 300:
        return fail(
            f"{text}: signed requests and certificate checks break beyond 5 minutes", fix, detail
        )
    return warn(text, fix, detail)
