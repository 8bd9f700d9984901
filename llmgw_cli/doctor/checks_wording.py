"""Claude Code's troubleshooting table as checks: the error wording Claude Code recovers
by (docs/architecture.md, "doctor/") — one oversized request shows whether
the context-limit error keeps the API's words (auto-compaction depends on them) and whether
error bodies come through in the API's shape at all.
"""

from __future__ import annotations

import re
from typing import Any

from llmgw_cli.doctor.checks_guide import ANTHROPIC, covered, other_refusal, probe, switch_fix
from llmgw_cli.doctor.context import Context
from llmgw_cli.doctor.httpprobe import Reply, clip, describe_html
from llmgw_cli.doctor.netprobe import ProbeError
from llmgw_cli.doctor.registry import check
from llmgw_cli.doctor.result import Outcome, fail, ok, skip
from llmgw_cli.wire.error_bodies import anthropic_error_type

# Claude Code 2.1.328 parses this wording to compact and retry (its own regular expression).
CONTEXT_WORDING = re.compile(r"prompt is too long[^0-9]*(\d+)\s*tokens?\s*>\s*(\d+)", re.I)
OVERSIZED_REPEAT = 340_000  # " ok" x 340k: ~340k tokens, above a 200k context window
AUTO_COMPACT_WINDOW = 180_000  # compact before the usual 200k window, whatever the wording


OVERSIZED = " ok" * OVERSIZED_REPEAT


_DEEP_ONLY = (
    "not run: the oversized probe (~1 MB, ~340k tokens) would be billed by a gateway whose "
    "model has a larger window; `llmgw doctor --deep` sends it"
)


def _oversized(ctx: Context) -> Reply:
    """One request above the context window (max_tokens 1), shared by two checks. Only under
    --deep: on a model with a 1M-token window it is accepted, and billed."""
    reply = ctx.shared.get("context_limit")
    if not isinstance(reply, Reply):
        reply = probe(ctx, {"messages": [{"role": "user", "content": OVERSIZED}], "max_tokens": 1})
        ctx.shared["context_limit"] = reply
    return reply


@check(
    "context_limit",
    layer="wording",
    title="an oversized request gets the context-limit wording Claude Code compacts on",
    formats=ANTHROPIC,
    depends=("messages",),
)
def context_limit(ctx: Context) -> Outcome:
    if not ctx.options.deep:
        return skip(_DEEP_ONLY)
    try:
        reply = _oversized(ctx)
    except ProbeError as exc:
        return fail(f"oversized request: {exc.message}", "see the http check")
    size = len(OVERSIZED) // 1024
    detail: dict[str, Any] = {"body_kb": size, "status": reply.status}
    if 200 <= reply.status < 300:
        return skip(f"a {size} KB request (~340k tokens) was accepted: no limit to check")
    message = reply.error_message()
    detail["message"] = message
    if CONTEXT_WORDING.search(message):
        return ok(f"{reply.status}: {clip(message, 100)!r} — Claude Code can auto-compact", detail)
    if reply.status == 413 or reply.is_html:
        what = describe_html(reply) if reply.is_html else "413"
        summary = (
            f"a {size} KB request → {what}: the gateway limits bodies below the context window"
        )
    elif reply.status in (400, 422):
        summary = (
            f"{reply.status}: the context-limit error is reworded ({clip(message, 100)!r}): Claude "
            "Code needs 'prompt is too long: N tokens > M maximum' to compact and retry"
        )
    else:
        return other_refusal(ctx, reply, "an oversized request")
    if ctx.profile.claude_code.auto_compact_window:
        return covered("auto_compact_window", summary, detail)
    return switch_fix(
        "auto_compact_window",
        AUTO_COMPACT_WINDOW,
        summary,
        "Claude Code then compacts before the limit; or ask the gateway to pass the API's "
        "error unchanged",
        detail,
    )


@check(
    "error_bodies",
    layer="wording",
    title="error bodies passed through in the Anthropic shape",
    formats=ANTHROPIC,
    depends=("messages",),
)
def error_bodies(ctx: Context) -> Outcome:
    if not ctx.options.deep:
        return skip(_DEEP_ONLY)
    try:
        reply = _oversized(ctx)
    except ProbeError as exc:
        return fail(f"error request: {exc.message}", "see the http check")
    if 200 <= reply.status < 300:
        return skip("no request doctor sends was refused: no error body to check")
    kind = anthropic_error_type(reply.json())
    shown = clip(reply.body.decode("utf-8", "replace"), 200)
    detail = {"status": reply.status, "body": shown}
    if kind is not None:
        return ok(f"{reply.status} {kind}: the API's error body came through", detail)
    return fail(
        f"{reply.status}: the error body is not the API's "
        f"({'an HTML page' if reply.is_html else repr(clip(shown, 80))}): Claude Code "
        "reads the wording to recover (compaction, retries without a feature)",
        "ask the gateway's operators to pass upstream error bodies through unchanged; "
        "no profile option helps",
        detail,
    )
