"""Strict checks on what a profile sends and runs, at add/edit/set/import time (and on load).

- URLs: http(s), a host, a port 1-65535; no spaces, control characters or backslashes (Python
  and Node split ``http://host\\@evil`` differently); userinfo refused in the endpoint ("put
  the credential in auth"); allowed in the proxy URL, but masked wherever it is shown
  (``shown_url``) and never written into project-scope Claude settings. `profile add` and
  `secret set --proxy` move a proxy password out of the URL into ``proxy.secret``
  (``split_password`` / ``with_password``).
- Headers: hop-by-hop and framing names (``Host``, ``Content-Length``, ``Transfer-Encoding``,
  ``Connection``, ``Upgrade``, ``TE``, ``Trailer``, ``Keep-Alive``, ``Proxy-*``) refused; the
  shim sets those itself. Values with control characters refused.
- ``claude_code.env``: no loader or path variables (PATH, LD_*, DYLD_*, NODE_OPTIONS, PYTHON*).
- Timeouts: finite and more than 0.
"""

from __future__ import annotations

import math
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

FRAMING_HEADERS = frozenset(
    [
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "upgrade",
        "te",
        "trailer",
        "keep-alive",
        "expect",
    ]
)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # a tab is allowed (RFC 9110 §5.5)
_URL_BAD = re.compile(r"[\x00-\x20\x7f\\]")
_LOADER_ENV = re.compile(r"^(PATH|NODE_OPTIONS|NODE_PATH|LD_.*|DYLD_.*|PYTHON.*)$", re.IGNORECASE)


def url_problem(url: str, userinfo_ok: bool) -> str | None:
    """Why ``url`` is not a usable endpoint/proxy URL, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an http(s) URL; write it as https://host[:port]"
    if _URL_BAD.search(url):
        return "holds a space, a control character or a backslash; write it as https://host[:port]"
    if port is not None and not 1 <= port <= 65535:
        return f"has port {port}; use a port from 1 to 65535"
    if parts.netloc.endswith(":"):
        return "has an empty port; remove the ':' or give a port"
    if (parts.username is not None or parts.password is not None) and not userinfo_ok:
        return (
            "holds a user name or password; put the credential in auth "
            "(auth.type and auth.secret), not in the URL"
        )
    if parts.query or parts.fragment:
        return "has a query or fragment; remove it"
    return None


def shown_url(url: str | None) -> str | None:
    """``url`` with any password masked, for everything that shows it."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    except ValueError:
        return url


def url_user(url: str | None) -> str | None:
    """The user name in ``url``'s userinfo (as written), or None."""
    try:
        return urlsplit(url).username if url else None
    except ValueError:
        return None


def split_password(url: str) -> tuple[str, str | None]:
    """``url`` without its password, and the password (percent-decoded), or ``(url, None)``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    host = parts.netloc.rpartition("@")[2]
    bare = urlunsplit(parts._replace(netloc=f"{parts.username}@{host}"))
    return bare, unquote(parts.password)


def with_password(url: str, password: str) -> str:
    """``url`` (``http://user@host``) with ``password`` percent-encoded into its userinfo."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{parts.username or ''}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def header_problem(name: str, value: str) -> str | None:
    low = name.lower()
    if low in FRAMING_HEADERS or low.startswith("proxy-"):
        return (
            f"{name} is a hop-by-hop or framing header the shim and clients set themselves; "
            "remove it from headers"
        )
    if _CONTROL.search(value):
        return "a header value cannot contain a line break or other control characters"
    return None


def env_problem(name: str) -> str | None:
    if _LOADER_ENV.match(name):
        return (
            f"{name} changes what programs load or find; claude_code.env cannot set it "
            "(set it in your shell if you really mean it)"
        )
    return None


def timeout_problem(value: float) -> str | None:
    if not math.isfinite(value) or value <= 0:
        return "must be more than 0 seconds (and a finite number)"
    return None
