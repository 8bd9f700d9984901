"""Daily spend in SQLite (WAL), shared by restarts and by several shim processes.

Spend is checked and reserved in ONE ``BEGIN IMMEDIATE`` transaction, which takes the
database's write lock before reading: two processes cannot both read "under the limit" and
both go ahead. A request first reserves its estimate (prompt + max output) as a pending
row; when it completes, the row is replaced by the actual usage. Pending rows older than
``pending_ttl_s`` (a process that died mid-request) stop counting and are swept.

Days are UTC dates; limits reset at the next UTC midnight. Scope ``*`` is the total,
``user:NAME`` one user.

Settles are group-committed: the plugin queues them and hands them to the next write of
this process (the next reservation's transaction, or one write per event-loop turn), which
applies them first, in the same transaction. Until then the request's reservation, which
errs high, still counts, so another process sees at least the true spend.

``fast=True`` runs a write on a second connection that never waits (busy timeout 0, no
automatic checkpoint): the shim calls it on its event loop, where a write takes ~40 µs, and
falls back to a worker thread (which may wait up to 30 s for the lock) only when it raises
``Busy``. ``checkpoint()`` (in a thread) folds the WAL back every ``CHECKPOINT_EVERY`` of
them, so no fsync ever runs on the event loop.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from llmgw_cli import paths

TOTAL = "*"
CHECKPOINT_EVERY = 500  # fast writes between WAL checkpoints
SWEEP_EVERY_S = 60.0  # expired reservations are deleted at most this often (they never count)
# A request's settle: (request id, user, tokens, usd).
Settle = tuple[str, str, int, float]
_SPEND = (
    "INSERT INTO spend (day, scope, tokens, usd, requests) "
    "VALUES (COALESCE((SELECT day FROM pending WHERE id = ?), ?), ?, ?, ?, 1) "
    "ON CONFLICT (day, scope) DO UPDATE SET tokens = tokens + excluded.tokens, "
    "usd = usd + excluded.usd, requests = requests + 1"
)


class Busy(Exception):
    """Another writer holds the database: retry without ``fast`` (in a worker thread)."""


# WITHOUT ROWID, no index on pending (it holds only requests in flight): a request's
# transaction dirties two pages, not five, so its commit and the checkpoints write less
# (databases made before keep their schema; the statements work on both).
SCHEMA = """
CREATE TABLE IF NOT EXISTS spend (
  day TEXT NOT NULL, scope TEXT NOT NULL,
  tokens INTEGER NOT NULL DEFAULT 0, usd REAL NOT NULL DEFAULT 0,
  requests INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, scope)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (
  id TEXT PRIMARY KEY, day TEXT NOT NULL, user TEXT NOT NULL,
  tokens INTEGER NOT NULL, usd REAL NOT NULL, created REAL NOT NULL) WITHOUT ROWID;
