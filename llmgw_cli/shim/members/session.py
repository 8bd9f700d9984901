"""One pooled aiohttp session per chain member, honouring the profile's TLS and proxy.

The client talks plain HTTP to the shim on loopback; the shim speaks TLS to the gateway
with the profile's CA bundle and client certificate, through the profile's proxy (HTTPS
through CONNECT), so neither the corporate CA nor the proxy has to be known to the client.
Everything here is decided once per member, at start, never per request.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import aiohttp
from yarl import URL

from llmgw_cli import netproxy
from llmgw_cli.config.model import Profile
from llmgw_cli.errors import ConfigError


def ssl_context(profile: Profile) -> ssl.SSLContext:
    """The system trust store plus the profile's CA bundle, and its client certificate."""
    ctx = ssl.create_default_context()
    tls = profile.tls
    if not tls.verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    try:
        if tls.ca_bundle:
            ctx.load_verify_locations(cafile=_path(tls.ca_bundle))
        if tls.client_cert:
            key = _path(tls.client_key) if tls.client_key else None
            ctx.load_cert_chain(_path(tls.client_cert), key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"profile {profile.name!r}: cannot load its TLS files ({exc}); "
            "check tls.ca_bundle, tls.client_cert and tls.client_key"
        ) from exc
    return ctx


def _path(value: str) -> str:
    return str(Path(os.path.expanduser(value)))


def bypasses_proxy(host: str, no_proxy: list[str], port: int | None = None) -> bool:
    """NO_PROXY by llmgw's rules, the one matcher doctor explains (llmgw_cli/netproxy.py)."""
    return netproxy.bypass_entry(no_proxy, host, port) is not None


def proxy_for(profile: Profile) -> tuple[URL | None, aiohttp.BasicAuth | None]:
    """The proxy this member's requests go through (None when direct or bypassed)."""
    if not profile.proxy.https:
        return None, None
    root = URL(profile.root)
    if bypasses_proxy(root.host or "", profile.proxy.no_proxy, root.port):
        return None, None
    proxy = URL(profile.proxy.url() or "")
    auth = None
    if proxy.user is not None:
        auth = aiohttp.BasicAuth(proxy.user, proxy.password or "")
        proxy = proxy.with_user(None)
    return proxy, auth


def timeout_for(profile: Profile) -> aiohttp.ClientTimeout:
    t = profile.timeouts
    # sock_read bounds the wait for the first byte and every silence after it; SSE
    # streams send pings, so a healthy long stream never trips it.
    return aiohttp.ClientTimeout(total=t.total_s, connect=t.connect_s, sock_read=t.first_byte_s)


def new_session(profile: Profile) -> aiohttp.ClientSession:
    """A pooled session for one member. Call inside the shim's event loop."""
    use_tls = URL(profile.root).scheme == "https"
    connector = aiohttp.TCPConnector(
        limit=0,  # no pool cap: 500 concurrent streams must not queue behind 100
        ssl=ssl_context(profile) if use_tls else False,
        ttl_dns_cache=300,
        keepalive_timeout=30,
    )
    proxy, proxy_auth = proxy_for(profile)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=timeout_for(profile),
        proxy=proxy,
        proxy_auth=proxy_auth,
        auto_decompress=False,  # bytes pass through as sent, Content-Encoding with them
        skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept", "Content-Type"),
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,  # the profile decides, not the shim's own environment
    )
