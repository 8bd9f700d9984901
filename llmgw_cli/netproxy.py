"""The one NO_PROXY matcher: proxy or direct for a URL, given a proxy and no_proxy entries.

The shim (its member sessions), bench (which opens the shim's sessions) and doctor (which
explains the shim's decision, and where curl and Node would decide otherwise) all ask
``decide``/``bypass_entry`` here (docs/architecture.md). Clients read NO_PROXY differently,
so the rules are a record per client; ``SHIM`` is llmgw's own, the union that surprises
least:

| entry              | SHIM                    | CURL (>= 7.86)          | NODE (undici)          |
|--------------------|-------------------------|-------------------------|------------------------|
| ``*``              | everything              | everything, alone only  | everything             |
| ``corp``           | corp + subdomains       | corp + subdomains       | corp only              |
| ``.corp``          | corp + subdomains       | corp + subdomains       | subdomains only        |
| ``*.corp``         | corp + subdomains       | never matches           | subdomains only        |
| ``gw.corp:443``    | gw.corp on port 443     | never matches           | gw.corp on port 443    |
| ``10.0.0.0/8``     | the range               | the range               | never matches          |
| ``::1``/``[::1]``  | that address            | that address            | never matches / [::1]  |
| ``GW.Corp.``       | case and trailing dot ignored | case and dot ignored | case only         |

Entries are separated by commas and whitespace. Pure functions; nothing here reads the
environment.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
IP = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Rules:
    """How one client reads a NO_PROXY entry."""

    name: str
    star_dot: str  # "*.corp": "apex+sub" | "sub" | "never"
    dot: str  # ".corp": "apex+sub" | "sub"
    bare: str  # "corp": "apex+sub" | "exact"
    ports: bool  # "host:port" entries match that port (False: such entries never match)
    cidr: bool  # "10.0.0.0/8" matches the range
    star_in_list: bool  # "*" among other entries still bypasses everything
    trailing_dot: bool  # "corp." and "gw.corp." are the same as without the dot
    ip_aware: bool  # addresses compared as addresses (brackets, "::1" vs "[::1]")


SHIM = Rules("shim", "apex+sub", "apex+sub", "apex+sub", True, True, True, True, True)
CURL = Rules("curl", "never", "apex+sub", "apex+sub", False, True, False, True, True)
NODE = Rules("node", "sub", "sub", "exact", True, False, True, False, False)


@dataclass(frozen=True)
class Route:
    proxy: str | None  # the proxy URL, or None: direct
    bypass: str | None = None  # the no_proxy entry that made it direct


def split_entries(no_proxy: str | Iterable[str]) -> list[str]:
    raw = [no_proxy] if isinstance(no_proxy, str) else list(no_proxy)
    return [e for item in raw for e in re.split(r"[,\s]+", item) if e]


def ip_of(text: str) -> IP | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _entry_port(entry: str, rules: Rules) -> tuple[str, int | None]:
    """`gw.corp:443` → (gw.corp, 443); `[::1]:443` → (::1, 443); `::1` stays whole.
    undici splits at the last colon, whatever the entry is: `::1` → (":", 1)."""
    if not rules.ip_aware:
        split = re.fullmatch(r"(.+):(\d+)", entry)
        return (split[1], int(split[2])) if split else (entry, None)
    bracketed = re.fullmatch(r"\[([^\]]*)\](?::(\d+))?", entry)
    if bracketed:
        return bracketed[1], int(bracketed[2]) if bracketed[2] else None
    named = re.fullmatch(r"([^:]+):(\d+)", entry)
    if named:
        return named[1], int(named[2])
    return entry, None


def _name_matches(entry: str, host: str, rules: Rules) -> bool:
    if entry.startswith("*."):
        kind, base = rules.star_dot, entry[2:]
    elif entry.startswith("."):
        kind, base = rules.dot, entry[1:]
    else:
        kind, base = rules.bare, entry
    if kind == "never" or not base:
        return False
    if kind == "exact":
        return host == base
    if kind == "sub":
        return host.endswith("." + base)
    return host == base or host.endswith("." + base)


def _ip_matches(entry: str, address: IP, rules: Rules) -> bool:
    network, slash, bits = entry.partition("/")
    if slash and not rules.cidr:
        return False
    net_ip = ip_of(network)
    if net_ip is None or net_ip.version != address.version:
        return False
    if not slash:
        return net_ip == address
    if not bits.isdigit() or int(bits) > net_ip.max_prefixlen:
        return False
    prefix = int(bits) or net_ip.max_prefixlen  # curl: `/0` is the address alone
    return address in ipaddress.ip_network(f"{net_ip}/{prefix}", strict=False)


def _node_literal(entry: str, host: str) -> bool:
    """undici compares the hostname as written: IPv6 in brackets, `*`/`.` as suffixes."""
    hostname = f"[{host}]" if ":" in host else host
    if entry[:1] in (".", "*"):
        return hostname.endswith(entry[1:] if entry.startswith("*") else entry)
    return hostname == entry


def matches(entry: str, host: str, port: int | None, rules: Rules = SHIM) -> bool:
    """Whether one no_proxy entry sends ``host:port`` direct. ``port`` None: unknown, so an
    entry's port is not compared."""
    entry, host = entry.strip().lower(), host.strip("[]").lower()
    if entry == "*":
        return True
    name, entry_port = (entry, None) if rules.cidr and "/" in entry else _entry_port(entry, rules)
    if entry_port is not None and (not rules.ports or (port is not None and port != entry_port)):
        return False
    if not rules.ip_aware:
        return _node_literal(name, host)
    if rules.trailing_dot:
        name, host = name.rstrip("."), host.rstrip(".")
    address = ip_of(host)
    if address is not None:
        return _ip_matches(name, address, rules)
    return ip_of(name) is None and "/" not in name and _name_matches(name, host, rules)


def bypass_entry(
    no_proxy: str | Iterable[str], host: str, port: int | None, rules: Rules = SHIM
) -> str | None:
    """The first entry that sends ``host`` direct, or None."""
    entries = split_entries(no_proxy)
    if not rules.star_in_list and entries != ["*"]:
        entries = [e for e in entries if e != "*"]
    return next((e for e in entries if matches(e, host, port, rules)), None)


def decide(
    url: str, proxy: str | None, no_proxy: str | Iterable[str], rules: Rules = SHIM
) -> Route:
    """Proxy or direct for ``url``: through ``proxy`` unless a no_proxy entry matches."""
    if not proxy:
        return Route(None)
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    entry = bypass_entry(no_proxy, parts.hostname or "", port, rules)
    return Route(None, entry) if entry is not None else Route(proxy)
