"""A stream's repeated chunk, read without parsing (the OpenAI -> Anthropic bridge's hot path).

An OpenAI-format server writes every text delta of one stream as the same bytes around a
different string: the same id, created, model, fingerprint, ``"finish_reason":null``. Once
one such chunk was parsed and translated, a template of it (the bytes before and after its
string) recognises the next ones with two byte comparisons, and their translation is the
open block's preformatted head + that string, as the upstream wrote it::

    tpl = learn(raw, data, key, head)     # after `raw` (parsed: `data`) was translated
    tpl.event(next_raw)                   # the translated bytes, or None: parse it

A template is sound by construction: it is kept only when the chunk with its string replaced
by a probe parses to the same object with the probe in that one place, so a chunk that
matches it byte for byte around a string has the same meaning but that string. The string
is copied only when it is plain (no quote, backslash or control character, valid UTF-8):
exactly what ``json`` writes for it, so the bytes equal the general path's.
"""

from __future__ import annotations

import re

from llmgw_cli.wire import jsoncodec
from llmgw_cli.wire.common import JsonObj

# A JSON string json.dumps(ensure_ascii=False) writes unchanged: nothing to escape.
_PLAIN = re.compile(rb'"[^"\\\x00-\x1f]*"')
_PROBE = "\x01"
_SPACE = (b" ", b"\t", b"\n", b"\r")  # JSON's whitespace (never b"": the end stops)
_TAIL = b"}}\n\n"


class ChunkTemplate:
    __slots__ = ("_end", "_head", "_prefix", "_start", "_suffix")

    def __init__(self, prefix: bytes, suffix: bytes, head: bytes) -> None:
        self._prefix, self._suffix, self._head = prefix, suffix, head
        self._start, self._end = len(prefix), len(suffix)

    def event(self, raw: bytes) -> bytes | None:
        """The translated event for ``raw`` when it is this chunk around a plain string."""
        if len(raw) < self._start + self._end + 2:
            return None
        if not (raw.startswith(self._prefix) and raw.endswith(self._suffix)):
            return None
        literal = raw[self._start : len(raw) - self._end]
        if _PLAIN.fullmatch(literal) is None:
            return None
        if not literal.isascii():
            try:
                literal.decode()
            except UnicodeDecodeError:
                return None  # the general path replaces it (U+FFFD)
        return b"" if literal == b'""' else self._head + literal + _TAIL


def learn(raw: bytes, data: JsonObj, key: str, head: bytes) -> ChunkTemplate | None:
    """A template of ``raw``, a one-choice chunk parsed as ``data`` whose delta's ``key``
    string was just translated as ``head`` + that string + ``}}``; None when the string
    cannot be found once, as json writes it, or the probe says it is not that string.
    ``data`` is changed (the probe put in)."""
    delta = data["choices"][0]["delta"]
    piece = delta[key]
    literal = jsoncodec.dumps(piece)
    if _PLAIN.fullmatch(literal) is None:
        return None
    name = b'"' + key.encode() + b'":'
    at = raw.find(name)
    if at < 0 or raw.find(name, at + 1) >= 0:
        return None
    start = at + len(name)
    while raw[start : start + 1] in _SPACE:
        start += 1
    if not raw.startswith(literal, start):
        return None
    prefix, suffix = raw[:start], raw[start + len(literal) :]
    delta[key] = _PROBE
    try:
        probe = jsoncodec.loads(prefix + jsoncodec.dumps(_PROBE) + suffix)
    except ValueError:
        return None
    return ChunkTemplate(prefix, suffix, head) if probe == data else None
