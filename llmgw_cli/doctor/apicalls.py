"""What the API checks share: which model to ask, the tiny request body, and the
explanation of a refused request or a broken stream."""

from __future__ import annotations

from typing import Any

from llmgw_cli.doctor import sseprobe
from llmgw_cli.doctor.context import CLAUDE_CODE_DEFAULT_MODEL, Context
from llmgw_cli.doctor.httpprobe import HTML_FIX, Reply, api_base, describe_html
from llmgw_cli.doctor.result import Outcome, fail, ok, skip, warn
from llmgw_cli.wire import schemas, schemas_responses

PROMPT = "Reply with the single word: ok"
_PATHS = {"anthropic": "/messages?beta=true", "responses": "/responses"}
MAX_TOKENS = 8


def request_model(ctx: Context, fmt: str) -> str | None:
    """The model Claude Code would use if the gateway serves it, else one it does serve
    (a Claude model first for the Anthropic format)."""
    m = ctx.profile.models
    default = CLAUDE_CODE_DEFAULT_MODEL if fmt == "anthropic" else None
    wanted = [x for x in (m.default, default, m.sonnet, m.haiku, m.opus) if x]
    listed = None if ctx.listed_models is None else [*ctx.listed_models, *ctx.routed_models]
    if listed is None:
        return wanted[0] if wanted else None
    preferred = [x for x in listed if "claude" in x] if fmt == "anthropic" else []
    fallback = (preferred or listed or wanted)[:1]
    return next((x for x in wanted if x in listed), fallback[0] if fallback else None)


def body_for(model: str, fmt: str, stream: bool = False) -> dict[str, Any]:
    body: dict[str, Any]
    if fmt == "responses":  # 16 is the API's smallest max_output_tokens
        body = {"model": model, "input": PROMPT, "max_output_tokens": 16, "store": False}
    else:
        body = {
            "model": model,
            "max_tokens": MAX_TOKENS,
            "messages": [{"role": "user", "content": PROMPT}],
        }
    if stream:
        body["stream"] = True
    return body


def tiny_request(ctx: Context, fmt: str, model: str, style: str | None = None) -> Reply:
    """The smallest real request (max_tokens 1): proves a key or a model name works."""
    body = body_for(model, fmt)
    body["max_output_tokens" if fmt == "responses" else "max_tokens"] = (
        16 if fmt == "responses" else 1
    )
    path = _PATHS.get(fmt, "/chat/completions")
    return ctx.request(
        "POST",
        api_base(ctx.profile, fmt) + path,
        fmt=fmt,
        body=body,
        style=style,
        timeout=ctx.options.model_timeout,
    )


def refusal(reply: Reply, what: str, name: str) -> Outcome:
    """A non-2xx answer to an API request, explained."""
    message = reply.error_message()
    head = f"{what} → {reply.status}: {message}"
    detail = {"status": reply.status, "message": message, "request_ids": reply.request_ids()}
    if reply.is_html:
        return fail(f"{what}: {describe_html(reply)}", HTML_FIX, detail)
    lowered = message.lower()
    if reply.status == 404 and "model" in lowered:
        return fail(
            head,
            "use a model the gateway serves (see the models check): "
            f"`llmgw profile set {name} models.default=MODEL`",
            detail,
        )
    fixes = {
        404: "the gateway does not serve this path: check formats and the endpoint in the profile",
        401: "see the auth check",
        403: "see the auth check",
        429: "rate limited: wait (Retry-After) or ask for a higher limit",
        400: "the gateway rejected a minimal request: quote message and request id to operators",
    }
    fix = fixes.get(
        reply.status, "the gateway or its upstream failed: quote the request id to its operators"
    )
    return fail(head, fix, detail)


_STREAMS = {"anthropic": schemas.anthropic_stream, "responses": schemas_responses.stream}


def no_model(fmt: str) -> Outcome:
    return skip(f"no model to try for {fmt}: set models.default in the profile")


def stream_outcome(
    report: sseprobe.StreamReport, fmt: str, model: str, name: str, what: str
) -> Outcome:
    detail: dict[str, Any] = {"model": model, **report.timings()}
    if report.status != 200:
        reply = Reply(report.status, "", report.headers, report.body, report.total_ms, 0.0, 0.0)
        return refusal(reply, what, name)
    if not report.is_sse:
        if "html" in report.content_type:
            return fail(
                f"{what}: an HTML page where an event stream was expected", HTML_FIX, detail
            )
        return fail(
            f"{what}: answered {report.content_type or 'no content type'} "
            "instead of text/event-stream",
            "the gateway ignores stream: true; it must stream SSE to Claude Code",
            detail,
        )
    validate = _STREAMS.get(fmt, schemas.openai_stream)
    problems, text = validate(report.events)
    if report.broken:
        problems.insert(
            0, f"the connection broke after {len(report.events)} events ({report.broken})"
        )
    elif report.cut:
        problems.append("the stream stopped in the middle of an event")
    detail["problems"] = problems
    detail["text"] = text[:80]
    if problems:
        return fail(
            f"{what}: {'; '.join(problems[:3])}",
            "the gateway must pass the event stream through unchanged",
            detail,
        )
    timing = (
        f"first byte {report.first_byte_ms or 0:.0f} ms, "
        f"first event {report.first_event_ms or 0:.0f} ms, "
        f"first text {report.first_text_ms or 0:.0f} ms, {len(report.events)} events"
    )
    if report.burst():
        return warn(
            f"all {len(report.events)} events arrived in one burst after "
            f"{report.first_event_ms:.0f} ms, in two streamed requests: something buffers "
            "the stream",
            "turn off response buffering for text/event-stream on the proxy or gateway (nginx: "
            "proxy_buffering off or X-Accel-Buffering: no); buffered long replies trip "
            "Claude Code's stream idle timeout",
            detail,
        )
    return ok(timing, detail)
