"""Removes the members' secrets and the local token from whatever leaves the shim.

An upstream may echo the credential it was sent (``401 invalid key: Bearer sk-…``), in a
header, a whole body or a stream; a prompt may hold it too. ``Scrubber`` replaces every
occurrence before the client, or the audit log, sees it (docs/architecture.md, "the shim's
gates"). ``Stream`` does it across chunk boundaries: the tail of a chunk that could be the
start of a secret is held back until the next chunk decides (only such a tail: a stream's
events still go out at once).

    scrub = Scrubber([member.secret, token])
    scrub.raw(body); scrub.text(line); scrub.headers(multidict)
    s = scrub.stream(); out = s.feed(chunk) ... out += s.close()
"""

from __future__ import annotations

from collections.abc import Iterable

from multidict import CIMultiDict

MIN_SECRET = 6  # shorter values would match ordinary text; no real key is that short
REPLACEMENT = "[secret removed by llmgw]"
_REPLACEMENT = REPLACEMENT.encode()


class Scrubber:
    __slots__ = ("_bytes", "_texts")

    def __init__(self, secrets: Iterable[str | None]) -> None:
        values = {s for s in secrets if s and len(s) >= MIN_SECRET}
        self._texts = tuple(sorted(values, key=len, reverse=True))  # longest first
        self._bytes = tuple(s.encode("utf-8", "surrogateescape") for s in self._texts)

    def __bool__(self) -> bool:
        return bool(self._texts)

    def raw(self, data: bytes) -> bytes:
        for secret in self._bytes:
            if secret in data:
                data = data.replace(secret, _REPLACEMENT)
        return data

    def text(self, data: str) -> str:
        for secret in self._texts:
            if secret in data:
                data = data.replace(secret, REPLACEMENT)
        return data

    def headers(self, headers: CIMultiDict[str]) -> None:
        """Scrub header values in place (every value of a repeated header)."""
        if not self._texts:
            return
        items = list(headers.items())
        if any(self.text(v) != v for _, v in items):
            headers.clear()
            headers.extend((k, self.text(v)) for k, v in items)

    def stream(self) -> Stream:
        return Stream(self)

    def held(self, data: bytes) -> int:
        """How many bytes at the end of ``data`` could begin a secret (0: none)."""
        best = 0
        end = len(data)
        for secret in self._bytes:
            start = max(end - len(secret) + 1, 0)
            first = secret[:1]
            i = data.find(first, start)
            while i != -1:
                if end - i > best and secret.startswith(data[i:]):
                    best = end - i
                    break  # the earliest start is this secret's longest candidate
                i = data.find(first, i + 1)
        return best


class Stream:
    """One relayed body, chunk by chunk."""

    __slots__ = ("_held", "_scrub")

    def __init__(self, scrub: Scrubber) -> None:
        self._scrub = scrub
        self._held = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._held + chunk if self._held else chunk
        data = self._scrub.raw(data)
        keep = self._scrub.held(data)
        if keep:
            self._held = data[-keep:]
            return data[:-keep]
        self._held = b""
        return data

    def close(self) -> bytes:
        tail, self._held = self._held, b""
        return tail