"""
PAGE_SIZE = 1024  # a new database's: its rows are few and small, each commit writes pages


_day: list[Any] = [0.0, -1.0, ""]  # the UTC day last formatted: [start, end, text]


def utc_day(ts: float | None = None) -> str:
    ts = time.time() if ts is None else ts
    if _day[0] <= ts < _day[1]:
        return str(_day[2])
    text = datetime.fromtimestamp(ts, tz=timezone.utc).date().isoformat()
    start = datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()
    _day[0], _day[1], _day[2] = start, start + 86400, text
    return text


def next_reset(ts: float | None = None) -> datetime:
    now = datetime.fromtimestamp(time.time() if ts is None else ts, tz=timezone.utc)
    return datetime(now.year, now.month, now.day, tzinfo=timezone.utc) + timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    name: str  # e.g. "daily_tokens" or "users.alice.daily_usd"
    scope: str  # TOTAL or user:NAME
    unit: str  # "tokens" | "usd"
    value: float


@dataclass(frozen=True)
class Verdict:
    ok: bool
    limit: Limit | None = None  # the first limit the request would pass
    spent: float = 0.0  # in the limit's unit, reservations included
    requested: float = 0.0


class BudgetStore:
    def __init__(self, path: Path, pending_ttl_s: float = 3600.0) -> None:
        self.path = path
        self.pending_ttl_s = pending_ttl_s
        paths.ensure_dir(path.parent)
        # 0600 from the first byte, wherever plugins.budget.path points: SQLite gives its
        # -wal and -shm files the database file's mode, so they are 0600 too.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
        path.chmod(0o600)
        # One connection per store, used from worker threads one at a time.
        self._db = sqlite3.connect(
            path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA busy_timeout = 30000")
            self._db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # only before the first table
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(SCHEMA)
        path.chmod(0o600)
        self._fast = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        self._fast.execute("PRAGMA busy_timeout = 0")
        self._fast.execute("PRAGMA synchronous = NORMAL")
        self._fast.execute("PRAGMA wal_autocheckpoint = 0")
        self._fast_lock = threading.Lock()
        self.fast_writes = 0  # since the last checkpoint
        self._swept = 0.0  # when expired reservations were last deleted

    @contextmanager
    def _write(self, fast: bool = False) -> Iterator[sqlite3.Connection]:
        if fast:
            with self._write_fast() as db:
                yield db
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _write_fast(self) -> Iterator[sqlite3.Connection]:
        if not self._fast_lock.acquire(blocking=False):
            raise Busy("the fast connection is in use")
        db = self._fast
        try:
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:  # locked by another writer
                raise Busy(str(exc)) from exc
            try:
                yield db
                db.execute("COMMIT")
            except BaseException as exc:
                db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise Busy(str(exc)) from exc
                raise
            self.fast_writes += 1
        finally:
            self._fast_lock.release()

    def checkpoint(self) -> None:
        """Fold the WAL into the database (PASSIVE: never waits for readers or writers)."""
        self.fast_writes = 0
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _used(
        self, db: sqlite3.Connection, day: str, scope: str, since: float
    ) -> tuple[float, float]:
        row = db.execute(
            "SELECT tokens, usd FROM spend WHERE day = ? AND scope = ?", (day, scope)
        ).fetchone()
        tokens, usd = (float(row[0]), float(row[1])) if row else (0.0, 0.0)
        if scope == TOTAL:
            pend = db.execute(
                "SELECT SUM(tokens), SUM(usd) FROM pending WHERE day = ? AND created >= ?",
                (day, since),
            ).fetchone()
        else:
            pend = db.execute(
                "SELECT SUM(tokens), SUM(usd) FROM pending"
                " WHERE day = ? AND user = ? AND created >= ?",
                (day, scope[5:], since),
            ).fetchone()
        return tokens + float(pend[0] or 0), usd + float(pend[1] or 0)

    def reserve(
        self,
        rid: str,
        user: str,
        tokens: int,
        usd: float,
        limits: list[Limit],
        hold: bool = True,
        now: float | None = None,
        fast: bool = False,
        settles: Sequence[Settle] = (),
    ) -> Verdict:
        """Apply ``settles`` (queued by this process), then check ``limits``; when all pass
        (or ``hold`` is False) and hold is True, reserve: one transaction. ``fast``: never
        wait for the lock, raise ``Busy`` instead (nothing applied)."""
        now = time.time() if now is None else now
        day = utc_day(now)
        since = now - self.pending_ttl_s
        with self._write(fast) as db:
            if settles:
                _settle(db, settles, day)
            if now - self._swept >= SWEEP_EVERY_S or now < self._swept:
                db.execute("DELETE FROM pending WHERE created < ?", (since,))
                self._swept = now
            verdict = Verdict(True)
            used: dict[str, tuple[float, float]] = {}
            for limit in limits:
                if limit.scope not in used:
                    used[limit.scope] = self._used(db, day, limit.scope, since)
                spent = used[limit.scope][0 if limit.unit == "tokens" else 1]
                wanted = float(tokens) if limit.unit == "tokens" else usd
                if spent + wanted > limit.value:
                    verdict = Verdict(False, limit, spent, wanted)
                    break
            if verdict.ok and hold:
                db.execute(
                    "INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?, ?, ?)",
                    (rid, day, user, tokens, usd, now),
                )
        return verdict

    def settle(
        self,
        rid: str,
        user: str,
        tokens: int,
        usd: float,
        now: float | None = None,
        fast: bool = False,
    ) -> None:
        """Replace the request's reservation (if any) by what it actually used."""
        self.settle_many([(rid, user, tokens, usd)], now, fast)

    def settle_many(
        self, settles: Sequence[Settle], now: float | None = None, fast: bool = False
    ) -> None:
        """``settle`` for each, in one transaction."""
        with self._write(fast) as db:
            _settle(db, settles, utc_day(now))

    def spent(self, day: str | None = None) -> dict[str, dict[str, float]]:
        """Settled spend by scope for a day (reservations excluded)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT scope, tokens, usd, requests FROM spend WHERE day = ?", (day or utc_day(),)
            ).fetchall()
        return {
            scope: {"tokens": tokens, "usd": usd, "requests": n} for scope, tokens, usd, n in rows
        }

    def close(self) -> None:
        with self._fast_lock:
            self._fast.close()
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            self._db.close()


def _settle(db: sqlite3.Connection, settles: Sequence[Settle], day: str) -> None:
    """Add each request's usage to the total and its user (on the day of its reservation,
    else ``day``) and drop its reservation."""
    rows = []
    for rid, user, tokens, usd in settles:
        rows.append((rid, day, TOTAL, tokens, usd))
        rows.append((rid, day, f"user:{user}", tokens, usd))
    db.executemany(_SPEND, rows)
    db.executemany("DELETE FROM pending WHERE id = ?", [(s[0],) for s in settles])
