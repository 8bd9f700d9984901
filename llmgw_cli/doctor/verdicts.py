"""Verdicts that name the real cause when a gateway's answer has more than one reading
(docs/architecture.md, "doctor/"):

- a 429 after one of doctor's own failed requests: the gateway (LiteLLM) put the route in
  cooldown because of that failure; it is its consequence, not a rate limit;
- a 404 whose error names another API path than the one doctor called: the gateway called
  its upstream there (LiteLLM with an ``openai/`` model behind /v1/messages calls
  ``/v1/responses``): the gateway's model route is wrong, not the user's model;
- a beta rejected that doctor never sent: the gateway added it and a hop behind it
  rejected it (LiteLLM adds ``token-counting-2024-11-01`` to count_tokens);
- JSON where ``stream: true`` asked for SSE: Claude Code retries without streaming;
- a stream that arrives in one burst: confirmed by a second streamed request before it is
  blamed on a buffering proxy (a cold gateway's first answer often comes whole).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from llmgw_cli.doctor import apicalls
from llmgw_cli.doctor.context import Context
from llmgw_cli.doctor.httpprobe import Reply, clip
from llmgw_cli.doctor.result import Outcome, fail, warn
from llmgw_cli.doctor.sseprobe import StreamReport
from llmgw_cli.wire import schemas

_PATH = re.compile(r"(?:\b(?:POST|GET|PUT)\s+)?(/v1/[A-Za-z0-9_./-]+)")
_BETA = re.compile(r"Unexpected value\(s\)\s+(.+?)\s+for the\s+`?anthropic-beta`?\s+header", re.S)
_NAME = re.compile(r"`([^`]+)`|'([^']+)'")


def refusal(
    ctx: Context,
    reply: Reply,
    what: str,
    *,
    called: str | None = None,
    sent_betas: Iterable[str] = (),
    model: str | None = None,
) -> Outcome:
    """A non-2xx answer explained; the readings above before the generic one."""
    path = called or urlsplit(reply.url).path
    return (
        after_own_failure(ctx, reply, what)
        or upstream_route(reply, what, path, model)
        or hop_beta(reply, what, sent_betas)
        or apicalls.refusal(reply, what, ctx.profile.name)
    )


def after_own_failure(ctx: Context, reply: Reply, what: str) -> Outcome | None:
    if reply.status != 429 or not ctx.failed:
        return None
    cause = ctx.failed[-1]
    message = reply.error_message()
    how = "put the route in cooldown" if "cooldown" in message.lower() else "rate-limits"
    return warn(
        f"{what} → 429 caused by doctor's own failed request: {cause.check_id} "
        f"({cause.method} {cause.path} → {cause.status}) — the gateway {how} after a failure "
        f"({clip(message, 120)})",
        f"fix what the {cause.check_id} check reports, then rerun doctor once the gateway's "
        "cooldown has passed (LiteLLM: seconds)",
        {"status": 429, "message": message, "caused_by": cause.check_id},
    )


def upstream_route(reply: Reply, what: str, called: str, model: str | None) -> Outcome | None:
    if reply.status != 404:
        return None
    message = reply.error_message()
    theirs = [p.rstrip(".") for p in _PATH.findall(message)]
    other = next((p for p in theirs if p.split("?")[0] != called.split("?")[0]), None)
    if other is None:
        return None
    route = f"route for {model}" if model else "model route"
    return fail(
        f"{what} → 404 from behind the gateway: it called {other} on its upstream, which "
        f"does not serve it — the gateway's {route} is wrong, not the model name",
        f"ask the gateway's operators to point the {route} at an upstream that serves {other} "
        "(LiteLLM: an `openai/` model behind /v1/messages calls the upstream's /v1/responses; "
        "use `anthropic/…` for an Anthropic upstream, or an upstream with the Responses API)",
        {"status": 404, "message": message, "upstream_path": other},
    )


def rejected_betas(message: str) -> list[str]:
    found = _BETA.search(message)
    if not found:
        return []
    return [a or b for a, b in _NAME.findall(found.group(1))]


def hop_beta(reply: Reply, what: str, sent: Iterable[str]) -> Outcome | None:
    if reply.status not in (400, 422):
        return None
    message = reply.error_message()
    unsent = [b for b in rejected_betas(message) if b not in set(sent)]
    if not unsent:
        return None
    named = ", ".join(unsent)
    return fail(
        f"{what} → {reply.status}: the gateway adds anthropic-beta {named} (doctor did not "
        "send it) and the hop behind the gateway rejects it",
        f"ask the gateway's operators to stop adding {named} or to route to an upstream that "
        "accepts it (LiteLLM adds token-counting-2024-11-01 to count_tokens); nothing in the "
        "profile can change it",
        {"status": reply.status, "message": message, "added_by_gateway": unsent},
    )


def json_for_stream(ctx: Context, report: StreamReport, what: str) -> Outcome | None:
    """``stream: true`` answered with a whole JSON message (Anthropic format only)."""
    labelled = report.is_sse and not report.events  # LiteLLM: SSE's type, a JSON body
    if report.status != 200 or not (labelled or "json" in report.content_type):
        return None
    reply = Reply(200, "", report.headers, report.body, report.total_ms, 0.0, 0.0)
    problems, _ = schemas.anthropic_message(reply.json())
    if problems:
        return None
    detail = {"content_type": report.content_type, "total_ms": round(report.total_ms, 1)}
    what = f"{what} (labelled text/event-stream)" if labelled else what
    stream_fix = "ask the gateway to stream SSE when a request says stream: true"
    if ctx.profile.claude_code.disable_nonstreaming_fallback:
        return fail(
            f"{what}: a JSON message instead of an event stream, and this profile sets "
            "claude_code.disable_nonstreaming_fallback: Claude Code will not retry, requests fail",
            f"{stream_fix}, or set claude_code.disable_nonstreaming_fallback: false",
            detail,
        )
    return warn(
        f"{what}: a JSON message instead of an event stream — Claude Code copes: it retries "
        "the request without streaming (no live output; each turn is sent twice)",
        stream_fix,
        detail,
    )


def confirm_burst(
    first: StreamReport, again: Callable[[], StreamReport]
) -> tuple[StreamReport, bool]:
    """The report to judge, and whether the first stream came in one burst.

    A burst is blamed on buffering only when a second streamed request bursts too.
    """
    if first.status != 200 or not first.is_sse or not first.burst():
        return first, False
    return again(), True
