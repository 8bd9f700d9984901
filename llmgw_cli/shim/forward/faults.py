"""Failures as the client sees them: one translation point, in the client's format.

Upstream exceptions and statuses become ``Failure``s for the router; ``fail`` and
``rejected`` build the error reply (and note it on the exchange for the plugins). Every
message names the upstream and the cause (connection refused, the certificate problem,
the proxy's answer) and how to fix it; none contains a credential.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
from email.utils import parsedate_to_datetime

import aiohttp
from aiohttp import web

from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Exchange, Reject
from llmgw_cli.shim.route.router import Failure
from llmgw_cli.wire import format as wire_format
from llmgw_cli.wire.sse import dumps

_JSON = {"Content-Type": "application/json"}


def error_body(client_format: str, status: int, message: str, kind: str | None = None) -> bytes:
    """The error body in the client's format; the type comes from ``wire.error_bodies``."""
    body = wire_format.error_body(client_format, status, message, kind)
    return json.dumps(body, ensure_ascii=False).encode()


def error_response(
    client_format: str,
    status: int,
    message: str,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    return web.Response(
        status=status,
        body=error_body(client_format, status, message, kind),
        headers={**_JSON, **(headers or {})},
    )


def fail(
    ex: Exchange, status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """The request ends here with an error: answer it, and note why for the plugins."""
    ex.status = status
    ex.error = message
    return error_response(ex.client_format, status, message, headers=headers)


def rejected(ex: Exchange, rej: Reject) -> web.Response:
    """A plugin or the router refused the request (budget, PII, no member available)."""
    ex.status = rej.status
    ex.error = rej.message
    return web.Response(
        status=rej.status,
        body=dumps(rej.body(ex.client_format)),
        headers={**_JSON, **rej.headers},
    )


def stream_error_event(client_format: str, message: str) -> bytes:
    """The event that ends a stream whose upstream died: what the real APIs send."""
    return wire_format.format_of(client_format).stream_error(message)


def describe(exc: BaseException, member: Member) -> Failure:
    """An exception from sending to ``member``, before any response byte was relayed."""
    up = member.base
    fix_tls = f"name your gateway's CA in tls.ca_bundle of profile {member.name!r}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return Failure(
            "tls",
            f"TLS certificate verification failed for {up}: {exc.certificate_error}; {fix_tls}",
        )
    if isinstance(exc, aiohttp.ClientSSLError):
        reason = getattr(exc, "os_error", exc)
        return Failure("tls", f"TLS handshake with {up} failed: {reason}; {fix_tls}")
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        return Failure(
            "proxy",
            f"the proxy refused to connect to {up}: {exc.status} {exc.message}; "
            f"check proxy.https of profile {member.name!r}",
        )
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return Failure(
            "proxy",
            f"cannot connect to the proxy for {up}: {_os_reason(exc)}; "
            f"check proxy.https of profile {member.name!r}",
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Failure(
            "connect",
            f"cannot connect to upstream {up}: {_os_reason(exc)}; "
            f"is the gateway running? check `llmgw doctor --profile {member.name}`",
        )
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        t = member.profile.timeouts
        return Failure(
            "timeout",
            f"upstream {up} did not answer within its timeout "
            f"(connect {t.connect_s:g} s, first byte {t.first_byte_s:g} s)",
            status=504,
        )
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return Failure("disconnect", f"upstream {up} closed the connection before answering")
    if isinstance(exc, aiohttp.ClientError):
        return Failure("other", f"request to upstream {up} failed: {type(exc).__name__}: {exc}")
    return Failure("other", f"request to upstream {up} failed: {type(exc).__name__}")


def _os_reason(exc: aiohttp.ClientConnectorError) -> str:
    err = exc.os_error
    if isinstance(err, OSError) and err.errno:
        return os.strerror(err.errno)  # "Connection refused", whatever wording asyncio used
    return str(err)


def whole_seconds(value: str) -> str | None:
    """``Retry-After`` as Claude Code reads it: whole seconds (docs/clients.md). A
    fraction rounds up, an HTTP date becomes the seconds until it; None: unreadable."""
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError):
            return None
    if seconds != seconds or seconds in (math.inf, -math.inf):  # NaN or infinite
        return None
    return str(max(0, math.ceil(seconds)))


def failure_from_status(member: Member, status: int, headers: object) -> Failure:
    """An upstream answer that the router treats as a failure (5xx, 429)."""
    retry_after = None
    raw = getattr(headers, "get", lambda _k: None)("retry-after")
    if raw:
        try:
            retry_after = max(float(raw), 0.0)
        except ValueError:
            retry_after = None
    return Failure(
        "status",
        f"upstream {member.base} answered {status}",
        status=status,
        retry_after=retry_after,
    )
