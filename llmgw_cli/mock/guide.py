"""Gateway faults from Claude Code's troubleshooting table (docs/architecture.md, "doctor/"),
played by ``llmgw mock`` so each row of ``llmgw doctor``'s guide checks can be shown failing:

  --reject-adaptive          400 on ``thinking: {type: adaptive}`` (Bedrock-style tag error)
  --reject-advisor           400 on the ``advisor_20260301`` tool
  --reject-tool-regex        400 on a strict tool whose schema has a ``\\p{…}`` regex
  --waf-403-over-bytes N     a web-application firewall's 403 HTML page for larger bodies
  --context-window N         "prompt is too long: X tokens > N maximum" above N (estimated) tokens
  --reword-context-errors    ... reworded, as gateways that rewrite errors do
  --reshape-errors           every error body replaced by the gateway's own
  --retry-after-format F     429's retry-after as seconds | http-date | float
  --models-redirect          307 on ``GET /v1/models?…`` (model discovery)
  --reject-both-auth         401 when both x-api-key and Authorization arrive
  --json-for-stream          a JSON message where ``stream: true`` asked for SSE
  --strip-pings              no ping events in streams
  --stream-pause-ms N        a silent pause after the first text delta (pings every
                             --ping-every-ms during it, if set)
"""

from __future__ import annotations

import email.utils
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from llmgw_cli.mock.apierrors import Reject, reject
from llmgw_cli.wire.sse import dumps

if TYPE_CHECKING:
    from llmgw_cli.mock.config import MockConfig

ADVISOR_TOOL = "advisor_20260301"
WAF_PAGE = (
    b"<!DOCTYPE html><html><head><title>Request Rejected</title></head><body>"
    b"<h1>Request Rejected</h1><p>The requested URL was rejected. Please consult with your "
    b"administrator.</p><p>Your support ID is: 1234567890</p></body></html>"
)
_TAGS = "'bash_20250124', 'custom', 'text_editor_20250124', 'web_search_20250305'"


def before_json(config: MockConfig, request: web.Request, raw: bytes) -> None:
    """Checks a hop makes before it reads the body as JSON."""
    limit = config.waf_403_over_bytes
    if limit is not None and len(raw) > limit:
        raise Reject(web.Response(status=403, body=WAF_PAGE, content_type="text/html"))
    both = "x-api-key" in request.headers and "authorization" in request.headers
    if config.reject_both_auth and both:
        raise reject(
            False, 401, "send either x-api-key or Authorization, not both (conflicting keys)"
        )


def check_body(config: MockConfig, body: dict[str, Any], size: int) -> None:
    """The request-body rows: adaptive thinking, advisor tool, tool regexes, context window."""
    thinking = body.get("thinking")
    if config.reject_adaptive and isinstance(thinking, dict) and thinking.get("type") == "adaptive":
        raise reject(
            False,
            400,
            "thinking.type: Input tag 'adaptive' found using 'type' does not match any of the "
            "expected tags: 'disabled', 'enabled'",
        )
    tools = body.get("tools")
    if not isinstance(tools, list):
        tools = []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            continue
        if config.reject_advisor and tool.get("type") == ADVISOR_TOOL:
            raise reject(
                False,
                400,
                f"tools.{i}: Input tag '{ADVISOR_TOOL}' found using 'type' does not match any "
                f"of the expected tags: {_TAGS}",
            )
        if config.reject_tool_regex and tool.get("strict") is True:
            pattern = _unicode_pattern(tool.get("input_schema"), 0)
            if pattern is not None:
                raise reject(
                    False,
                    400,
                    f"tools.{i}.custom.input_schema: invalid regular expression {pattern!r}: "
                    "bad escape \\p",
                )
    window = config.context_window
    tokens = max(1, size // 4)
    if window is not None and tokens > window:
        message = (
            "Request exceeds the maximum context length of the model."
            if config.reword_context_errors
            else f"prompt is too long: {tokens} tokens > {window} maximum"
        )
        raise reject(False, 400, message)


def _unicode_pattern(schema: Any, depth: int) -> str | None:
    """A ``pattern`` using ``\\p{…}`` anywhere in a JSON schema (bounded depth)."""
    if depth > 32:
        return None
    if isinstance(schema, dict):
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and "\\p{" in pattern:
            return pattern
        items = schema.values()
    elif isinstance(schema, list):
        items = schema  # type: ignore[assignment]
    else:
        return None
    for value in items:
        found = _unicode_pattern(value, depth + 1)
        if found is not None:
            return found
    return None


def reshape(config: MockConfig, response: web.Response) -> web.Response:
    """--reshape-errors: the gateway replaces the upstream's error body with its own."""
    if not config.reshape_errors or response.status < 400:
        return response
    body = {"error": {"code": response.status, "message": "The upstream returned an error."}}
    headers = {k: v for k, v in response.headers.items() if k.lower() == "retry-after"}
    return web.Response(
        status=response.status, body=dumps(body), headers={**headers, "Content-Type": _JSON}
    )


_JSON = "application/json"


def retry_after(config: MockConfig, seconds: int) -> str:
    if config.retry_after_format == "http-date":
        return email.utils.formatdate(time.time() + seconds, usegmt=True)
    if config.retry_after_format == "float":
        return f"{seconds + 0.5:.1f}"
    return str(seconds)


def models_redirect(config: MockConfig, request: web.Request) -> web.Response | None:
    if config.models_redirect and request.query_string:
        return web.Response(status=307, headers={"Location": f"/v1/models/?{request.query_string}"})
    return None


async def pause(resp: web.StreamResponse, config: MockConfig) -> None:
    """--stream-pause-ms: a silent stretch mid-stream, with pings every --ping-every-ms."""
    import asyncio

    from llmgw_cli.mock.anthropic import PING

    left = config.stream_pause_ms / 1000.0
    step = config.ping_every_ms / 1000.0
    while left > 0:
        wait = min(left, step) if step else left
        await asyncio.sleep(wait)
        left -= wait
        if step and left > 0:
            await resp.write(PING)
