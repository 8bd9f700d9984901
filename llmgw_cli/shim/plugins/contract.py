"""The contract between the shim core and its plugins (audit, metrics, budget, pii, …).

The core knows no plugin by name. For each request it builds one ``Exchange``, calls every
enabled plugin's ``on_request`` before anything goes upstream (a plugin may refuse the request
by raising ``Reject``, or rewrite ``exchange.body``), forwards, and calls ``on_complete`` once
the response has ended — streamed or not, succeeded or failed. Hooks must be quick: they run
on the shim's event loop, on the hot path.

When a plugin raises ``Reject``, the core stops calling ``on_request`` on the plugins after
it, answers with ``reject.status``/``reject.headers``/``reject.body(client_format)``, sets
``exchange.status`` and ``exchange.error``, and still calls ``on_complete`` on every plugin
(so the rejection is audited and counted, and reservations are released). ``on_complete``
must therefore cope with an exchange whose ``on_request`` it never saw.

On the hot path a plugin may declare which hooks it needs (``hooks``) and give a hook as a
plain call that never waits (``request_now``/``complete_now``): the host then calls that
instead of the coroutine (``plugins.host``); the coroutines stay, for direct callers.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from llmgw_cli.shim.plugins.scrub import Scrubber
from llmgw_cli.shim.signals import ShimSignal
from llmgw_cli.wire import format as wire_format
from llmgw_cli.wire import jsoncodec
from llmgw_cli.wire.usage import Usage

__all__ = ["BadBody", "Exchange", "Plugin", "Reject", "Usage"]  # Usage: re-exported for plugins


class BadBody(ShimSignal):
    """The client's body is not valid JSON, and something needed to read it."""


@dataclass
class Exchange:
    """One request through the shim, as plugins see it."""

    request_id: str
    method: str
    path: str
    client_format: str  # anthropic | openai | other
    headers: Mapping[str, str]  # the client's request headers (case-insensitive mapping)
    body: bytes
    started: float = field(default_factory=time.perf_counter)
    wall_start: float = field(default_factory=time.time)
    # Filled in by the core as the request progresses.
    profile: str | None = None  # the chain member that answered (last tried)
    upstream: str | None = None  # its endpoint
    route: str | None = None  # routing rule or "default"
    attempts: int = 0
    status: int | None = None
    stream: bool = False
    ttft_ms: float | None = None
    e2e_ms: float | None = None
    overhead_ms: float | None = None
    upstream_model: str | None = None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    query: str = ""  # the raw query string; ``path`` is canonical (forward/target.py)
    # Removes the members' secrets and the local token from what leaves (plugins/scrub.py).
    scrub: Scrubber = field(default_factory=lambda: Scrubber(()), repr=False)
    # Per-plugin scratch space, keyed by plugin name.
    notes: dict[str, Any] = field(default_factory=dict)
    _parsed: Any = field(default=None, repr=False)
    _parsed_ok: bool = field(default=False, repr=False)

    def json(self) -> Any:
        """The body parsed once, on first use, shared by every plugin, the router and the
        outgoing request (orjson: ``wire.jsoncodec``); raises BadBody when it is not JSON."""
        if not self._parsed_ok:
            try:
                self._parsed = jsoncodec.loads(self.body) if self.body else {}
            except ValueError as exc:
                raise BadBody(f"request body is not valid JSON ({exc})") from exc
            except RecursionError as exc:  # deeper than Python can parse (limits.max_json_depth)
                raise BadBody("request body is nested too deep to parse") from exc
            self._parsed_ok = True
        return self._parsed

    def replace_json(self, data: Any) -> None:
        self._parsed, self._parsed_ok = data, True
        # Compact, as Claude Code and the SDKs write JSON: what was not changed keeps its bytes.
        self.body = jsoncodec.dumps(data)

    @property
    def model(self) -> str | None:
        try:
            data = self.json()
        except BadBody:
            return None
        model = data.get("model") if isinstance(data, dict) else None
        return model if isinstance(model, str) else None

    def parsed_model(self) -> str | None:
        """The requested model when something already parsed the body; never parses it."""
        data = self._parsed if self._parsed_ok else None
        model = data.get("model") if isinstance(data, dict) else None
        return model if isinstance(model, str) else None

    @property
    def user(self) -> str | None:
        return self.headers.get("x-user-id")

    @property
    def department(self) -> str | None:
        return self.headers.get("x-department")


class Reject(ShimSignal):
    """Raised by ``on_request`` to answer the client without going upstream."""

    def __init__(
        self,
        status: int,
        error_type: str | None,
        message: str,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.headers = dict(headers or {})
        # Fields merged into the error body (e.g. the seed's PII shape).
        self.extra = dict(extra or {})

    def body(self, client_format: str) -> dict[str, Any]:
        """The error body in the client's API format, ``extra`` merged into the error object.

        anthropic (and other): ``{"type": "error", "error": {"type", "message", **extra}}``;
        openai, responses: ``{"error": {"message", "type", "param", "code", **extra}}``.
        ``error_type`` None means the format's type for ``status`` (``wire.error_bodies``, one
        table). Send it with ``status`` and ``headers``.
        """
        return wire_format.error_body(
            client_format, self.status, self.message, self.error_type, self.extra
        )


class Plugin(Protocol):
    name: ClassVar[str]
    # True when the plugin needs usage/TTFT parsed from the response (costs a little per chunk).
    needs_usage: ClassVar[bool]

    async def on_request(self, exchange: Exchange) -> None: ...

    async def on_complete(self, exchange: Exchange) -> None: ...

    async def close(self) -> None: ...
