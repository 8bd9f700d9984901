"""The auth check's reasoning. The model list is the cheapest request that needs a key;
when it cannot tell (no such route, or an unexplained 400), the smallest real request
(max_tokens 1) decides. A refused key is retried with the other header style (Bearer vs
x-api-key) to say whether only the style is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmgw_cli.config.secrets import secret_fix
from llmgw_cli.doctor import httpprobe
from llmgw_cli.doctor.apicalls import request_model, tiny_request
from llmgw_cli.doctor.context import CLAUDE_CODE_DEFAULT_MODEL, Context
from llmgw_cli.doctor.httpprobe import HTML_FIX, Reply, api_base, clip, describe_html
from llmgw_cli.doctor.netprobe import ProbeError
from llmgw_cli.doctor.result import Outcome, fail, ok, warn

MEANING = {
    401: "401 Unauthorized: the key was not accepted (Claude Code shows this as "
    '"Not logged in" / invalid API key)',
    403: "403 Forbidden: the key is known but not allowed here (team, model or network policy)",
}


def main_format(ctx: Context) -> str:
    formats = ctx.profile.formats
    if "anthropic" in formats:
        return "anthropic"
    return "responses" if "responses" in formats and "openai" not in formats else "openai"


def models_url(ctx: Context) -> str:
    return api_base(ctx.profile, main_format(ctx)) + "/models"


def classify(reply: Reply) -> str:
    """accepted | refused | rejected | limited | error | html | unknown."""
    if reply.is_html:
        return "html"
    if 200 <= reply.status < 300:
        return "accepted"
    if reply.status in (401, 403):
        return "refused"
    if reply.status == 429:
        return "limited"
    if reply.status >= 500:
        return "error"
    if reply.status in (400, 404, 422) and "model" in reply.error_message().lower():
        return "accepted"  # past authentication, stopped at model routing
    return "unknown" if reply.status in (404, 405) else "rejected"


def _listing(ctx: Context, style: str) -> Reply:
    return ctx.request("GET", models_url(ctx), fmt=main_format(ctx), style=style)


def _tiny(ctx: Context, style: str) -> Reply:
    fmt = main_format(ctx)
    return tiny_request(ctx, fmt, request_model(ctx, fmt) or CLAUDE_CODE_DEFAULT_MODEL, style)


def diagnose(ctx: Context) -> Outcome:
    style = ctx.profile.auth.type
    try:
        probe, reply = _listing, ctx.probe or _listing(ctx, style)
        kind = classify(reply)
        if kind in ("unknown", "rejected"):
            probe, reply = _tiny, _tiny(ctx, style)
            kind = classify(reply)
    except ProbeError as exc:
        return fail(f"auth probe failed: {exc.message}", "see the http check")
    where = "GET /v1/models" if probe is _listing else "a 1-token request"
    detail: dict[str, Any] = {
        "style": httpprobe.style_name(style),
        "status": reply.status,
        "probe": where,
        "message": None if kind == "accepted" else reply.error_message(),
    }
    if kind == "accepted":
        text = "no key needed" if style == "none" else f"{httpprobe.style_name(style)} accepted"
        return ok(f"{text} ({where} → {reply.status})", detail)
    if kind == "html":
        return fail(describe_html(reply), HTML_FIX, detail)
    if kind == "limited":
        after = reply.headers.get("retry-after")
        detail["retry_after"] = after
        wait = f" {after} s" if after else ""
        return warn(
            f"429 rate limited: the key is valid but over its limit"
            f"{f'; Retry-After {after} s' if after else ''}",
            f"wait{wait}, or ask the gateway's operators for a higher limit",
            detail,
        )
    if kind == "error":
        return fail(
            f"{where} → {reply.status}: {reply.error_message()}",
            "the gateway is failing: quote the request id to its operators",
            detail,
        )
    if kind == "unknown":
        return warn(
            f"cannot tell: {where} → {reply.status}", "see the messages/chat checks", detail
        )
    return _refused(ctx, probe, reply, detail)


def _refused(
    ctx: Context, probe: Callable[[Context, str], Reply], reply: Reply, detail: dict[str, Any]
) -> Outcome:
    name, style = ctx.profile.name, ctx.profile.auth.type
    meaning = MEANING.get(
        reply.status,
        f"{reply.status}: the gateway refused the request ({clip(reply.error_message())})",
    )
    if style == "none" or not ctx.secret:
        return fail(
            meaning,
            "the gateway wants a key: "
            f"`llmgw profile set {name} auth.type=bearer auth.secret=keyring`, "
            f"then `llmgw secret set {name}`",
            detail,
        )
    other = httpprobe.other_style(style)
    try:
        retry = probe(ctx, other)
        works = classify(retry) == "accepted"
        detail["other_style"] = {"style": httpprobe.style_name(other), "status": retry.status}
    except ProbeError as exc:
        works, detail["other_style"] = False, {"error": exc.message}
    if works:
        return fail(
            f"{meaning}; with {httpprobe.style_name(other)} the same key works",
            f"`llmgw profile set {name} auth.type={other}`",
            detail,
        )
    return fail(
        f"{meaning}; {httpprobe.style_name(other)} does not work either",
        f"check the key is current and meant for this gateway ({secret_fix(ctx.profile)})",
        detail,
    )
