"""What the shim checks in every body it reads, paid only for the bytes that are new.

Claude Code resends its whole conversation every turn: the body of turn n+1 starts with the
bytes of turn n (up to where the last turn's cache marker moved). Two byte-level checks run
on every body: its JSON nesting (``bounded.json_too_deep``, a gate: docs/architecture.md)
and whether it holds an unsigned thinking block (``bridges.first_unsigned``, for a native
Anthropic member). Both are measured chunk by chunk (``CHUNK`` bytes), and the state after
each chunk is kept with the body, for the last few large bodies (``MAX_BYTES`` of them): a
body that starts with the same chunks as one of them (compared with ``bytes.startswith``, a
memcmp) resumes from the state after the last shared chunk. A new turn of a 5 MB session
measures its last chunks, not the 5 MB; a body like no other is measured whole, in a worker
thread when large (each chunk's bytes methods are short; the event loop runs between them).
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from dataclasses import dataclass

from llmgw_cli import bounded
from llmgw_cli.shim.translate.bridges import UNSIGNED_SPAN, first_unsigned

CHUNK = 64 * 1024
# Below this a body is measured in one go, on the loop (about a millisecond), and not kept.
KEEP_BYTES = 2 * CHUNK
# New bytes past this are measured in a worker thread.
OFF_LOOP_BYTES = 4 * CHUNK
MAX_BYTES = 24 << 20  # bodies kept (referenced, not copied) for the next turn to resume from
MAX_BODIES = 16


@dataclass(frozen=True, slots=True)
class Scan:
    body: bytes
    states: tuple[bounded.Depth, ...]  # the depth state after each chunk
    unsigned_at: int  # where the first unsigned thinking block's signature is, else -1

    @property
    def deepest(self) -> int:
        return self.states[-1].deepest if self.states else 0


class BodyScans:
    """The recent large bodies' scans, least recently used first, bounded in bytes."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_bodies: int = MAX_BODIES) -> None:
        self.max_bytes = max_bytes
        self.max_bodies = max_bodies
        self._scans: OrderedDict[int, Scan] = OrderedDict()  # by id(body): a held reference
        self._bytes = 0
        self._lock = threading.Lock()

    def base(self, body: bytes) -> tuple[Scan | None, int]:
        """The kept scan sharing the most leading chunks with ``body``, and how many."""
        view = memoryview(body)
        best: Scan | None = None
        shared = 0
        with self._lock:
            kept = list(self._scans.values())
        for scan in reversed(kept):  # the most recent first: usually the previous turn
            old = scan.body
            n = 0
            for at in range(0, min(len(body), len(old)), CHUNK):
                if not old.startswith(view[at : at + CHUNK], at):
                    break
                if at + CHUNK > len(body) and len(old) != len(body):
                    break  # body's last chunk is shorter than old's chunk there
                n += 1
            if n > shared:
                best, shared = scan, n
                if len(old) == len(body) and n * CHUNK >= len(body):
                    break  # the same bytes: nothing can share more
        return best, shared

    def measure(self, body: bytes, base: Scan | None, shared: int) -> Scan:
        """Measure ``body`` from the end of its ``shared`` chunks with ``base`` on."""
        states = list(base.states[:shared]) if base is not None else []
        state = states[-1] if states else bounded.Depth()
        for at in range(shared * CHUNK, len(body), CHUNK):
            state = bounded.json_depth_step(body[at : at + CHUNK], state)
            states.append(state)
        start = shared * CHUNK
        if base is not None and 0 <= base.unsigned_at <= start - UNSIGNED_SPAN:
            unsigned = base.unsigned_at  # wholly inside the shared bytes
        else:
            unsigned = first_unsigned(body, max(0, start - UNSIGNED_SPAN))
        return Scan(body, tuple(states), unsigned)

    def keep(self, scan: Scan, base: Scan | None = None, shared: int = 0) -> None:
        """Keep ``scan``; the ``base`` it resumed from gives way to it when ``scan`` shares
        all but base's last two chunks (a next turn, or the same bytes again: the turn
        after resumes from ``scan``)."""
        with self._lock:
            if id(scan.body) in self._scans:
                return
            if base is not None and shared >= len(base.states) - 2 <= len(scan.states) - 2:
                old = self._scans.pop(id(base.body), None)
                self._bytes -= len(old.body) if old is not None else 0
            self._scans[id(scan.body)] = scan
            self._bytes += len(scan.body)
            while self._scans and (
                self._bytes > self.max_bytes or len(self._scans) > self.max_bodies
            ):
                _, old = self._scans.popitem(last=False)
                self._bytes -= len(old.body)

    def kept(self, body: bytes) -> Scan | None:
        """The scan of this very bytes object, when it is kept."""
        with self._lock:
            scan = self._scans.get(id(body))
        return scan if scan is not None and scan.body is body else None

    async def scan(self, body: bytes) -> Scan:
        base, shared = self.base(body)
        if len(body) - shared * CHUNK >= OFF_LOOP_BYTES:
            scan = await asyncio.to_thread(self.measure, body, base, shared)
        else:
            scan = self.measure(body, base, shared)
        self.keep(scan, base, shared)
        return scan


SCANS = BodyScans()


async def too_deep(body: bytes, limit: int) -> bool:
    """``bounded.json_too_deep(body, limit)``, resumed from a recent body's scan when large."""
    if len(body) < KEEP_BYTES:
        return bounded.json_too_deep(body, limit)
    return (await SCANS.scan(body)).deepest > limit


def may_hold_unsigned(body: bytes) -> bool:
    """False only when ``body`` was scanned on reading and holds no unsigned thinking block
    (``bridges.strip_unsigned_thinking`` would return it unchanged)."""
    scan = SCANS.kept(body)
    return scan is None or scan.unsigned_at >= 0
