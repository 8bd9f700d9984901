"""Layer 2: the network path — proxy, DNS, TCP and TLS, each timed on its own."""

from __future__ import annotations

import socket
import ssl
import time
from urllib.parse import urlsplit

from llmgw_cli.doctor import netprobe, proxyenv, tlscheck
from llmgw_cli.doctor.checks_config import is_loopback
from llmgw_cli.doctor.context import Context
from llmgw_cli.doctor.netprobe import ProbeError, ms_since
from llmgw_cli.doctor.proxyenv import Target
from llmgw_cli.doctor.registry import check
from llmgw_cli.doctor.result import Outcome, fail, ok, skip, warn
from llmgw_cli.errors import LlmgwError


def client_environ(ctx: Context) -> dict[str, str]:
    """The proxy variables Claude Code sees once `llmgw env` applied this profile."""
    from llmgw_cli.clientenv import mapping

    environ = dict(ctx.environ)
    plan = mapping.plan(ctx.profile, None, environ=environ)
    return proxyenv.proxy_environ(mapping.apply(plan, environ))


@check(
    "proxy",
    layer="net",
    title="effective proxy (httpx, curl, Node) and CONNECT",
    depends=("config",),
)
def proxy(ctx: Context) -> Outcome:
    p, target = ctx.profile, Target.parse(ctx.profile.root)
    try:
        ctx.secrets.fill_proxy(p)  # proxy.secret: the password Claude Code's URL will carry
    except LlmgwError as exc:
        return fail("cannot read the proxy's password", exc.message, {"ref": p.proxy.secret})
    env = client_environ(ctx)
    decisions = proxyenv.decide_all(env, p.root)
    route = ctx.route = decisions["httpx"]
    ctx.first_hop = (target.host, target.port)
    problems = _proxy_problems(ctx, env, decisions, target)
    detail: dict[str, object] = {
        "clients": {c: d.describe() for c, d in decisions.items()},
        "environment": {
            k: (v if k.lower() == "no_proxy" else proxyenv.redact(v)) for k, v in env.items()
        },
        "notes": proxyenv.entry_notes(env),
        # The shim's own decision (profile only, netproxy's rules): what `llmgw shim` does.
        "shim": proxyenv.shim_route(p.root, p.proxy.url(), p.proxy.no_proxy).describe(),
    }
    if problems:
        detail["problems"] = problems
    if route.proxy is None:
        summary = route.describe()
        return (
            warn(f"{summary}; {problems[0]}", _proxy_fix(p.name), detail)
            if problems
            else ok(summary, detail)
        )
    parts = urlsplit(route.proxy)
    if parts.scheme != "http" or not parts.hostname:
        detail["tunnel"] = "not probed: doctor probes http:// proxies only"
        return warn(f"{route.describe()}; tunnel not probed", None, detail)
    ctx.first_hop = (parts.hostname, parts.port or 80)
    start = time.perf_counter()
    try:
        sock = netprobe.open_first_hop(
            parts.hostname, parts.port or 80, ctx.options.connect_timeout
        )
    except ProbeError as exc:
        return fail(
            f"cannot reach the proxy {proxyenv.redact(route.proxy)}: {exc.message}",
            "check proxy.https / HTTPS_PROXY (host and port) and that the proxy runs",
            detail,
        )
    ctx.dog.track(sock)  # the check's deadline holds even for a proxy that drips
    with sock:
        sock.settimeout(ctx.options.connect_timeout)
        try:
            reply = _through(sock, route.proxy, target, p.root)
        except ProbeError as exc:
            return fail(f"the proxy did not answer: {exc.message}", "check the proxy URL", detail)
    detail["tunnel"] = f"{reply.status} {reply.reason}".strip()
    detail["tunnel_ms"] = round(ms_since(start), 1)
    return _tunnel_outcome(reply, route, target, problems, detail)


def _through(
    sock: socket.socket, proxy_url: str, target: Target, root: str
) -> netprobe.TunnelReply:
    hostport = (
        f"[{target.host}]:{target.port}" if ":" in target.host else f"{target.host}:{target.port}"
    )
    if target.scheme == "https":
        return netprobe.proxy_request(sock, proxy_url, f"CONNECT {hostport} HTTP/1.1", hostport)
    return netprobe.proxy_request(sock, proxy_url, f"GET {root}/ HTTP/1.1", hostport)


