"""Chain members: a profile made ready to forward to (session, credential, headers, formats).

Everything a request needs from its member is computed here once at start: the credential
header in the profile's auth style, the profile's custom headers, the base URL. The real
secret lives only in ``Member.fixed_headers``; it never reaches a log, an error or a client.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from llmgw_cli.config.model import Profile
from llmgw_cli.shim.members import session

# Never forwarded: hop-by-hop headers (RFC 9110 §7.6.1), what aiohttp sets itself, and the
# client's local token (replaced by the member's credential).
DROP_REQUEST = (
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "expect",  # answered by the shim itself (100-continue)
    "content-encoding",  # the shim decoded the client's body (forward/entry.py)
    "authorization",
    "x-api-key",
)
DROP_RESPONSE = (
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
)


@dataclass(eq=False)
class Member:
    """One upstream the shim can forward to."""

    name: str
    profile: Profile
    base: str  # endpoint root, no trailing slash
    formats: tuple[str, ...]
    fixed_headers: dict[str, str]  # custom headers, then the credential (which wins)
    session: aiohttp.ClientSession | None = None
    proxy: URL | None = None  # where its connections go first, when proxied
    # Reachability as last seen (a real request or a probe); None: not yet known.
    reachable: bool | None = None
    checked_at: float = 0.0
    last_error: str | None = None
    requests: int = 0
    errors: int = 0
    in_flight: int = field(default=0)
    # Told when reachability flips (the metrics plugin's upstream gauge).
    on_change: Callable[[str, bool], None] | None = None
    # Circuit breaker state: closed | open | half_open. The breaker (issue 6) reports each
    # transition with ``set_breaker_state``; the server wires ``on_state`` to the plugins
    # (the metrics plugin's llmgw_breaker_state gauge).
    breaker_state: str = "closed"
    on_state: Callable[[str, str], None] | None = None
    # Whether to ask for usage in OpenAI streams (``openai_usage``); False once the member
    # refused ``stream_options`` (older Azure API versions, some compatible servers).
    stream_usage: bool = True
    # The credential itself, for the scrubber only (forward/scrub.py): never shown.
    secret: str | None = field(default=None, repr=False)
    url: URL = field(init=False, repr=False)  # ``base`` parsed once; forward/target.py joins it

    def __post_init__(self) -> None:
        self.url = URL(self.base)

    # The most a whole answer may be, decoded (limits.max_response_mb of the shim config).
    max_response_bytes: int = 64 << 20

    def start(self) -> None:
        """Open the pooled session; call inside the event loop."""
        if self.session is None:
            self.session = session.new_session(self.profile)
            self.proxy, _ = session.proxy_for(self.profile)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    def outgoing_headers(
        self, client: CIMultiDictProxy[str] | Mapping[str, str]
    ) -> CIMultiDict[str]:
        headers: CIMultiDict[str] = CIMultiDict(client)
        conn = headers.get("connection")
        for name in DROP_REQUEST:
            headers.popall(name, None)
        if conn:  # headers the client named as hop-by-hop go too
            for token in conn.split(","):
                headers.popall(token.strip(), None)
        headers.update(self.fixed_headers)
        return headers

    def mark(self, ok: bool, error: str | None = None) -> None:
        if ok is not self.reachable and self.on_change is not None:
            self.on_change(self.name, ok)
        self.reachable = ok
        self.checked_at = time.monotonic()
        self.last_error = None if ok else error

    def set_breaker_state(self, state: str) -> None:
        """Record a breaker transition and tell whoever watches (cheap when unchanged)."""
        if state == self.breaker_state:
            return
        self.breaker_state = state
        if self.on_state is not None:
            self.on_state(self.name, state)

    def secrets(self) -> list[str | None]:
        """What must never reach a client or a log: the credential, and any password in
        the endpoint's or the proxy's URL (plugins/scrub.py removes them)."""
        out = [self.secret, self.url.password]
        if url := self.profile.proxy.url():
            out += [URL(url).password, self.profile.proxy.password]
        return out

    def serves(self, fmt: str) -> bool:
        return fmt in self.formats

    def public(self) -> dict[str, object]:
        """What /health and `shim status` show: never the credential."""
        return {
            "name": self.name,
            "upstream": shown_url(self.base),
            "formats": list(self.formats),
            "reachable": self.reachable,
            "last_error": self.last_error,
            "requests": self.requests,
            "errors": self.errors,
            "in_flight": self.in_flight,
        }


def credential_headers(profile: Profile, secret: str | None) -> dict[str, str]:
    if secret is None or profile.auth.type == "none":
        return {}
    if profile.auth.type == "x-api-key":
        return {"x-api-key": secret}
    return {"Authorization": f"Bearer {secret}"}


def shown_url(url: str) -> str:
    """``url`` without its userinfo, for /health, status and errors."""
    parsed = URL(url)
    return str(parsed.with_user(None)) if parsed.raw_user or parsed.raw_password else url


# Set from the profile's auth or by the shim itself, never from a profile's headers
# (profile validation refuses the framing ones; this drops them from older files too).
_NOT_FROM_HEADERS = frozenset(("authorization", "x-api-key", *DROP_REQUEST))


def from_profile(profile: Profile, secret: str | None) -> Member:
    fixed = {
        k: v
        for k, v in profile.headers.items()
        if k.lower() not in _NOT_FROM_HEADERS and not k.lower().startswith("proxy-")
    }
    fixed.update(credential_headers(profile, secret))
    return Member(
        name=profile.name,
        profile=profile,
        base=profile.root,
        formats=tuple(profile.formats),
        fixed_headers=fixed,
        secret=secret,
    )
