"""What the checks of one profile share: the profile, options, what earlier checks
found (secret, route, addresses, the HTTP probe, the model list) and one httpx client
that goes the way the proxy check decided.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from llmgw_cli import bounded
from llmgw_cli.config.model import Profile
from llmgw_cli.config.secretref import redact
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.doctor import httpprobe
from llmgw_cli.doctor.httpprobe import Reply
from llmgw_cli.doctor.netprobe import Address, ProbeError, ms_since
from llmgw_cli.doctor.proxyenv import Decision
from llmgw_cli.doctor.result import Exchange
from llmgw_cli.doctor.watchdog import Watchdog

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
    # Each of the timeouts above is a whole-request deadline, not only a per-read one; a
    # check as a whole, and the whole run, have their own (docs/architecture.md).
    check_timeout: float = 60.0
    total_timeout: float = 300.0
    max_body_bytes: int = bounded.MB  # a probe's answer, after decompression
    environ: Mapping[str, str] | None = None  # default: os.environ
    ping_gap_s: float = 15.0  # a stream silent longer than this without a ping is flagged
    helper_budget_s: float = 10.0  # the apiKeyHelper must answer within this
    deep: bool = False  # replay the installed Claude Code's request shape (doctor/deep.py)
    claude_bin: str | None = None  # default: $LLMGW_CLAUDE_BIN, then PATH


@dataclass(frozen=True)
class Failed:
    """A request of doctor's that the gateway answered with an error (not 429): the reason
    a gateway may put its route in cooldown and refuse doctor's next requests."""

    check_id: str
    method: str
    path: str
    status: int
    message: str


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
    check_id: str = ""  # the check running now (set by the runner)
    failed: list[Failed] = field(default_factory=list)  # doctor's own failed requests, run-wide
    retry_afters: list[tuple[str, int, str]] = field(default_factory=list)  # check, status, value
    shared: dict[str, Any] = field(default_factory=dict)  # what one check leaves for a later one
    dog: Watchdog = field(default_factory=Watchdog)
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
        # Only encodings doctor decodes within its byte limit (bounded.Inflater).
        out = {
            "user-agent": httpprobe.USER_AGENT,
            "accept-encoding": "gzip, deflate",
            **self.profile.headers,
        }
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
        limit = timeout or self.options.probe_timeout
        sent, start = time.time(), time.perf_counter()
        with self.dog.limit(limit):
            try:
                with client.stream(
                    method,
                    url,
                    headers=headers,
                    json=body,
                    timeout=self._timeout(limit),
                    extensions={"trace": self.dog.trace},
                ) as response:
                    data = self.read_body(response)
            except httpx.HTTPError as exc:
                exchange.error = self.describe(exc)
                raise ProbeError(type(exc).__name__, exchange.error) from exc
            except ProbeError as exc:
                exchange.error = exc.message
                raise
        reply = Reply(
            response.status_code,
            response.http_version,
            {k.lower(): v for k, v in response.headers.items()},
            data,
            ms_since(start),
            sent,
            time.time(),
            url,
        )
        self._finish(exchange, reply.status, reply.http_version, reply.headers, reply.elapsed_ms)
        self.note_failure(method, url, reply.status, reply.body)
        return reply

    def read_body(self, response: httpx.Response) -> bytes:
        """The whole body, decoded, within doctor's byte limit; a ProbeError naming it if not."""
        encoding = response.headers.get("content-encoding")
        try:
            return bounded.read_limited(response.iter_raw(), self.options.max_body_bytes, encoding)
        except bounded.TooLarge as exc:
            raise ProbeError("too_large", too_large(exc.limit)) from exc
        except bounded.UnsupportedEncoding as exc:
            raise ProbeError(
                "encoding", f"the answer is {exc}; doctor decodes gzip and deflate"
            ) from exc
        except zlib.error as exc:
            raise ProbeError("encoding", f"the {encoding} body does not decode ({exc})") from exc

    def _timeout(self, limit: float) -> httpx.Timeout:
        import httpx

        return httpx.Timeout(limit, connect=min(limit, self.options.connect_timeout))

    def describe(self, exc: Exception) -> str:
        """Why a request failed: a deadline that passed names itself, else the HTTP error."""
        scope = self.dog.tripped()
        if scope is not None:
            return (
                f"no complete answer within {scope.seconds:g} s (doctor's whole-request "
                "limit): the server answers too slowly or never finishes"
            )
        return describe_http_error(exc)

    @contextmanager
    def stream(
        self, url: str, *, fmt: str, body: Any, timeout: float | None = None
    ) -> Iterator[tuple[httpx.Response, float]]:
        """POST and yield the response as soon as its headers are in, with the start time."""
        import httpx

        headers = self.headers(fmt, extra={"accept": "text/event-stream"})
        exchange = self._record("POST", url, headers)
        client = self.client()
        limit = timeout or self.options.model_timeout
        start = time.perf_counter()
        with self.dog.limit(limit):
            try:
                with client.stream(
                    "POST",
                    url,
                    headers=headers,
                    json=body,
                    timeout=self._timeout(limit),
                    extensions={"trace": self.dog.trace},
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
                exchange.error = self.describe(exc)
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
        if "retry-after" in headers:
            self.retry_afters.append((self.check_id, status, headers["retry-after"]))

    def note_failure(self, method: str, url: str, status: int, body: bytes) -> None:
        """Remember an error answer (see ``Failed``); 429s are the consequence, not a cause."""
        if status >= 400 and status != 429:
            path = urlsplit(url).path
            message = httpprobe.error_message(body)
            self.failed.append(Failed(self.check_id, method, path, status, message))

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


def too_large(limit: int) -> str:
    return (
        f"the answer is larger than doctor's {bounded.mb(limit)} limit for a probe "
        "(after decompression): the server sends far more than an API reply"
    )


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
