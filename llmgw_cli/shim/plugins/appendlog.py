"""An append-only JSON-lines file that never holds half a line, with size-based rotation.

Each line goes to the kernel in ONE ``write()`` on a descriptor opened with ``O_APPEND``:
there is no user-space buffer to lose, and several shim processes appending to the same file
interleave whole lines. One gap remains: Linux may cut a write that spans a page boundary
when SIGKILL lands in the middle of it. So every writer holds a shared ``flock`` on a side
file while it has the log open, and the first writer to open the log when no other is alive
trims a torn tail left by a killed one — a crash can cost the line being written, never the
file's shape. ``close()`` fsyncs.

Rotation (``audit.jsonl`` → ``audit.jsonl.1`` → … → ``audit.jsonl.N``) happens under an
``flock`` on another side file, re-checked inside the lock. A write looks at its own open
file (``fstat``: its size, and whether it was deleted) and at the path at most every
``PATH_CHECK_S``: a process that finds the file it holds renamed away by another reopens
the path (until then its lines, whole, go on into the renamed file).
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import time
from collections.abc import Iterator
from pathlib import Path

from llmgw_cli import paths

BATCH_BYTES = 64 * 1024
PATH_CHECK_S = 1.0  # how often a writer looks whether the path still names its file


def rotated(path: Path, backups: int) -> list[Path]:
    """The log and its backups, oldest first."""
    return [path.with_name(f"{path.name}.{i}") for i in range(backups, 0, -1)] + [path]


def trim_torn_tail(path: Path) -> int:
    """Cut a last line that has no newline (a write cut short by SIGKILL); bytes removed."""
    try:
        with open(path, "rb+") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return 0
            fh.seek(size - 1)
            if fh.read(1) == b"\n":
                return 0
            end, keep = size, 0
            while end > 0:  # walk back to the last newline, a block at a time
                start = max(0, end - (1 << 16))
                fh.seek(start)
                newline = fh.read(end - start).rfind(b"\n")
                if newline >= 0:
                    keep = start + newline + 1
                    break
                end = start
            fh.truncate(keep)
            return size - keep
    except FileNotFoundError:
        return 0


class AppendLog:
    def __init__(self, path: Path, max_bytes: int = 50 * 1024 * 1024, backups: int = 5) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        paths.ensure_dir(path.parent)
        self._fd: int | None = None
        self._ino = -1
        self._checked = 0.0  # monotonic time the path was last looked at
        self._writers = self._join_writers()
        self._open()

    def _join_writers(self) -> int:
        """Take a shared lock for this writer's lifetime; repair first if we are alone."""
        fd = os.open(
            self.path.with_name(self.path.name + ".writers"),
            os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC,
            0o600,
        )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # another writer is alive: a partial tail may be its write in flight
        else:
            trim_torn_tail(self.path)
        fcntl.flock(fd, fcntl.LOCK_SH)
        return fd

    def _open(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        old, self._fd = self._fd, fd
        self._ino = os.fstat(fd).st_ino
        self._checked = time.monotonic()
        if old is not None:
            os.close(old)

    def write_line(self, line: bytes) -> None:
        """Append one line (without its newline) in a single write."""
        self._write(line + b"\n")

    def write_lines(self, lines: list[bytes]) -> None:
        """Append whole lines (without their newlines), several per write: one ``stat`` and
        one ``write`` per batch of up to ``BATCH_BYTES`` (and a quarter of ``max_bytes``)."""
        limit = min(BATCH_BYTES, self.max_bytes // 4) if self.max_bytes else BATCH_BYTES
        batch: list[bytes] = []
        size = 0
        for line in lines:
            if batch and size + len(line) + 1 > limit:
                self._write(b"\n".join(batch) + b"\n")
                batch, size = [], 0
            batch.append(line)
            size += len(line) + 1
        if batch:
            self._write(b"\n".join(batch) + b"\n")

    def _write(self, data: bytes) -> None:
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        self._follow(len(data))
        written = os.write(self._fd, data)
        while written < len(data):  # only on a full disk or a signal; finish the line
            written += os.write(self._fd, data[written:])

    def _follow(self, incoming: int) -> None:
        assert self._fd is not None
        mine = os.fstat(self._fd)  # cheaper than a stat of the path, on every batch
        now = time.monotonic()
        if mine.st_nlink == 0 or not 0 <= now - self._checked < PATH_CHECK_S:
            self._checked = now
            try:
                moved = os.stat(self.path).st_ino != self._ino
            except FileNotFoundError:
                moved = True
            if moved:  # another process rotated or removed it
                self._open()
                mine = os.fstat(self._fd)
        if self.max_bytes and mine.st_size + incoming > self.max_bytes and mine.st_size > 0:
            with self._locked():
                try:
                    current = os.stat(self.path)
                except FileNotFoundError:
                    current = None
                if (
                    current is not None
                    and current.st_ino == self._ino
                    and current.st_size + incoming > self.max_bytes
                ):
                    self._rotate()
                self._open()

    def _rotate(self) -> None:
        if self.backups <= 0:
            os.unlink(self.path)
            return
        files = rotated(self.path, self.backups)
        for older, newer in itertools.pairwise(files):
            with contextlib.suppress(FileNotFoundError):
                os.replace(newer, older)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock = os.open(
            self.path.with_name(self.path.name + ".lock"),
            os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC,
            0o600,
        )
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
        finally:
            os.close(lock)  # closing releases the flock

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
        if self._writers >= 0:
            os.close(self._writers)  # releases the shared lock
            self._writers = -1
