"""``ShimConfig``: what `llmgw shim start` runs (README.md, "llmgw shim").

Built from a YAML file (``--config``) or from flags (``--profile``/``--chain``, ``--host``,
``--port``). Every key of the design's file is accepted and type-checked here; unknown keys
are errors naming the file and line. Retry, breaker, order, model mapping and routing rules
are carried for the chain router (issue 6); plugin sections are handed to each plugin as-is.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmgw_cli.config import schema, yamlio
from llmgw_cli.config.model import NAME_RE
from llmgw_cli.errors import ConfigError, UsageError
from llmgw_cli.shim import rules, seedfile
from llmgw_cli.shim.rules import Match, RoutingRule
from llmgw_cli.shim.seedfile import Provider

__all__ = ["Match", "RoutingRule", "ShimConfig"]  # Match, RoutingRule: the rules' config shape

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
ORDERS = ("static", "adaptive")


@dataclass
class Listen:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT


@dataclass
class Retry:
    attempts: int = 3
    backoff_ms: float = 100.0
    max_backoff_ms: float = 2000.0


@dataclass
class Breaker:
    failures: int = 5
    window_s: float = 30.0
    cooldown_s: float = 30.0


@dataclass
class ChainTimeouts:
    """Chain-wide limits; each, when set, overrides every member's profile value."""

    connect_s: float | None = None
    first_byte_s: float | None = None
    total_s: float | None = None
    idle_s: float | None = None  # between two complete events of a stream


MB = 1 << 20


@dataclass
class Limits:
    """Bounds on what clients and members may make the shim hold (docs/architecture.md)."""

    max_response_mb: float = 64.0  # a whole (non-streamed or translated) answer, decoded
    max_request_mb: float = 64.0  # a client's body, decoded (Claude Code sends ~87 KB)
    max_json_depth: int = 512  # nesting of a client's JSON body
    max_connections: int = 1024  # open client connections (also kept under the fd limit)
    header_timeout_s: float = 10.0  # for a client's request line and headers to arrive
    keepalive_timeout_s: float = 60.0  # an idle keep-alive connection is closed after this

    @property
    def response_bytes(self) -> int:
        return int(self.max_response_mb * MB)

    @property
    def request_bytes(self) -> int:
        return int(self.max_request_mb * MB)


@dataclass
class ShimConfig:
    listen: Listen = field(default_factory=Listen)
    chain: list[str] = field(default_factory=list)
    order: str = "static"
    retry: Retry = field(default_factory=Retry)
    breaker: Breaker = field(default_factory=Breaker)
    # requested model -> {member name -> that member's model}
    models: dict[str, dict[str, str]] = field(default_factory=dict)
    routing_rules: list[RoutingRule] = field(default_factory=list)
    # Each plugin's section, as written; the plugins package applies defaults and checks them.
    plugins: dict[str, dict[str, Any]] = field(default_factory=dict)
    prices: dict[str, dict[str, float]] = field(default_factory=dict)
    # The seed's gateway-config.yaml: members defined inline, without profiles.
    providers: dict[str, Provider] = field(default_factory=dict)
    timeouts: ChainTimeouts = field(default_factory=ChainTimeouts)
    limits: Limits = field(default_factory=Limits)
    # Seconds in-flight requests get to finish on stop before they are cut.
    shutdown_grace_s: float = 10.0
    # How old a cached upstream reachability may be before /health re-probes it.
    health_interval_s: float = 30.0
    # Seconds of upstream silence on an Anthropic stream before the shim sends a ``ping``
    # event itself (Claude Code's idle watchdog; docs/clients.md). 0: never.
    ping_interval_s: float = 15.0
    # Serve ``GET /v1/models`` (model discovery) and ``HEAD /api/hello`` from the shim.
    discovery: bool = True
    # model id -> the name Claude Code's /model shows for it (``display_name``).
    display_names: dict[str, str] = field(default_factory=dict)
    # Keep a Claude Code session (x-claude-code-session-id) on the member of its first turn.
    sticky_sessions: bool = True
    source: str | None = field(default=None, init=False, compare=False)

    def with_flags(
        self, host: str | None = None, port: int | None = None, ping_interval: float | None = None
    ) -> ShimConfig:
        if ping_interval is not None:
            if ping_interval < 0:
                raise UsageError("--ping-interval must be 0 (no pings) or more seconds")
            self.ping_interval_s = ping_interval
        if host is not None:
            self.listen.host = host
        if port is not None:
            if not 0 <= port <= 65535:
                raise UsageError(f"--port must be between 0 and 65535, not {port}")
            self.listen.port = port
        return self


def from_text(text: str, source: str) -> ShimConfig:
    return from_doc(yamlio.parse(text, source))


def from_doc(doc: yamlio.Located) -> ShimConfig:
    config = schema.build(ShimConfig, doc.data, doc)
    validate(config, doc)
    config.source = doc.source
    return config


def load(path: Path) -> ShimConfig:
    return from_doc(yamlio.read(path))


def for_chain(names: list[str], host: str | None = None, port: int | None = None) -> ShimConfig:
    config = ShimConfig(chain=list(names))
    validate(config, None)
    return config.with_flags(host, port)


def validate(config: ShimConfig, doc: yamlio.Located | None) -> None:
    def fail(path: tuple[str, ...], message: str) -> ConfigError:
        if doc is None:
            return ConfigError(f"{'.'.join(path)}: {message}")
        return schema.fail(doc, path, message)

    if not config.chain and config.providers:
        config.chain = list(config.providers)  # the seed's file: its providers, in order
    _check_chain(config, fail)
    _check_settings(config, fail)
    seedfile.check(config.providers, fail)
    rules.compile_rules(config, fail)  # regexes, routes and fallbacks resolve
    _check_times(config, fail)


def _check_chain(config: ShimConfig, fail: rules.Fail) -> None:
    if not config.chain:
        raise fail(("chain",), "name at least one profile: chain: [corp] (or --profile NAME)")
    for i, name in enumerate(config.chain):
        if not NAME_RE.match(name):
            raise fail(("chain", str(i)), f"{name!r} is not a valid profile name")
    if len(set(config.chain)) != len(config.chain):
        raise fail(("chain",), "a profile appears twice; list each once")


def _check_settings(config: ShimConfig, fail: rules.Fail) -> None:
    if config.order not in ORDERS:
        raise fail(("order",), f"use one of {', '.join(ORDERS)}")
    if not 0 <= config.listen.port <= 65535:
        raise fail(("listen", "port"), "must be between 0 and 65535")
    if not config.listen.host:
        raise fail(("listen", "host"), "name an address, e.g. 127.0.0.1")
    if config.retry.attempts < 1:
        raise fail(("retry", "attempts"), "must be 1 or more")
    if config.breaker.failures < 1:
        raise fail(("breaker", "failures"), "must be 1 or more")


def _check_times(config: ShimConfig, fail: rules.Fail) -> None:
    for key in ("connect_s", "first_byte_s", "total_s", "idle_s"):
        value = getattr(config.timeouts, key)
        if value is not None and value <= 0:
            raise fail(("timeouts", key), "must be more than 0 seconds")
    for key, value in vars(config.limits).items():
        if not value > 0 or (key in ("max_json_depth", "max_connections") and value < 2):
            raise fail(("limits", key), "must be more than 0 (depth and connections: 2 or more)")
    if config.shutdown_grace_s < 0 or config.health_interval_s <= 0:
        raise fail(("shutdown_grace_s",), "must be 0 or more (health_interval_s: more than 0)")
    if config.ping_interval_s < 0:
        raise fail(("ping_interval_s",), "must be 0 (no pings) or more seconds")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
