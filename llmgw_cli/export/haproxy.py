"""An HAProxy config that balances several gateway instances (`llmgw export haproxy`).

The seed's shape: one frontend, one ``balance leastconn`` backend (LLM requests last from
seconds to minutes, so the least busy instance is the right pick), active health checks,
and timeouts that let a streamed answer pause between events without being cut. HAProxy
relays responses as they arrive; ``http-no-delay`` sends each SSE event at once, and request
bodies are not buffered.

Servers come from profiles (their endpoints) or from ``--server URL``. A server is named
after its ``host:port`` and ``http-send-name-header Host`` sends that name as the Host
header, so a gateway behind virtual hosting or an ingress gets its own name. HTTPS servers
are verified against the profile's CA bundle, or the system's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from llmgw_cli.config.model import Profile
from llmgw_cli.errors import UsageError
from llmgw_cli.export import Exported


@dataclass(frozen=True)
class Server:
    name: str  # host:port, also the Host header sent
    host: str
    port: int
    tls: bool
    ca_file: str | None = None
    verify: bool = True
    path: str = ""  # an endpoint path prefix HAProxy will not add


def server_from_url(url: str, ca_file: str | None = None, verify: bool = True) -> Server:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--server {url!r}: give a URL like https://gw1.corp:443")
    tls = parts.scheme == "https"
    try:
        port = parts.port or (443 if tls else 80)
    except ValueError as exc:
        raise UsageError(f"--server {url!r}: the port is not a number") from exc
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    path = parts.path.rstrip("/")
    return Server(f"{shown}:{port}", host, port, tls, ca_file, verify, path)


def servers_from_profiles(profiles: Sequence[Profile]) -> list[Server]:
    return [server_from_url(p.root, p.tls.ca_bundle, p.tls.verify) for p in profiles]


def export(
    servers: Sequence[Server],
    bind: str = "*:8080",
    health_path: str = "/health",
    stats_bind: str | None = "127.0.0.1:8404",
) -> Exported:
    if not servers:
        raise UsageError("no servers: name profiles with --profile, or URLs with --server")
    if not health_path.startswith("/") or any(c.isspace() for c in health_path):
        raise UsageError(f"--health-path {health_path!r}: give a path like /health")
    notes: list[str] = []
    unique: dict[str, Server] = {}
    for s in servers:
        unique.setdefault(s.name, s)
    if len(unique) < len(servers):
        notes.append("servers with the same host:port were listed once")
    prefixes = {s.path for s in unique.values()}
    if prefixes != {""}:
        notes.append(
            "endpoint paths (" + ", ".join(sorted(p or "/" for p in prefixes)) + ") are not "
            "added by HAProxy; clients must send them"
        )
    lines = [
        "# HAProxy config written by `llmgw export haproxy`: least-connections balancing",
        "# over LLM gateway instances, with health checks and streaming-friendly timeouts.",
        "# Check it with: haproxy -c -f THIS_FILE",
        "global",
        "    log stdout format raw local0",
        "    maxconn 4096",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        "    option forwardfor",
        "    option http-no-delay            # each SSE event leaves as soon as it arrives",
        "    no option http-buffer-request   # relay request bodies, do not hold them",
        "    option redispatch               # a retry may go to another instance",
        "    retries 2",
        "    timeout connect 5s",
        "    timeout http-request 60s",
        "    timeout queue 30s",
        "    timeout client 10m              # streams may pause between events;",
        "    timeout server 10m              # Claude Code itself gives up after 5 idle minutes",
        "    timeout http-keep-alive 60s",
        "    timeout tunnel 1h",
        "",
        "resolvers dns                       # re-resolve gateway names while running",
        "    parse-resolv-conf",
        "    hold valid 10s",
        "",
        "frontend llm_gateway",
        f"    bind {bind}",
        "    default_backend llm_gateways",
        "",
        "backend llm_gateways",
        "    balance leastconn",
        "    option httpchk",
        f"    http-check send meth GET uri {health_path} ver HTTP/1.1",
        "    http-check expect rstatus ^[234]   # the instance answers; 5xx or silence: down",
        "    http-send-name-header Host",
        # init-addr: start even when a name does not resolve yet (that server stays down).
        "    default-server inter 10s fall 3 rise 2 slowstart 30s"
        " resolvers dns init-addr last,libc,none",
    ]
    for s in unique.values():
        lines.append("    " + _server_line(s))
    if stats_bind:
        lines += [
            "",
            "listen stats",
            f"    bind {stats_bind}",
            "    stats enable",
            "    stats uri /stats",
            "    stats refresh 10s",
        ]
    return Exported("\n".join(lines) + "\n", notes)


def _server_line(s: Server) -> str:
    addr = f"[{s.host}]:{s.port}" if ":" in s.host else f"{s.host}:{s.port}"
    parts = [f"server {s.name} {addr} check"]
    if s.tls:
        parts.append("ssl")
        if s.verify:
            parts.append(f"verify required ca-file {s.ca_file or '@system-ca'}")
        else:
            parts.append("verify none")
        parts.append(f"sni str({s.host}) check-sni {s.host} alpn http/1.1")
    return " ".join(parts)
