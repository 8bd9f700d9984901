"""Reading the shim's audit log: the file and its rotated backups, forwards or from the end.

Kept free of heavy imports: ``llmgw statusline`` runs inside Claude Code's prompt loop.
Lines that do not parse (a foreign writer, a disk that filled up) are skipped, not fatal.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from llmgw_cli import paths

AUDIT_FILE = "audit.jsonl"
_BACKUP = re.compile(r"\.(\d+)$")


def default_path() -> Path:
    return paths.state_dir() / AUDIT_FILE


def log_files(path: Path) -> list[Path]:
    """The log and every numbered backup that exists, oldest first."""
    backups: list[tuple[int, Path]] = []
    if path.parent.is_dir():
        prefix = path.name + "."
        for entry in path.parent.iterdir():
            if entry.name.startswith(prefix):
                m = _BACKUP.search(entry.name)
                if m and entry.name == prefix + m.group(1):
                    backups.append((int(m.group(1)), entry))
    ordered = [p for _, p in sorted(backups, reverse=True)]
    return [*ordered, path] if path.exists() else ordered


def timestamp(record: dict[str, Any]) -> float | None:
    value = record.get("timestamp")
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # a torn line, or one nested past the C stack guard
        return None
    return record if isinstance(record, dict) else None


def read(path: Path, since: float | None = None) -> Iterator[dict[str, Any]]:
    """Records at or after ``since`` (epoch seconds), oldest file first."""
    for file in log_files(path):
        try:
            if since is not None and file.stat().st_mtime < since:
                continue  # its newest line is older than the window
            with file.open("rb") as fh:
                for line in fh:
                    record = _parse(line)
                    if record is None:
                        continue
                    if since is not None:
                        ts = timestamp(record)
                        if ts is None or ts < since:
                            continue
                    yield record
        except FileNotFoundError:
            continue  # rotated away while we read


def _reverse_lines(file: Path, block: int = 65536) -> Iterator[bytes]:
    with file.open("rb") as fh:
        pos = fh.seek(0, os.SEEK_END)
        tail = b""
        while pos > 0:
            step = min(block, pos)
            pos -= step
            fh.seek(pos)
            chunk = fh.read(step) + tail
            parts = chunk.split(b"\n")
            tail = parts[0]
            for line in reversed(parts[1:]):
                if line:
                    yield line
        if tail:
            yield tail


# Lines are appended when a request ends but stamped when it started, so a long stream can
# sit after newer lines; reading backwards stops only this far before the window.
SLACK_S = 3600.0


def read_back(path: Path, since: float) -> Iterator[dict[str, Any]]:
    """Records at or after ``since``, roughly newest first, reading only the end of big files."""
    for file in reversed(log_files(path)):
        try:
            if file.stat().st_mtime < since:
                return
            for line in _reverse_lines(file):
                record = _parse(line)
                if record is None:
                    continue
                ts = timestamp(record)
                if ts is None or ts < since:
                    if ts is not None and ts < since - SLACK_S:
                        return
                    continue
                yield record
        except FileNotFoundError:
            continue
