"""The one NO_PROXY matcher, table-driven. Each row names the client whose documented rule
it models: curl (>= 7.86, lib/noproxy.c and the curl(1) NO_PROXY docs), Node (undici's
EnvHttpProxyAgent, what Claude Code uses) or the shim (llmgw's own rules, the union of the
two that surprises least). ``True``: the entry sends the URL direct."""

from __future__ import annotations

import pytest

from llmgw_cli.netproxy import CURL, NODE, SHIM, Route, Rules, bypass_entry, decide

P = "http://proxy.corp:3128"
RULES = {"shim": SHIM, "curl": CURL, "node": NODE}

ROWS: list[tuple[str, str, str, bool]] = [
    # (client, no_proxy, url, direct)
    # `*.corp`: Node matches subdomains; curl never matches it; the shim takes it as `.corp`.
    ("node", "*.corp", "https://gw.corp", True),
    ("node", "*.corp", "https://corp", False),
    ("curl", "*.corp", "https://gw.corp", False),
    ("shim", "*.corp", "https://gw.corp", True),
    ("shim", "*.corp", "https://corp", True),
    ("shim", "*.corp", "https://gw.corp.evil.com", False),
    # `.corp`: curl also matches the apex; Node subdomains only.
    ("curl", ".corp", "https://corp", True),
    ("curl", ".corp", "https://a.b.corp", True),
    ("node", ".corp", "https://corp", False),
    ("node", ".corp", "https://gw.corp", True),
    ("shim", ".corp", "https://corp", True),
    ("shim", ".corp", "https://notcorp", False),
    # `corp`: curl and the shim include subdomains; Node matches it exactly.
    ("curl", "corp", "https://gw.corp", True),
    ("curl", "corp", "https://notcorp", False),
    ("node", "corp", "https://gw.corp", False),
    ("node", "corp", "https://corp", True),
    ("shim", "corp", "https://gw.corp", True),
    # `gw.corp:443`: Node and the shim compare the port (the scheme's default counts);
    # curl never matches an entry with a port.
    ("node", "gw.corp:443", "https://gw.corp", True),
    ("node", "gw.corp:443", "https://gw.corp:8443", False),
    ("curl", "gw.corp:443", "https://gw.corp", False),
    ("shim", "gw.corp:443", "https://gw.corp", True),
    ("shim", "gw.corp:443", "https://gw.corp:8443", False),
    ("shim", "gw.corp:8443", "https://gw.corp:8443", True),
    ("shim", "gw.corp:80", "http://gw.corp", True),
    # IPv4 and IPv6 literals, with and without brackets.
    ("curl", "10.1.2.3", "https://10.1.2.3", True),
    ("node", "10.1.2.3", "https://10.1.2.3:8443", True),
    ("shim", "10.1.2.3", "https://10.1.2.4", False),
    ("curl", "::1", "https://[::1]:8443", True),
    ("curl", "[::1]", "https://[::1]:8443", True),
    ("node", "::1", "https://[::1]:8443", False),  # undici reads `::1` as host `:` port 1
    ("node", "[::1]", "https://[::1]:8443", True),
    ("node", "[::1]:8443", "https://[::1]:8443", True),
    ("shim", "::1", "https://[::1]:8443", True),
    ("shim", "[::1]", "https://[::1]", True),
    ("shim", "[::1]:443", "https://[::1]", True),
    ("shim", "[::1]:443", "https://[::1]:8443", False),
    ("shim", "2001:db8::1", "https://[2001:DB8::1]", True),
    ("shim", "127.0.0.1", "https://localhost", False),  # no client treats them as one
    ("shim", "localhost", "https://127.0.0.1", False),
    # CIDR: curl >= 7.86 and the shim match the range; Node (undici) never does.
    ("curl", "10.0.0.0/8", "https://10.1.2.3", True),
    ("curl", "10.0.0.0/8", "https://11.1.2.3", False),
    ("node", "10.0.0.0/8", "https://10.1.2.3", False),
    ("shim", "10.0.0.0/8", "https://10.1.2.3", True),
    ("shim", "fd00::/8", "https://[fd12::1]", True),
    ("shim", "fd00::/8", "https://[fe80::1]", False),
    ("shim", "10.0.0.0/8", "https://ten.corp", False),
    # `*`: everything; curl only when it is the whole value.
    ("curl", "*", "https://anything.example", True),
    ("curl", "a.example,*", "https://anything.example", False),
    ("node", "a.example,*", "https://anything.example", True),
    ("shim", "a.example, *", "https://anything.example", True),
    # Case, trailing dots, whitespace.
    ("curl", "CORP", "https://GW.Corp", True),
    ("node", "GW.CORP", "https://gw.corp", True),
    ("shim", "*.CORP.", "https://GW.Corp.", True),
    ("curl", "corp.", "https://gw.corp.", True),
    ("node", "corp.", "https://corp", False),  # undici keeps the dot
    ("shim", "  a.example \t corp\n", "https://gw.corp", True),
    ("shim", "a.example,,,corp", "https://gw.corp", True),
    ("shim", "", "https://gw.corp", False),
]


@pytest.mark.parametrize(("client", "no_proxy", "url", "direct"), ROWS)
def test_no_proxy_table(client: str, no_proxy: str, url: str, direct: bool) -> None:
    route = decide(url, P, no_proxy, RULES[client])
    assert (route.proxy is None) is direct, route
    if direct:
        assert route.bypass is not None and route.bypass.strip() in no_proxy
    else:
        assert route == Route(P)


def test_no_proxy_given_as_a_list() -> None:
    assert decide("https://gw.corp", P, ["a.example", "*.corp"]) == Route(None, "*.corp")
    assert decide("https://gw.other", P, ["a.example", "*.corp"]) == Route(P)


def test_no_proxy_variable_means_direct() -> None:
    assert decide("https://gw.corp", None, ["x"]) == Route(None)
    assert decide("https://gw.corp", "", []) == Route(None)


def test_unknown_port_compares_the_host_only() -> None:
    assert bypass_entry(["localhost:8080"], "localhost", None) == "localhost:8080"
    assert bypass_entry(["localhost:8080"], "localhost", 9000) is None


def test_every_client_has_rows() -> None:
    assert {row[0] for row in ROWS} == set(RULES)
    assert all(isinstance(r, Rules) for r in RULES.values())
