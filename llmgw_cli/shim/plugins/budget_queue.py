"""The budget's settles, group-committed (``budget_store``): queued when a request
completes, handed to the next reservation's transaction, or written once at the end of the
event-loop turn; a write that would wait for the lock goes to a worker thread, and the next
reservation waits for it (so a client's next request sees its last one settled).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from llmgw_cli.shim.plugins.budget_store import CHECKPOINT_EVERY, BudgetStore, Busy, Settle

log = logging.getLogger("llmgw.shim.budget")


class SettleQueue:
    def __init__(self, store: BudgetStore) -> None:
        self.store = store
        self.writing: set[asyncio.Future[None]] = set()  # settles in worker threads
        self._queued: list[Settle] = []
        self._background: set[asyncio.Future[None]] = set()  # checkpoints

    def add(self, settle: Settle) -> None:
        """Queue one; the first of a loop turn schedules the turn's write."""
        if not self._queued:
            asyncio.get_running_loop().call_soon(self.flush)
        self._queued.append(settle)

    def take(self) -> list[Settle]:
        """The queued settles, for a reservation to apply first in its own transaction."""
        settles, self._queued = self._queued, []
        return settles

    def put_back(self, settles: list[Settle]) -> None:
        """Settles a failed reservation did not write: first in the queue again."""
        if settles:
            if not self._queued:
                asyncio.get_running_loop().call_soon(self.flush)
            self._queued[:0] = settles

    def flush(self) -> None:
        """Write the queued settles in one transaction: on the loop when the lock is free,
        else in a worker thread; fold the WAL back (in a thread) every CHECKPOINT_EVERY."""
        settles = self.take()
        if settles:
            try:
                self.store.settle_many(settles, fast=True)
            except Busy:
                _in_thread(self.writing, self.store.settle_many, settles)
            except Exception:
                log.warning("budget: %d settles not written", len(settles), exc_info=True)
        if self.store.fast_writes >= CHECKPOINT_EVERY:
            self.store.fast_writes = 0
            _in_thread(self._background, self.store.checkpoint)

    async def close(self) -> None:
        """Wait for the writes in threads, then write what is still queued (may wait)."""
        jobs = self.writing | self._background
        if jobs:
            await asyncio.wait(jobs)
        settles = self.take()
        if settles:
            self.store.settle_many(settles)


def _in_thread(jobs: set[asyncio.Future[None]], fn: Callable[..., None], *args: Any) -> None:
    job = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    jobs.add(job)

    def done(job: asyncio.Future[None]) -> None:
        jobs.discard(job)
        if not job.cancelled() and job.exception() is not None:
            log.warning("budget: a write in a worker thread failed", exc_info=job.exception())

    job.add_done_callback(done)
