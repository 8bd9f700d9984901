"""Which proxy a client uses for a URL, by the rules of httpx, curl and Node (undici's
EnvHttpProxyAgent, the rules of Node-based clients such as Claude Code). Pure functions
of an environment. curl's and Node's NO_PROXY entries are matched by the one matcher in
``llmgw_cli.netproxy`` (with their rules), the matcher the shim uses; ``shim_route`` is
the shim's own decision for a profile.

They disagree more than people expect (checked against httpx 0.28, curl's lib/noproxy.c
and undici's env-http-proxy-agent.js):

| NO_PROXY entry | httpx                  | curl                  | Node             |
|----------------|------------------------|-----------------------|------------------|
| ``corp.com``   | corp.com + subdomains  | corp.com + subdomains | corp.com only    |
| ``.corp.com``  | subdomains only        | corp.com + subdomains | subdomains only  |
| ``*.corp.com`` | never matches          | never matches         | subdomains       |
| ``10.0.0.0/8`` | only literal 10.0.0.0  | the whole range       | never matches    |
| ``host:8443``  | that port              | never matches         | that port        |

All three prefer the lowercase variable (``https_proxy`` over ``HTTPS_PROXY``); curl never
reads ``HTTP_PROXY``; Node sends https through ``HTTP_PROXY`` when no https proxy is set;
none of them treats ``localhost`` and ``127.0.0.1`` as the same entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from llmgw_cli import netproxy
from llmgw_cli.netproxy import ip_of as ip_of

CLIENTS = ("httpx", "curl", "node")
PROXY_VARS = ("https_proxy", "http_proxy", "all_proxy", "no_proxy")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lowercase, IPv6 without brackets
    port: int  # always set (the scheme's default when the URL has none)

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return cls(scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS[scheme])

    @property
    def explicit_port(self) -> int | None:
        return None if self.port == _DEFAULT_PORTS.get(self.scheme) else self.port

    @property
    def is_ip(self) -> bool:
        return ip_of(self.host) is not None


@dataclass(frozen=True)
class Decision:
    client: str
    proxy: str | None  # the proxy URL (credentials included), or None: direct
    variable: str | None = None  # where the proxy came from
    bypass: str | None = None  # the NO_PROXY entry that made it direct

    def describe(self) -> str:
        if self.proxy:
            return f"via {redact(self.proxy)} (from {self.variable})"
        if self.bypass is not None:
            return f"direct (NO_PROXY entry {self.bypass!r})"
        return "direct (no proxy variable applies)"


def redact(url: str) -> str:
    """A proxy URL with its password hidden."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:****@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def proxy_environ(environ: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in environ.items() if k.lower() in PROXY_VARS}


def decide_all(environ: Mapping[str, str], url: str) -> dict[str, Decision]:
    target = Target.parse(url)
    return {
        "httpx": httpx_rule(environ, target),
        "curl": curl_rule(environ, target),
        "node": node_rule(environ, target),
    }


# httpx: urllib's getproxies_environment, then httpx's NO_PROXY -> URLPattern mounts.
def httpx_rule(env: Mapping[str, str], t: Target) -> Decision:
    found: dict[str, tuple[str, str]] = {}
    for name, value in env.items():
        if value and name.lower().endswith("_proxy"):
            found[name.lower()[:-6]] = (value, name)
    for name, value in env.items():  # second pass: lowercase names win, even when empty
        if name.endswith("_proxy"):
            if value:
                found[name[:-6]] = (value, name)
            else:
                found.pop(name[:-6], None)
    chosen = found.get(t.scheme) or found.get("all")
    if chosen is None:
        return Decision("httpx", None)
    proxy = chosen[0] if "://" in chosen[0] else "http://" + chosen[0]
    for entry in (e.strip() for e in found.get("no", ("", ""))[0].split(",")):
        if entry == "*" or (entry and _httpx_no_proxy(entry, t)):
            return Decision("httpx", None, bypass=entry)
    return Decision("httpx", proxy, chosen[1])


