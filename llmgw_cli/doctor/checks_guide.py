"""Claude Code's troubleshooting table as checks, part 1: what the gateway does to the
requests Claude Code sends (docs/architecture.md, "doctor/").

Each probe is one small request (max_tokens 8) that a healthy gateway accepts; the ones a
gateway may refuse run after the plain request checks, and only refusals that LiteLLM does
not count against a route (400s) are provoked, so a healthy gateway is not put in cooldown.
A failure that a ``claude_code:`` switch works around carries ``detail["profile_fix"]``,
which ``llmgw doctor --fix`` writes into the profile.
"""

from __future__ import annotations

import json
import re
from typing import Any

from llmgw_cli.doctor import verdicts
from llmgw_cli.doctor.apicalls import body_for, request_model
from llmgw_cli.doctor.context import CLAUDE_CODE_DEFAULT_MODEL, Context
from llmgw_cli.doctor.httpprobe import Reply, api_base, clip, describe_html
from llmgw_cli.doctor.netprobe import ProbeError
from llmgw_cli.doctor.registry import check
from llmgw_cli.doctor.result import Outcome, fail, ok

ANTHROPIC = ("anthropic",)
ADVISOR = {"type": "advisor_20260301", "name": "advisor"}
ADVISOR_BETA = "advisor-tool-2026-03-01"
STRUCTURED_BETA = "structured-outputs-2025-12-15"
REGEX_TOOL = {
    "name": "lookup_word",
    "description": "Look up a word.",
    "strict": True,
    "input_schema": {
        "type": "object",
        "properties": {"word": {"type": "string", "pattern": "^\\p{L}+$"}},
        "required": ["word"],
        "additionalProperties": False,
    },
}
WAF_BODY_BYTES = 90_000  # Claude Code's first turn is 40-90 KB, later turns far more
PADDING = "x"


def probe(ctx: Context, extra_body: dict[str, Any], betas: tuple[str, ...] = ()) -> Reply:
    model = request_model(ctx, "anthropic") or CLAUDE_CODE_DEFAULT_MODEL
    body = {**body_for(model, "anthropic"), **extra_body}
    return ctx.request(
        "POST",
        api_base(ctx.profile, "anthropic") + "/messages?beta=true",
        fmt="anthropic",
        body=body,
        extra={"anthropic-beta": ",".join(betas)} if betas else None,
        timeout=ctx.options.model_timeout,
    )


def switch_fix(key: str, value: Any, summary: str, fix: str, detail: dict[str, Any]) -> Outcome:
    """A failure that ``claude_code.<key>: value`` works around (``--fix`` writes it)."""
    shown = str(value).lower()
    detail["profile_fix"] = {key: value}
    return fail(
        summary, f"set claude_code.{key}: {shown} (`llmgw doctor --fix` writes it); {fix}", detail
    )


def covered(key: str, summary: str, detail: dict[str, Any]) -> Outcome:
    return ok(f"{summary} — this profile sets claude_code.{key}, so Claude Code copes", detail)


def other_refusal(ctx: Context, reply: Reply, what: str) -> Outcome:
    if reply.is_html:
        return fail(
            f"{what}: {describe_html(reply)}", "see the waf check", {"status": reply.status}
        )
    return verdicts.refusal(ctx, reply, what)


@check(
    "waf",
    layer="guide",
    title="a Claude-Code-sized body (~90 KB) is not stopped by a web-application firewall",
    formats=ANTHROPIC,
    depends=("messages",),
)
def waf(ctx: Context) -> Outcome:
    from llmgw_cli.doctor.shape import shipped

    extra = _claude_sized(shipped().body)
    size = len(json.dumps(extra))
    try:
        reply = probe(ctx, extra)
    except ProbeError as exc:
        return fail(f"large request: {exc.message}", "see the http check")
    detail = {"body_bytes": size, "status": reply.status}
    if reply.status == 403 and reply.is_html:
        return fail(
            f"a {size // 1024} KB /v1/messages body → 403 {describe_html(reply)}: a "
            "web-application firewall stops Claude-Code-sized requests (small ones pass)",
            "ask the gateway's operators to exempt /v1/messages from the firewall's body "
            "inspection (or raise its size limit); no profile option shrinks Claude Code's "
            "requests enough",
            detail,
        )
    if 200 <= reply.status < 300:
        return ok(
            f"a {size // 1024} KB request with Claude Code's system and tools accepted", detail
        )
    return other_refusal(ctx, reply, f"a {size // 1024} KB request")


