"""The request target, made canonical once, before auth, routing and any plugin see it.

Only origin-form targets are served (``/path?query``, RFC 9112 §3.2.1): absolute-form
(``http://host/x``), authority-form (``host:443``) and asterisk-form (``*``) are refused with
a 400 in the client's format. The path is then canonicalised (docs/architecture.md, "the
shim's gates"), and the canonical path is both what the gates judge and what is forwarded:

- percent-escapes are decoded once (so ``%2F`` is a slash and ``%2E`` a dot);
- empty segments (``//``) and ``.`` go, ``..`` removes the segment before it (never above
  the root, RFC 3986 §5.2.4);
- ``;params`` are dropped from every segment;
- a backslash, a control character, a ``%`` left after decoding (double encoding) or
  non-UTF-8 bytes are refused rather than guessed at.

The upstream URL is then *joined*: the member's scheme, host and port, its path, then the
canonical path; never the endpoint string and the raw target glued together.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import quote, unquote_to_bytes

from yarl import URL

from llmgw_cli.shim.signals import ShimSignal

# What RFC 3986 allows in a path or query (pchar, "/", "?") plus "%" for escapes.
_RAW_OK = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*")
_BAD_DECODED = re.compile(r"[\x00-\x1f\x7f\\%]")
_SAFE = "/!$&'()*+,=:@~"  # kept as they are when the canonical path is re-encoded


class BadTarget(ShimSignal):
    """The request target is not an origin-form path the shim can serve."""


class Target(NamedTuple):
    path: str  # canonical, decoded; what auth, routing, plugins and translators see
    query: str  # the raw query string (validated), "" when absent


def parse(raw: str) -> Target:
    """``raw``: the request line's target, exactly as received."""
    if not raw.startswith("/"):
        raise BadTarget(
            "only origin-form request targets are served (a path starting with '/', "
            f"such as /v1/messages); got {raw[:60]!r}"
        )
    if _RAW_OK.fullmatch(raw) is None:
        raise BadTarget("the request target holds characters a URL path cannot hold")
    path, _, query = raw.partition("?")
    try:
        decoded = unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadTarget("the request path is not UTF-8 once decoded") from exc
    if _BAD_DECODED.search(decoded):
        raise BadTarget(
            "the request path holds a backslash, a control character or a double-encoded "
            "'%'; send a plain path such as /v1/messages"
        )
    return Target(canonical(decoded), query)


def canonical(decoded: str) -> str:
    """``decoded`` (a percent-decoded path starting with '/') with dot segments resolved,
    empty segments and ``;params`` removed; a trailing slash is kept."""
    out: list[str] = []
    for segment in decoded.split("/"):
        segment = segment.split(";", 1)[0]
        if segment in ("", "."):
            continue
        if segment == "..":
            if out:
                out.pop()
            continue
        out.append(segment)
    trailing = decoded.endswith(("/", "/.", "/..")) and bool(out)
    return "/" + "/".join(out) + ("/" if trailing else "")


def join(base: URL, path: str, query: str = "") -> URL:
    """The member's URL for canonical ``path``: its scheme, host and port, its own path
    (``/v1`` not doubled when both carry it), then ``path``, then ``query``."""
    prefix = base.path.rstrip("/")
    if prefix.endswith("/v1") and (path == "/v1" or path.startswith("/v1/")):
        path = path[3:] or "/"
    return URL.build(
        scheme=base.scheme,
        host=base.raw_host or "",
        port=base.explicit_port,
        path=quote(prefix + path, safe=_SAFE),
        query_string=query,
        encoded=True,
    )
