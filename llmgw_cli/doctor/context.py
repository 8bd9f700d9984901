"""What the checks of one profile share: the profile, options, what earlier checks
found (secret, route, addresses, the HTTP probe, the model list) and one httpx client
that goes the way the proxy check decided.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmgw_cli.config.model import Profile
from llmgw_cli.config.secretref import redact
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.doctor import httpprobe
from llmgw_cli.doctor.httpprobe import Reply
from llmgw_cli.doctor.netprobe import Address, ProbeError, ms_since
from llmgw_cli.doctor.proxyenv import Decision
from llmgw_cli.doctor.result import Exchange

if TYPE_CHECKING:
    import httpx

# Claude Code asks for this model when none is set (docs/clients.md).
CLAUDE_CODE_DEFAULT_MODEL = "claude-opus-5-5"


@dataclass
class Options:
    verbose: bool = False
    connect_timeout: float = 3.0  # DNS, TCP, TLS, proxy: a healthy network answers fast
    probe_timeout: float = 8.0  # requests that generate nothing (models, errors)
    model_timeout: float = 30.0  # requests that run the model (max_tokens ≤ 8)
    environ: Mapping[str, str] | None = None  # default: os.environ


@dataclass
class Context:
    profile: Profile
    selected_by: str
    secrets: Secrets
    options: Options = field(default_factory=Options)
    secret: str | None = None
    route: Decision | None = None
    first_hop: tuple[str, int] | None = None
    addresses: list[Address] = field(default_factory=list)
    connected: Address | None = None
    probe: Reply | None = None
    listed_models: list[str] | None = None
    routed_models: list[str] = field(default_factory=list)  # unlisted, but requests work
    exchanges: list[Exchange] = field(default_factory=list)
    _client: httpx.Client | None = None

    @property
    def environ(self) -> Mapping[str, str]:
        return self.options.environ if self.options.environ is not None else os.environ

    @property
    def proxy_url(self) -> str | None:
        return self.route.proxy if self.route else None

    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx

            from llmgw_cli.doctor.tlsdiag import client_context

            tls = self.profile.tls
            verify: Any = client_context(tls) if tls.verify else False
            self._client = httpx.Client(
                verify=verify,
                proxy=self.proxy_url,
                trust_env=False,
                follow_redirects=False,
                timeout=httpx.Timeout(
                    self.options.probe_timeout, connect=self.options.connect_timeout
                ),
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def headers(
        self, fmt: str, style: str | None = None, extra: dict[str, str] | None = None
    ) -> dict[str, str]:
        out = {"user-agent": httpprobe.USER_AGENT, **self.profile.headers}
        if fmt == "anthropic":
            out["anthropic-version"] = httpprobe.ANTHROPIC_VERSION
        out.update(httpprobe.auth_headers(style or self.profile.auth.type, self.secret))
        out.update(extra or {})
        return out

    def request(
        self,
        method: str,
        url: str,
        *,
        fmt: str,
        body: Any = None,
        style: str | None = None,
        extra: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Reply:
        import httpx

        headers = self.headers(fmt, style, extra)
        exchange = self._record(method, url, headers)
        client = self.client()  # built on first use; its setup is not the request's time
        sent, start = time.time(), time.perf_counter()
        try:
            response = client.request(
                method,
                url,
                headers=headers,
                json=body,
                timeout=httpx.Timeout(
                    timeout or self.options.probe_timeout, connect=self.options.connect_timeout
                ),
            )
        except httpx.HTTPError as exc:
            exchange.error = describe_http_error(exc)
            raise ProbeError(type(exc).__name__, exchange.error) from exc
        reply = Reply(
            response.status_code,
            response.http_version,
            {k.lower(): v for k, v in response.headers.items()},
            response.content,
            ms_since(start),
            sent,
            time.time(),
            url,
        )
        self._finish(exchange, reply.status, reply.http_version, reply.headers, reply.elapsed_ms)
        return reply

    @contextmanager
    def stream(
        self, url: str, *, fmt: str, body: Any, timeout: float | None = None
    ) -> Iterator[tuple[httpx.Response, float]]:
        """POST and yield the response as soon as its headers are in, with the start time."""
        import httpx

        headers = self.headers(fmt, extra={"accept": "text/event-stream"})
        exchange = self._record("POST", url, headers)
        client = self.client()
        start = time.perf_counter()
        try:
            with client.stream(
                "POST",
                url,
                headers=headers,
                json=body,
                timeout=httpx.Timeout(
                    timeout or self.options.model_timeout, connect=self.options.connect_timeout
                ),
            ) as response:
                self._finish(
                    exchange,
                    response.status_code,
                    response.http_version,
                    {k.lower(): v for k, v in response.headers.items()},
                    ms_since(start),
                )
                yield response, start
        except httpx.HTTPError as exc:
            exchange.error = describe_http_error(exc)
            raise ProbeError(type(exc).__name__, exchange.error) from exc

    def _record(self, method: str, url: str, headers: dict[str, str]) -> Exchange:
        exchange = Exchange(method, url, httpprobe.redact_headers(headers, self.secret))
        self.exchanges.append(exchange)
        return exchange

    def _finish(
        self, ex: Exchange, status: int, version: str, headers: dict[str, str], ms: float
    ) -> None:
        ex.status, ex.http_version, ex.elapsed_ms = status, version, round(ms, 1)
        ex.response_headers = httpprobe.redact_headers(headers, self.secret)

    def scrub(self, value: Any) -> Any:
        """Replace the secret wherever it appears (a gateway may echo a key in an error)."""
        secret = self.secret
        if not secret:
            return value
        if isinstance(value, str):
            return redact(value, secret)
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        return value


def describe_http_error(exc: Exception) -> str:
    import httpx

    cause = exc.__cause__ or exc.__context__
    detail = str(exc) or (str(cause) if cause else "") or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection timed out ({detail})"
    if isinstance(exc, httpx.ReadTimeout):
        return "no answer within the time limit (read timeout)"
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy refused: {detail}"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {detail}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the HTTP exchange: {detail}"
    return f"{type(exc).__name__}: {detail}"
