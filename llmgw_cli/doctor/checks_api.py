"""Layer 4: real API requests, as Claude Code (Anthropic format) and OpenAI-style tools
(OpenAI format) make them: tiny (max_tokens 8), validated against the schema, timed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from llmgw_cli.doctor import sseprobe, verdicts
from llmgw_cli.doctor.apicalls import (
    PROMPT,
    body_for,
    no_model,
    request_model,
    stream_outcome,
)
from llmgw_cli.doctor.context import CLAUDE_CODE_DEFAULT_MODEL, Context
from llmgw_cli.doctor.httpprobe import HTML_FIX, Reply, api_base, clip, describe_html
from llmgw_cli.doctor.netprobe import ProbeError
from llmgw_cli.doctor.registry import check
from llmgw_cli.doctor.result import Outcome, fail, ok, warn
from llmgw_cli.wire import schemas

# What Claude Code 2.1.328 sends (docs/clients.md): these betas, and context_management in the body.
CLAUDE_CODE_BETAS = (
    "claude-code-20250219",
    "interleaved-thinking-2025-05-14",
    "context-management-2025-06-27",
)
CONTEXT_MANAGEMENT = {"edits": [{"type": "clear_tool_uses_20250919"}]}
ANTHROPIC = ("anthropic",)
OPENAI = ("openai",)


@check(
    "messages",
    layer="api",
    title="POST /v1/messages?beta=true, schema validated",
    formats=ANTHROPIC,
    depends=("auth",),
)
def messages(ctx: Context) -> Outcome:
    model = request_model(ctx, "anthropic")
    if model is None:
        return no_model("anthropic")
    base = api_base(ctx.profile, "anthropic")
    try:
        reply = ctx.request(
            "POST",
            base + "/messages?beta=true",
            fmt="anthropic",
            body=body_for(model, "anthropic"),
            timeout=ctx.options.model_timeout,
        )
        if reply.status in (400, 404, 405) and not reply.is_html:
            plain = ctx.request(
                "POST",
                base + "/messages",
                fmt="anthropic",
                body=body_for(model, "anthropic"),
                timeout=ctx.options.model_timeout,
            )
            if plain.status == 200:
                return fail(
                    f"POST /v1/messages?beta=true → {reply.status}, but without ?beta=true → 200: "
                    "the gateway chokes on the query string Claude Code always sends",
                    "the gateway must route /v1/messages whatever the query string; ask its "
                    "operators to match the path only",
                    {"status": reply.status, "message": reply.error_message()},
                )
    except ProbeError as exc:
        return fail(f"POST /v1/messages: {exc.message}", "see the http check")
    if reply.status != 200:
        return verdicts.refusal(ctx, reply, "POST /v1/messages?beta=true", model=model)
    problems, text = schemas.anthropic_message(reply.json())
    usage = (reply.json() or {}).get("usage") if not problems else None
    detail: dict[str, Any] = {
        "model": model,
        "elapsed_ms": round(reply.elapsed_ms, 1),
        "text": text[:80],
        "usage": usage,
        "request_ids": reply.request_ids(),
    }
    fix = "the gateway must answer /v1/messages in the Anthropic Messages format"
    return _answered(model, reply, problems, text, detail, "an Anthropic message", fix)


@check(
    "stream",
    layer="api",
    title="streamed /v1/messages: SSE framing, order, timing, buffering",
    formats=ANTHROPIC,
    depends=("auth",),
)
def stream(ctx: Context) -> Outcome:
    return _streamed(ctx, "anthropic", "/messages?beta=true", "/v1/messages", "stream")


@check(
    "betas",
    layer="api",
    title="Claude Code's anthropic-beta list and context_management",
    formats=ANTHROPIC,
    depends=("messages",),
)
def betas(ctx: Context) -> Outcome:
    model = request_model(ctx, "anthropic") or CLAUDE_CODE_DEFAULT_MODEL
    url = api_base(ctx.profile, "anthropic") + "/messages?beta=true"
    header = {"anthropic-beta": ",".join(CLAUDE_CODE_BETAS)}

    def send(with_header: bool, with_body: bool) -> Reply:
        body = body_for(model, "anthropic")
        if with_body:
            body["context_management"] = CONTEXT_MANAGEMENT
        return ctx.request(
            "POST",
            url,
            fmt="anthropic",
            body=body,
            extra=header if with_header else None,
            timeout=ctx.options.model_timeout,
        )

    try:
        reply = send(True, True)
        detail: dict[str, Any] = {"anthropic_beta": list(CLAUDE_CODE_BETAS), "status": reply.status}
        if 200 <= reply.status < 300:
            return ok(
                f"anthropic-beta ({len(CLAUDE_CODE_BETAS)} values) and context_management accepted",
                detail,
            )
        if reply.status not in (400, 422) or reply.is_html:
            return verdicts.refusal(
                ctx,
                reply,
                "POST /v1/messages with Claude Code's betas",
                sent_betas=CLAUDE_CODE_BETAS,
            )
        rejected = [
            what
            for what, probe in (
                ("the anthropic-beta values", send(True, False)),
                ("the context_management field", send(False, True)),
            )
            if probe.status in (400, 422)
        ]
    except ProbeError as exc:
        return fail(f"betas request: {exc.message}", "see the http check")
    detail["message"] = reply.error_message()
    hop = verdicts.hop_beta(reply, "POST /v1/messages with Claude Code's betas", CLAUDE_CODE_BETAS)
    if hop is not None:
        return hop
    named = " and ".join(rejected) or "Claude Code's experimental betas"
    summary = f"{reply.status}: the gateway rejects {named}: {clip(detail['message'])}"
    if ctx.profile.claude_code.disable_experimental_betas:
        return ok(
            f"{summary} — this profile already sets claude_code.disable_experimental_betas", detail
        )
    detail["profile_fix"] = {"disable_experimental_betas": True}  # for doctor --fix
    return fail(
        summary,
        f"`llmgw profile set {ctx.profile.name} claude_code.disable_experimental_betas=true`; "
        "`llmgw env` then exports CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1",
        detail,
    )


@check(
    "count_tokens",
    layer="api",
    title="POST /v1/messages/count_tokens served",
    formats=ANTHROPIC,
    depends=("auth",),
)
def count_tokens(ctx: Context) -> Outcome:
    model = request_model(ctx, "anthropic") or CLAUDE_CODE_DEFAULT_MODEL
    url = api_base(ctx.profile, "anthropic") + "/messages/count_tokens?beta=true"
    body = {"model": model, "messages": [{"role": "user", "content": PROMPT}]}
    try:
        reply = ctx.request("POST", url, fmt="anthropic", body=body)
    except ProbeError as exc:
        return fail(f"count_tokens: {exc.message}", "see the http check")
    data = reply.json()
    if reply.is_html:
        return fail(f"count_tokens: {describe_html(reply)}", HTML_FIX)
    if reply.status == 200 and isinstance(data, dict) and isinstance(data.get("input_tokens"), int):
        return ok(
            f"served: {data['input_tokens']} input tokens", {"input_tokens": data["input_tokens"]}
        )
    fix = "optional: ask the gateway to forward /v1/messages/count_tokens for exact counts"
    hop = verdicts.hop_beta(reply, "count_tokens", ())
    if hop is not None:  # optional for Claude Code: a warning, with the hop named
        return warn(hop.summary + "; Claude Code falls back to estimates", hop.fix, hop.detail)
    if reply.status in (404, 405):
        return warn(
            f"not served ({reply.status}): Claude Code falls back to estimates (/context)", fix
        )
    return warn(
        f"count_tokens → {reply.status}: {clip(reply.error_message())}",
        fix,
        {"status": reply.status},
    )


@check(
    "chat",
    layer="api",
    title="POST /v1/chat/completions, schema validated",
    formats=OPENAI,
    depends=("auth",),
)
def chat(ctx: Context) -> Outcome:
    model = request_model(ctx, "openai")
    if model is None:
        return no_model("openai")
    try:
        reply = ctx.request(
            "POST",
            api_base(ctx.profile, "openai") + "/chat/completions",
            fmt="openai",
            body=body_for(model, "openai"),
            timeout=ctx.options.model_timeout,
        )
    except ProbeError as exc:
        return fail(f"POST /v1/chat/completions: {exc.message}", "see the http check")
    if reply.status != 200:
        return verdicts.refusal(ctx, reply, "POST /v1/chat/completions", model=model)
    problems, text = schemas.openai_chat(reply.json())
    detail = {"model": model, "elapsed_ms": round(reply.elapsed_ms, 1), "text": text[:80]}
    fix = "the gateway must answer in the OpenAI Chat Completions format"
    return _answered(model, reply, problems, text, detail, "a chat completion", fix)


@check(
    "chat_stream",
    layer="api",
    title="streamed chat completions: SSE framing, timing, buffering",
    formats=OPENAI,
    depends=("auth",),
)
def chat_stream(ctx: Context) -> Outcome:
    return _streamed(ctx, "openai", "/chat/completions", "chat completions", "chat_stream")


def _streamed(ctx: Context, fmt: str, path: str, what: str, check_id: str) -> Outcome:
    """One streamed request in ``fmt`` to ``path`` under the API base, read by sseprobe."""
    model = request_model(ctx, fmt)
    if model is None:
        return no_model(fmt)
    url = api_base(ctx.profile, fmt) + path
    body = body_for(model, fmt, stream=True)
    try:
        first = sseprobe.read(ctx, url, fmt, body)
        report, burst = verdicts.confirm_burst(first, lambda: sseprobe.read(ctx, url, fmt, body))
    except ProbeError as exc:
        return fail(f"streaming {what}: {exc.message}", "see the http check")
    ctx.shared[check_id] = report
    if report.status != 200:
        reply = Reply(report.status, "", report.headers, report.body, report.total_ms, 0.0, 0.0)
        return verdicts.refusal(ctx, reply, check_id, called=urlsplit(url).path, model=model)
    if fmt == "anthropic":
        as_json = verdicts.json_for_stream(ctx, report, check_id)
        if as_json is not None:
            return as_json
    outcome = stream_outcome(report, fmt, model, ctx.profile.name, check_id)
    if burst and outcome.status == "ok":
        outcome.summary += "; the first stream came in one burst (a cold start), a second was live"
        outcome.detail["first_stream_burst"] = True
    return outcome


def _answered(
    model: str,
    reply: Reply,
    problems: list[str],
    text: str,
    detail: dict[str, Any],
    kind: str,
    fix: str,
) -> Outcome:
    """The verdict on a validated non-streamed reply: ``kind`` names what it should have been."""
    if problems:
        return fail(f"the reply is not {kind}: {'; '.join(problems)}", fix, detail)
    return ok(f"{model} answered {text.strip()[:30]!r} in {reply.elapsed_ms:.0f} ms", detail)


# The Responses API's checks register after these (same layer).
from llmgw_cli.doctor import checks_responses  # noqa: E402, F401
