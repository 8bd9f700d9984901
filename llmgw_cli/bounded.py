"""Reading outside bytes within a bound: bodies capped in bytes, decompression capped by the
bytes it *produces* (a 1 MB gzip can inflate to 1 GB), never by the bytes it consumes.

    inflater = Inflater.for_encoding("gzip", limit=1 << 20)   # None for identity
    out = inflater.feed(chunk)      # raises TooLarge once more than ``limit`` bytes came out
    body = read_limited(chunks, limit, encoding)              # a whole body, capped

Used by doctor, bench and the shim (docs/architecture.md, "every read bounded").
"""

from __future__ import annotations

import operator
import zlib
from collections.abc import Iterable
from itertools import accumulate, count
from typing import NamedTuple

MB = 1 << 20


class TooLarge(Exception):
    """More than ``limit`` bytes (after decompression) arrived."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {mb(limit)} arrived")
        self.limit = limit


class UnsupportedEncoding(Exception):
    """A Content-Encoding we do not decode (br, zstd, compress, ...)."""

    def __init__(self, encoding: str) -> None:
        super().__init__(f"Content-Encoding {encoding!r} is not supported")
        self.encoding = encoding


def mb(limit: int) -> str:
    return f"{limit / MB:g} MB" if limit >= MB else f"{limit:,} bytes"


class Inflater:
    """gzip or deflate, decoded piece by piece; at most ``limit`` output bytes in all."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.produced = 0
        self._wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._z = zlib.decompressobj(self._wbits)
        self._first = True

    @classmethod
    def for_encoding(cls, header: str | None, limit: int) -> Inflater | None:
        """The decoder for a Content-Encoding header value; None when it is identity."""
        encoding = (header or "").strip().lower()
        if encoding in ("", "identity"):
            return None
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise UnsupportedEncoding(encoding)
        return cls(encoding, limit)

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        while data:
            room = self.limit - self.produced + 1  # one byte over the limit proves it is over
            try:
                piece = self._z.decompress(data, room)
            except zlib.error:
                if not (self._first and self.encoding == "deflate"):
                    raise
                # "deflate" without the zlib header (some servers send raw deflate)
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                self._first = False
                continue
            self._first = False
            self.produced += len(piece)
            if self.produced > self.limit:
                raise TooLarge(self.limit)
            out += piece
            data = self._z.unconsumed_tail
            if self._z.eof and self._z.unused_data:  # another gzip member follows
                data = self._z.unused_data
                self._z = zlib.decompressobj(self._wbits)
        return bytes(out)


def read_limited(chunks: Iterable[bytes], limit: int, encoding: str | None = None) -> bytes:
    """Join ``chunks`` (raw bytes off the wire), decoded by ``encoding``, at most ``limit``."""
    inflater = Inflater.for_encoding(encoding, limit)
    body = bytearray()
    raw = 0
    for chunk in chunks:
        raw += len(chunk)  # empty deflate blocks could go on forever producing nothing
        if raw > limit:
            raise TooLarge(limit)
        piece = inflater.feed(chunk) if inflater is not None else chunk
        if len(body) + len(piece) > limit:
            raise TooLarge(limit)
        body += piece
    return bytes(body)


# JSON nesting, measured without parsing or recursion. Almost every body has fewer brackets
# than the limit, which bounds its depth: two C-speed counts and done. Otherwise escaped
# backslashes and quotes are dropped (left to right, as JSON pairs them), the text between
# quotes (strings) is cut out, and of the rest only the brackets are kept, openers as 2 and
# closers as 0: after i brackets the depth is (their running sum) - i. Every step is a C
# loop (bytes methods, accumulate, map); no Python code runs per byte.
_BRACKETS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_too_deep(data: bytes, limit: int) -> bool:
    """True when the JSON text ``data`` nests arrays/objects more than ``limit`` deep."""
    if data.count(b"{") + data.count(b"[") <= limit:
        return False
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    weights = b"".join(data.split(b'"')[::2]).translate(_BRACKETS, _NOT_BRACKETS)
    if weights.count(2) <= limit:
        return False
    depth: int = max(map(operator.sub, accumulate(weights), count(1)))
    return depth > limit


class Depth(NamedTuple):
    """Where ``json_depth_step`` left off at the end of a piece of a JSON text."""

    depth: int = 0  # openers minus closers outside strings so far
    deepest: int = 0  # the largest ``depth`` reached so far
    in_string: bool = False  # an odd number of unescaped quotes so far
    escaped: bool = False  # the piece ended in an unpaired backslash: it takes the next byte


def json_depth_step(piece: bytes, state: Depth = Depth()) -> Depth:
    """``json_too_deep``'s measure, one piece at a time: the state after ``piece`` given the
    state before it. Feeding a text's pieces in order ends with the ``deepest`` that
    ``json_too_deep`` compares with its limit, however the text was cut."""
    if not piece:
        return state
    if state.escaped and piece[:1] in (b"\\", b'"'):
        piece = piece[1:]  # the pair (or the escaped quote) began in the previous piece
    escaped = False
    if b"\\" in piece:
        piece = piece.replace(b"\\\\", b"")
        if piece.endswith(b"\\"):
            escaped, piece = True, piece[:-1]
        piece = piece.replace(b'\\"', b"")
    parts = piece.split(b'"')
    outside = parts[1::2] if state.in_string else parts[::2]
    in_string = state.in_string != (len(parts) % 2 == 0)
    weights = b"".join(outside).translate(_BRACKETS, _NOT_BRACKETS)
    if not weights:
        return Depth(state.depth, state.deepest, in_string, escaped)
    top = state.depth + max(map(operator.sub, accumulate(weights), count(1)))
    depth = state.depth + 2 * weights.count(2) - len(weights)
    return Depth(depth, max(state.deepest, top), in_string, escaped)