def _tunnel_outcome(
    reply: netprobe.TunnelReply,
    route: proxyenv.Decision,
    target: Target,
    problems: list[str],
    detail: dict[str, object],
) -> Outcome:
    shown = proxyenv.redact(route.proxy or "")
    where = f"{target.host}:{target.port}"
    if reply.status == 407:
        has_creds = netprobe.proxy_auth_header(route.proxy or "") is not None
        summary = (
            "the proxy refused the credentials in its URL (407)"
            if has_creds
            else "the proxy requires authentication (407 Proxy Authentication Required)"
        )
        return fail(
            summary,
            "put the proxy credentials in its URL: http://USER:PASSWORD@proxy:port "
            "(proxy.https in the profile, or HTTPS_PROXY); Claude Code reads the same URL",
            detail,
        )
    connected = (
        200 <= reply.status < 300
        if target.scheme == "https"
        else reply.status not in (502, 503, 504)
    )
    if not connected:
        reason = {
            403: "forbids",
            502: "cannot reach",
            503: "cannot reach",
            504: "timed out reaching",
        }.get(reply.status, "refused")
        return fail(
            f"via proxy {shown}: the proxy {reason} {where} "
            f"({reply.status} {reply.reason})".rstrip(),
            "ask the proxy's operators to allow the gateway (CONNECT to port "
            f"{target.port}), or add the gateway to no_proxy if it is reachable directly",
            detail,
        )
    how = "CONNECT" if target.scheme == "https" else "forward"
    summary = f"via proxy {shown} (from {route.variable}); {how} to {where} ok"
    if problems:
        return warn(f"{summary}; {problems[0]}", None, detail)
    return ok(summary, detail)


def _proxy_problems(
    ctx: Context, env: dict[str, str], decisions: dict[str, proxyenv.Decision], target: Target
) -> list[str]:
    route, problems = decisions["httpx"], []
    for client in ("curl", "node"):
        other = decisions[client]
        if (other.proxy or None) != (route.proxy or None):
            label = "Node (Claude Code)" if client == "node" else client
            problems.append(f"{label} would go {other.describe()}, httpx {route.describe()}")
    wanted = ctx.profile.proxy.url()
    if wanted and target.scheme == "http":
        problems.append("proxy.https applies to https:// endpoints only; this one is http://")
    elif wanted and proxyenv.redact(route.proxy or "") != proxyenv.redact(wanted):
        problems.append(f"the profile's proxy.https is not what clients use: {route.describe()}")
    shim = proxyenv.shim_route(ctx.profile.root, wanted, ctx.profile.proxy.no_proxy)
    if wanted and (shim.proxy or None) != (route.proxy or None):  # same settings, other rules
        problems.append(f"the shim would go {shim.describe()}, httpx {route.describe()}")
    no_proxy = env.get("no_proxy", env.get("NO_PROXY", ""))
    entries = {e.strip().lower() for e in no_proxy.replace(" ", ",").split(",") if e.strip()}
    if route.proxy and is_loopback(target.host):
        twin = "localhost" if target.is_ip else "127.0.0.1"
        if twin in entries:
            problems.append(
                f"NO_PROXY lists {twin} but the endpoint uses {target.host}: "
                "no client treats them as the same"
            )
    return problems


def _proxy_fix(name: str) -> str:
    return (
        f"make the clients agree: list the gateway in no_proxy in a form all read (e.g. "
        f".corp.com and corp.com, not *.corp.com or a CIDR): "
        f"`llmgw profile set {name} 'proxy.no_proxy=[corp.com, .corp.com]'`, "
        "and unset stale lowercase https_proxy/no_proxy in your shell"
    )


