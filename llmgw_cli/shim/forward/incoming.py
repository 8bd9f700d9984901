"""A client's body, read within the shim's limits before anything else looks at it.

- at most ``limits.max_request_mb`` as sent, and again once decoded;
- ``Content-Encoding`` gzip or deflate is decoded here (within the cap: a 4 MB body that
  inflates to 1 GB stops at the limit, and a gzip whose trailer announces more than the
  limit is refused unread) and forwarded decoded, the header dropped: members need not
  accept compressed requests. Any other encoding (br, zstd, …) is refused with 415;
- JSON nested deeper than ``limits.max_json_depth`` is refused with 400 before a plugin,
  the router or a member sees it (``bounded.json_too_deep``: C-speed, no recursion; for a
  large body resumed from the previous turn's measure, ``bodyscan``).

``read_body`` returns the body and, when refused, the status and message of the answer.
"""

from __future__ import annotations

import zlib

from aiohttp import web

from llmgw_cli import bounded
from llmgw_cli.shim.config import Limits
from llmgw_cli.shim.forward import bodyscan

Refusal = tuple[int, str]


def _too_big(limits: Limits) -> Refusal:
    return (
        413,
        f"the request body passed limits.max_request_mb ({limits.max_request_mb:g} MB) of "
        "the shim config (counted decoded); send less, or raise the limit",
    )


async def read_body(request: web.BaseRequest, limits: Limits) -> tuple[bytes, Refusal | None]:
    try:
        body = await request.read()  # aiohttp stops at client_max_size (the same limit)
    except web.HTTPRequestEntityTooLarge:
        return b"", _too_big(limits)
    encoding = request.headers.get("Content-Encoding")
    if encoding:
        try:
            body = decode(body, encoding, limits.request_bytes)
        except bounded.TooLarge:
            return b"", _too_big(limits)
        except bounded.UnsupportedEncoding as exc:
            return b"", (
                415,
                f"Content-Encoding {exc.encoding} is not accepted by the shim; "
                "send the body as identity, gzip or deflate",
            )
        except zlib.error as exc:
            return b"", (400, f"the {encoding} body does not decode ({exc})")
    if body and await bodyscan.too_deep(body, limits.max_json_depth):
        return b"", (
            400,
            f"the JSON body is nested more than {limits.max_json_depth} deep "
            "(limits.max_json_depth of the shim config); no API request needs that",
        )
    return body, None


def decode(body: bytes, encoding: str, limit: int) -> bytes:
    inflater = bounded.Inflater.for_encoding(encoding, limit)
    if inflater is None:
        return body
    # A single-member gzip ends with its inflated size (mod 2**32): a bomb that says so
    # honestly is refused without inflating a byte; one that lies stops at the limit.
    announced = int.from_bytes(body[-4:], "little") if len(body) >= 18 else 0
    if inflater.encoding != "deflate" and announced > limit:
        raise bounded.TooLarge(limit)
    return inflater.feed(body)
