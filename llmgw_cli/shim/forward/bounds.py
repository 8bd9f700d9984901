"""What a member's answer may cost the shim: bytes of a whole answer (decoded), time
between two events of a stream, and the words each limit ends an answer with.

    data = await read_capped(resp, member.max_response_bytes)     # TooLarge past it
    data = decoded(resp, data, limit)        # for a translator: gzip/deflate within limit
    idle = IdleWatch(resp, seconds); idle.event(); idle.cancel()   # ends a silent stream

Limits are named in every message as the config writes them (docs/architecture.md).
"""

from __future__ import annotations

import asyncio

import aiohttp

from llmgw_cli import bounded
from llmgw_cli.shim.members.member import Member

TooLarge = bounded.TooLarge
ERROR_BODY_BYTES = 1 << 20  # an error body read ahead (a 400 we may retry without options)


class IdleTimeout(Exception):
    """Set on a member's stream when no complete event came for ``timeouts.idle_s``."""


async def read_capped(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """The whole body as sent (no decoding), at most ``limit`` bytes."""
    body = bytearray()
    async for chunk in resp.content.iter_any():
        body += chunk
        if len(body) > limit:
            raise TooLarge(limit)
    return bytes(body)


def decoded(resp: aiohttp.ClientResponse, data: bytes, limit: int) -> bytes:
    """``data`` decoded by its Content-Encoding (gzip, deflate), at most ``limit`` bytes out.

    Raises ``TooLarge``, ``bounded.UnsupportedEncoding`` or ``zlib.error``."""
    inflater = bounded.Inflater.for_encoding(resp.headers.get("Content-Encoding"), limit)
    return data if inflater is None else inflater.feed(data)


def too_large(member: Member, limit: int) -> str:
    return (
        f"the answer of {member.name} passed limits.max_response_mb "
        f"({bounded.mb(limit)}) of the shim config; it is cut here"
    )


def timed_out(member: Member, exc: BaseException) -> str | None:
    """The limit a timeout from reading ``member``'s answer is, in the config's words."""
    t = member.profile.timeouts
    if isinstance(exc, IdleTimeout):
        return (
            f"{member.name} sent no complete event for timeouts.idle_s ({t.idle_s:g} s); "
            "the stream is ended here"
        )
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return f"{member.name} sent nothing for timeouts.first_byte_s ({t.first_byte_s:g} s)"
    if isinstance(exc, asyncio.TimeoutError):
        return f"the answer of {member.name} passed timeouts.total_s ({t.total_s:g} s)"
    return None


class IdleWatch:
    """Ends a stream whose member sends bytes but no complete event (a drip) or nothing at
    all, for ``seconds``: one timer per stream, pushed on by ``event()``; when it fires,
    the member's stream gets ``IdleTimeout``, which the pending read raises."""

    __slots__ = ("_handle", "_loop", "_resp", "last", "seconds")

    def __init__(self, resp: aiohttp.ClientResponse, seconds: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._resp = resp
        self.seconds = seconds
        self.last = self._loop.time()
        self._handle = self._loop.call_at(self.last + seconds, self._check)

    def event(self) -> None:
        self.last = self._loop.time()

    def _check(self) -> None:
        due = self.last + self.seconds
        if self._loop.time() < due:
            self._handle = self._loop.call_at(due, self._check)
            return
        self._resp.content.set_exception(IdleTimeout())

    def cancel(self) -> None:
        self._handle.cancel()


MAX_HELD = 1 << 20  # bytes of an unfinished event held back; past it, it is not SSE: sent


def event_end(chunk: bytes) -> int:
    """Where the last complete SSE event in ``chunk`` ends (after its blank line), or 0.

    C-speed searches; chunks nearly always end on an event, so what is held back is almost
    always nothing."""
    lf = chunk.rfind(b"\n\n")
    end = lf + 2 if lf >= 0 else 0
    crlf = chunk.rfind(b"\r\n\r\n", end)
    if crlf >= 0:
        end = crlf + 4
    cr = chunk.rfind(b"\r\r", end)
    return cr + 2 if cr >= 0 else end
