"""``previous_response_id`` on members that keep no state: a small local store of responses.

The Responses API lets a client send only the new input and name the response it follows;
an Anthropic or Chat member has no such memory, so the shim keeps, per response it
translated, the conversation's items (the expanded input followed by the output items) —
what the next turn needs, and nothing else: not the instructions (the API does not carry
them over), not the tools, not the metadata. A request with ``store: false`` (Codex sends
it and its whole history every time) is never kept.

Bounds (README, "What the shim keeps"): one 0600 file per response in
``<state>/responses/``, expiring after ``TTL_S``; at most ``MAX_ENTRIES`` files and
``MAX_TOTAL_BYTES`` in all (the oldest go first; checked at most once a minute, and at
start); a conversation larger than
``MAX_ENTRY_BYTES`` is not kept (its follow-up gets a clear error). Response ids are
checked before they name a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from llmgw_cli import paths
from llmgw_cli.wire.common import TranslationError

TTL_S = 24 * 3600
MAX_ENTRIES = 200
MAX_ENTRY_BYTES = 8 << 20
MAX_TOTAL_BYTES = 64 << 20
_ID = re.compile(r"^resp_[A-Za-z0-9_-]{1,100}$")


class NotFound(TranslationError):
    """The previous response is unknown here (never kept, expired, or another machine's)."""


class ResponseStore:
    def __init__(self, folder: Path | None = None, *, now: Any = time.time) -> None:
        self._folder = folder
        self._now = now
        self._pruned = float("-inf")

    @property
    def folder(self) -> Path:
        """``<state>/responses`` (looked up each time: LLMGW_HOME may change in tests)."""
        return self._folder or paths.state_dir() / "responses"

    def _path(self, response_id: str) -> Path:
        if not _ID.match(response_id):
            raise NotFound(f"Previous response with id {response_id!r} not found.")
        return self.folder / f"{response_id}.json"

    def load(self, response_id: str) -> list[Any]:
        """The conversation items up to and including that response's output."""
        path = self._path(response_id)
        try:
            if self._now() - path.stat().st_mtime > TTL_S:
                raise FileNotFoundError
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            raise NotFound(
                f"Previous response with id {response_id!r} not found: llmgw keeps the "
                f"responses it translated for {TTL_S // 3600} h (state folder, responses/); "
                "send the whole conversation in `input` instead"
            ) from None
        items = data.get("items") if isinstance(data, dict) else None
        return items if isinstance(items, list) else []

    def expand(self, body: dict[str, Any]) -> dict[str, Any]:
        """The request with the stored conversation in front of its ``input``."""
        previous = body.get("previous_response_id")
        if not isinstance(previous, str) or not previous:
            return body
        new = body.get("input")
        items = (
            [{"type": "message", "role": "user", "content": new}] if isinstance(new, str) else new
        )
        kept = self.load(previous)
        return {**body, "input": [*kept, *(items if isinstance(items, list) else [])]}

    def save(self, response_id: str, request: dict[str, Any], output: list[Any]) -> None:
        """Keep the conversation after ``response_id`` unless the request said ``store: false``."""
        if request.get("store") is False or not _ID.match(response_id):
            return
        items = request.get("input")
        if isinstance(items, str):
            items = [{"type": "message", "role": "user", "content": items}]
        data = json.dumps({"items": [*(items or []), *output]}, ensure_ascii=False).encode()
        if len(data) > MAX_ENTRY_BYTES:
            return
        paths.ensure_dir(self.folder)
        path = self._path(response_id)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)  # a cache: no fsync, a crash loses at most this entry
        if self._now() - self._pruned > 60:
            self.prune()

    def prune(self) -> None:
        """Drop expired entries, then the oldest beyond the count and size bounds."""
        now = self._pruned = self._now()
        entries: list[tuple[float, int, Path]] = []
        with contextlib.suppress(FileNotFoundError):
            for path in self.folder.glob("resp_*.json"):
                with contextlib.suppress(FileNotFoundError):
                    st = path.stat()
                    if now - st.st_mtime > TTL_S:
                        path.unlink()
                    else:
                        entries.append((st.st_mtime, st.st_size, path))
        entries.sort(reverse=True)  # newest first
        total = 0
        for i, (_, size, path) in enumerate(entries):
            total += size
            if i >= MAX_ENTRIES or total > MAX_TOTAL_BYTES:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