def _claude_sized(sample: dict[str, Any]) -> dict[str, Any]:
    """Claude Code's system prompt and tool definitions (without the beta-paired fields,
    tested elsewhere), and a user turn quoting its prompt until the body is ~90 KB."""
    system = sample.get("system") if isinstance(sample.get("system"), list) else []
    tools = sample.get("tools") if isinstance(sample.get("tools"), list) else []
    plain = [{k: v for k, v in t.items() if k != "defer_loading"} for t in tools]  # type: ignore[union-attr]
    quoted = "\n".join(str(b.get("text", "")) for b in system if isinstance(b, dict))  # type: ignore[union-attr]
    body: dict[str, Any] = {"system": system, "tools": plain}
    room = max(0, WAF_BODY_BYTES - len(json.dumps(body)))
    turn = (quoted * (room // max(1, len(quoted)) + 1))[:room] or PADDING
    body["messages"] = [{"role": "user", "content": f"{turn}\n\nReply with the single word: ok"}]
    return body


@check(
    "adaptive",
    layer="guide",
    title="thinking: {type: adaptive} accepted",
    formats=ANTHROPIC,
    depends=("messages",),
)
def adaptive(ctx: Context) -> Outcome:
    try:
        reply = probe(ctx, {"thinking": {"type": "adaptive"}})
    except ProbeError as exc:
        return fail(f"adaptive thinking: {exc.message}", "see the http check")
    detail: dict[str, Any] = {"status": reply.status}
    if 200 <= reply.status < 300:
        return ok("thinking: {type: adaptive} accepted", detail)
    message = reply.error_message()
    if reply.status not in (400, 422) or "adaptive" not in message:
        return other_refusal(ctx, reply, "thinking: adaptive")
    detail["message"] = message
    summary = f"{reply.status}: the gateway rejects adaptive thinking: {clip(message, 140)}"
    if ctx.profile.claude_code.disable_adaptive_thinking:
        return covered("disable_adaptive_thinking", summary, detail)
    return switch_fix(
        "disable_adaptive_thinking",
        True,
        summary,
        "Claude Code then sends thinking: enabled for models that have it (Claude Opus 5.5 "
        "thinks adaptively only: for it the gateway must accept adaptive)",
        detail,
    )


@check(
    "tool_regex",
    layer="guide",
    title="a strict tool schema with a \\p{…} regex accepted",
    formats=ANTHROPIC,
    depends=("messages",),
)
def tool_regex(ctx: Context) -> Outcome:
    try:
        reply = probe(ctx, {"tools": [REGEX_TOOL]}, (STRUCTURED_BETA,))
        if 200 <= reply.status < 300:
            return ok("a strict tool with pattern ^\\p{L}+$ accepted", {"status": reply.status})
        message = reply.error_message()
        if reply.status not in (400, 422) or not re.search(
            r"regex|regular expression|pattern|\\p", message, re.I
        ):
            return other_refusal(ctx, reply, "a tool schema with \\p{…}")
        loose = probe(ctx, {"tools": [{k: v for k, v in REGEX_TOOL.items() if k != "strict"}]})
    except ProbeError as exc:
        return fail(f"tool regex: {exc.message}", "see the http check")
    detail: dict[str, Any] = {
        "status": reply.status,
        "message": message,
        "non_strict": loose.status,
    }
    summary = (
        f"{reply.status}: the gateway rejects a \\p{{…}} regex in a tool schema: "
        f"{clip(message, 120)}"
    )
    gateway = (
        "ask the gateway's operators to compile schema patterns with Unicode property "
        "escapes (MCP tools use them)"
    )
    if not 200 <= loose.status < 300:
        return fail(f"{summary} (strict or not)", gateway + "; no profile option helps", detail)
    if ctx.profile.claude_code.disable_structured_outputs:
        return covered("disable_structured_outputs", summary + " (strict tools only)", detail)
    return switch_fix(
        "disable_structured_outputs",
        True,
        summary + " (strict tools only)",
        f"Claude Code then sends no strict tools; or {gateway}",
        detail,
    )


@check(
    "advisor",
    layer="guide",
    title="the advisor tool accepted",
    formats=ANTHROPIC,
    depends=("messages",),
)
def advisor(ctx: Context) -> Outcome:
    model = request_model(ctx, "anthropic") or CLAUDE_CODE_DEFAULT_MODEL
    try:
        reply = probe(ctx, {"tools": [{**ADVISOR, "model": model}]}, (ADVISOR_BETA,))
    except ProbeError as exc:
        return fail(f"advisor tool: {exc.message}", "see the http check")
    detail: dict[str, Any] = {"status": reply.status}
    if 200 <= reply.status < 300:
        return ok("the advisor tool (advisor_20260301) accepted", detail)
    message = reply.error_message()
    if reply.status not in (400, 422) or "advisor" not in message.lower():
        return other_refusal(ctx, reply, "the advisor tool")
    detail["message"] = message
    summary = f"{reply.status}: the gateway rejects the advisor tool: {clip(message, 120)}"
    if ctx.profile.claude_code.disable_advisor_tool:
        return covered("disable_advisor_tool", summary, detail)
    return switch_fix(
        "disable_advisor_tool",
        True,
        summary,
        "otherwise Claude Code sends each turn twice (it retries without the tool)",
        detail,
    )
