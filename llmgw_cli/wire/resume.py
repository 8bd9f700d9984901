"""Per-message results of a conversation, resumed from its previous turn.

Claude Code resends the whole conversation every turn: turn n+1's ``messages`` are turn n's
plus a few, and the last one or two of turn n changed (a cache marker moved). What a walk
found per message (a token count, a PII verdict) is kept with the messages' compact JSON
(one ``orjson.dumps``: C, ~0.5 ms a MB) and the offset where each message ends in it. A
new turn dumps its messages and compares the bytes with the kept ones (``bytes.startswith``
over slices: a memcmp); the messages that end inside the shared bytes are the same JSON
values as before (a list's bytes up to the end of its k-th element determine the first k
elements), so their results are reused and only the rest are walked. (orjson writes a
non-finite float as ``null``: a message holding NaN, which only the standard library's
parser reads and no client sends, counts as one holding ``null`` would.)
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from llmgw_cli.wire import jsoncodec

T = TypeVar("T")

MAX_BYTES = 16 << 20
MAX_TURNS = 16
STEP = 64 * 1024


def common_prefix(a: bytes, b: bytes) -> int:
    """How many leading bytes ``a`` and ``b`` share (memcmp over halving slices)."""
    n = min(len(a), len(b))
    view = memoryview(a)
    at, step = 0, STEP
    while at < n:
        size = min(step, n - at)
        if b.startswith(view[at : at + size], at):
            at += size
        elif size == 1:
            break
        else:
            step = (size + 1) // 2
    return at


def _shared(turn: _Turn[Any], prefix: int) -> int:
    """How many of ``turn``'s messages lie wholly in its first ``prefix`` bytes: one that
    ends there is whole when it closes (``}``, ``]``, ``"``); a number could go on
    (``[1`` then ``[12``)."""
    n = bisect_left(turn.ends, prefix)
    if n < len(turn.ends) and turn.ends[n] == prefix and turn.text[prefix - 1] in _CLOSERS:
        n += 1
    return n


_CLOSERS = b'}]"'


@dataclass(frozen=True, slots=True)
class _Turn(Generic[T]):
    text: bytes  # the messages' compact JSON
    ends: tuple[int, ...]  # the offset just past each message in ``text``
    results: tuple[T, ...]  # one per message


@dataclass(slots=True)
class Resumed(Generic[T]):
    """A turn's messages: ``known`` holds the results of the first ``len(known)``."""

    messages: Sequence[Any]
    text: bytes
    known: tuple[T, ...]
    ends: tuple[int, ...]
    base: _Turn[T] | None = None  # the kept turn it resumed from


class Turns(Generic[T]):
    """Recent conversations' per-message results, least recently used first, in bytes."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_turns: int = MAX_TURNS) -> None:
        self.max_bytes = max_bytes
        self.max_turns = max_turns
        self._turns: list[_Turn[T]] = []
        self._bytes = 0
        self._lock = threading.Lock()

    def start(self, messages: Sequence[Any]) -> Resumed[T]:
        """The results known for the leading messages of ``messages``."""
        text = jsoncodec.dumps(messages)
        with self._lock:
            kept = list(self._turns)
        best: _Turn[T] | None = None
        shared = 0
        for turn in reversed(kept):
            n = _shared(turn, common_prefix(text, turn.text))
            if n > shared:
                best, shared = turn, n
        if best is None:
            return Resumed(messages, text, (), ())
        return Resumed(messages, text, best.results[:shared], best.ends[:shared], best)

    def finish(self, turn: Resumed[T], results: Sequence[T]) -> None:
        """Keep ``results`` (one per message of ``turn``) for the next turn to resume from;
        nothing is kept unless each new message's own JSON is where it should be in the
        whole (a fallback encoder, say, spelled it otherwise)."""
        text, ends = turn.text, list(turn.ends)
        at = ends[-1] if ends else 0
        for message in turn.messages[len(ends) :]:
            piece = jsoncodec.dumps(message)
            if not text.startswith(piece, at + 1):
                return
            at += 1 + len(piece)
            ends.append(at)
        if len(results) != len(ends) or at != len(text) - 1:
            return
        entry = _Turn(text, tuple(ends), tuple(results))
        with self._lock:
            # The turn it resumed from gives way when this one holds all but its last two
            # messages (a next turn, or the same messages again): the next resumes from it.
            base = turn.base
            if (
                base is not None
                and len(turn.known) >= len(base.ends) - 2
                and any(t is base for t in self._turns)
            ):
                self._turns = [t for t in self._turns if t is not base]
                self._bytes -= len(base.text)
            self._turns.append(entry)
            self._bytes += len(text)
            while self._turns and (
                self._bytes > self.max_bytes or len(self._turns) > self.max_turns
            ):
                self._bytes -= len(self._turns.pop(0).text)