def _httpx_no_proxy(entry: str, t: Target) -> bool:
    if "://" in entry:
        pattern = entry
    elif ip_of(entry.split("/")[0]) is not None:
        ip = entry.split("/")[0]
        pattern = f"all://[{ip}]" if ":" in ip else f"all://{ip}"
    elif entry.lower() == "localhost":
        pattern = f"all://{entry}"
    else:
        pattern = f"all://*{entry}"
    scheme, _, rest = pattern.partition("://")
    hostport = rest.split("/", 1)[0].lower()
    match = re.fullmatch(
        r"\[(?P<v6>[^\]]*)\](?::(?P<p6>\d+))?|(?P<h>[^:]*)(?::(?P<p>\d*))?", hostport
    )
    if match is None:
        return False
    host = match["v6"] if match["v6"] is not None else (match["h"] or "")
    port_text = match["p6"] or match["p"]
    port = int(port_text) if port_text else None
    if port == _DEFAULT_PORTS.get(scheme):
        port = None
    if scheme != "all" and scheme != t.scheme:
        return False
    if port is not None and port != t.explicit_port:
        return False
    if not host or host == "*":
        return True
    if host.startswith("*."):
        return re.fullmatch(r".+\." + re.escape(host[2:]), t.host) is not None
    if host.startswith("*"):
        return re.fullmatch(r"(.+\.)?" + re.escape(host[1:]), t.host) is not None
    return host == t.host


# curl: lib/url.c detect_proxy and lib/noproxy.c Curl_check_noproxy.
def curl_rule(env: Mapping[str, str], t: Target) -> Decision:
    name = f"{t.scheme}_proxy"
    order = [name] if t.scheme == "http" else [name, name.upper()]  # never HTTP_PROXY
    var = next((v for v in order if v in env), None)
    if var is None:
        var = next((v for v in ("all_proxy", "ALL_PROXY") if v in env), None)
    if var is None or not env[var]:
        return Decision("curl", None)
    proxy = env[var] if "://" in env[var] else "http://" + env[var]
    no = env["no_proxy"] if "no_proxy" in env else env.get("NO_PROXY", "")
    entry = netproxy.bypass_entry(no, t.host, t.port, netproxy.CURL)
    if entry is not None:
        return Decision("curl", None, bypass=entry)
    return Decision("curl", proxy, var)


# Node: undici EnvHttpProxyAgent (`??`: an empty lowercase variable still wins).
def node_rule(env: Mapping[str, str], t: Target) -> Decision:
    def first(*names: str) -> tuple[str | None, str | None]:
        for n in names:
            if n in env:
                return env[n], n
        return None, None

    http_value, http_var = first("http_proxy", "HTTP_PROXY")
    value, var = (http_value, http_var)
    if t.scheme == "https":
        https_value, https_var = first("https_proxy", "HTTPS_PROXY")
        if https_value:
            value, var = https_value, https_var
    if not value:
        return Decision("node", None)
    no = first("no_proxy", "NO_PROXY")[0] or ""
    entry = netproxy.bypass_entry(no, t.host, t.port, netproxy.NODE)
    if entry is not None:
        return Decision("node", None, bypass=entry)
    return Decision("node", value, var)


def entry_notes(environ: Mapping[str, str]) -> list[str]:
    """NO_PROXY entries and variables the three clients read differently."""
    notes: list[str] = []
    for upper in ("HTTPS_PROXY", "NO_PROXY"):
        lower = upper.lower()
        if lower in environ and upper in environ and environ[lower] != environ[upper]:
            notes.append(f"{lower} and {upper} differ; every client uses {lower}")
    raw = environ.get("no_proxy", environ.get("NO_PROXY", ""))
    for entry in (e for e in re.split(r"[,\s]+", raw) if e):
        head = entry.split("/")[0]
        if "/" in entry and ip_of(head) is not None:
            notes.append(f"{entry}: only curl honours CIDR ranges; httpx and Node do not")
        elif entry.startswith("*."):
            notes.append(f"{entry}: only Node honours '*.'; write .{entry[2:]} for curl and httpx")
        elif entry == "*" and raw.strip() != "*":
            notes.append("'*' inside a list: httpx and Node bypass everything, curl ignores it")
        elif entry.startswith(".") and len(entry) > 1:
            notes.append(f"{entry}: curl also matches {entry[1:]} itself; httpx and Node do not")
        elif re.fullmatch(r"[^:]+:\d+", entry):
            notes.append(f"{entry}: curl ignores entries with a port")
        elif ip_of(entry) is None and "." in entry and entry != "*":
            notes.append(f"{entry}: curl and httpx include its subdomains; Node matches it exactly")
    return notes


def shim_route(root: str, proxy: str | None, no_proxy: list[str]) -> Decision:
    """What the shim does for a member: the profile's proxy.https and proxy.no_proxy only
    (the shim ignores its own environment), matched by netproxy's SHIM rules."""
    route = netproxy.decide(root, proxy, no_proxy)
    variable = "the profile's proxy.https" if route.proxy else None
    return Decision("shim", route.proxy, variable, route.bypass)
