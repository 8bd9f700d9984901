"""Error responses in each API's own shape, so the SDKs raise their usual exception classes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from llmgw_cli.wire.error_bodies import anthropic_error, openai_error
from llmgw_cli.wire.sse import dumps


class Reject(Exception):
    """Raised inside a handler to answer with an error response at once."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def error_response(
    openai: bool,
    status: int,
    message: str,
    kind: str | None = None,
    code: str | None = None,
    retry_after: int | None = None,
) -> web.Response:
    body: dict[str, Any]
    if openai:  # type and code from the one table in wire.error_bodies
        body = openai_error(status, message, kind, code)
    else:
        body = anthropic_error(status, message, kind)
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    return web.Response(status=status, body=dumps(body), headers=headers)


def reject(
    openai: bool, status: int, message: str, kind: str | None = None, code: str | None = None
) -> Reject:
    return Reject(error_response(openai, status, message, kind, code))