@check("dns", layer="net", title="name resolution of the first hop", depends=("proxy",))
def dns(ctx: Context) -> Outcome:
    host, port = ctx.first_hop or (Target.parse(ctx.profile.root).host, 0)
    via = ctx.proxy_url is not None
    if proxyenv.ip_of(host) is not None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        ctx.addresses = [(int(family), (host, port))]
        return skip(f"{host} is an IP address: nothing to resolve")
    start = time.perf_counter()
    try:
        ctx.addresses = netprobe.resolve(host, port, ctx.options.connect_timeout)
    except ProbeError as exc:
        what = "the proxy host" if via else "the endpoint host"
        fixes = {
            "nxdomain": f"check the spelling of {what} {host}; an internal name needs the VPN or "
            "the company DNS (names under .invalid never resolve)",
            "nodata": f"{host} has no A/AAAA record: ask its owners, or use another name",
        }
        return fail(
            exc.message,
            fixes.get(exc.kind, "check the network, the VPN and /etc/resolv.conf"),
            {"host": host, "kind": exc.kind},
        )
    ms = ms_since(start)
    shown = [str(sockaddr[0]) for _, sockaddr in ctx.addresses]
    note = f" (the proxy resolves {Target.parse(ctx.profile.root).host})" if via else ""
    return ok(
        f"{host} → {', '.join(shown[:4])} in {ms:.0f} ms{note}",
        {"host": host, "addresses": shown, "resolve_ms": round(ms, 1)},
    )


@check("tcp", layer="net", title="TCP connect per address", depends=("dns",))
def tcp(ctx: Context) -> Outcome:
    host, port = ctx.first_hop or ("?", 0)
    tried: dict[str, str] = {}
    kinds: list[str] = []
    for address in ctx.addresses[:4]:
        label = f"{address[1][0]}:{address[1][1]}"
        start = time.perf_counter()
        try:
            netprobe.connect(address, ctx.options.connect_timeout).close()
        except ProbeError as exc:
            tried[label] = f"{exc.message} after {ms_since(start):.0f} ms"
            kinds.append(exc.kind)
            continue
        tried[label] = f"connected in {ms_since(start):.1f} ms"
        ctx.connected = ctx.connected or address
    detail = {"addresses": tried}
    if ctx.connected is None:
        first = next(iter(tried.values()), "no address").split(" after ")[0]
        fixes = {
            "refused": f"nothing listens on {host}:{port}: start the gateway (or `llmgw mock` / "
            "the shim), or point the profile at the right port: "
            f"`llmgw profile set {ctx.profile.name} endpoint=URL`",
            "timeout": "packets are dropped: a firewall, a wrong address or a VPN that is down",
            "unreachable": "no route to the host: connect the VPN or check the network",
        }
        return fail(
            f"{host}:{port}: {first}",
            fixes.get(kinds[0] if kinds else "", "check the network"),
            detail,
        )
    label = f"{ctx.connected[1][0]}:{ctx.connected[1][1]}"
    summary = f"{label} {tried[label]}"
    if "timeout" in kinds:
        return warn(
            f"{summary}; other addresses time out",
            "clients may wait on the dead address first: fix its DNS record or the route",
            detail,
        )
    return ok(summary, detail)


def _open(ctx: Context, target: Target) -> socket.socket:
    if ctx.proxy_url:
        parts = urlsplit(ctx.proxy_url)
        sock = netprobe.open_first_hop(
            parts.hostname or "", parts.port or 80, ctx.options.connect_timeout
        )
        ctx.dog.track(sock)
        reply = _through(sock, ctx.proxy_url, target, ctx.profile.root)
        if not 200 <= reply.status < 300:
            sock.close()
            raise ProbeError("proxy", f"the proxy answered {reply.status} to CONNECT")
        return sock
    assert ctx.connected is not None
    sock = netprobe.connect(ctx.connected, ctx.options.connect_timeout)
    ctx.dog.track(sock)
    return sock


@check(
    "tls",
    layer="net",
    title="TLS version, certificate, trust (certifi, system, ca_bundle)",
    depends=("tcp",),
)
def tls(ctx: Context) -> Outcome:
    target = Target.parse(ctx.profile.root)
    if target.scheme != "https":
        return skip("plain http: no TLS on this endpoint")
    try:
        return tlscheck.diagnose(ctx, target, lambda: _open(ctx, target))
    except ProbeError as exc:
        return fail(
            f"cannot open a connection for TLS: {exc.message}", "see the tcp and proxy checks"
        )
    except (OSError, ssl.SSLError) as exc:
        return fail(f"TLS setup failed: {exc}", "check tls.ca_bundle / client_cert / client_key")
