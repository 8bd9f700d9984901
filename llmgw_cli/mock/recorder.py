"""The mock's memory of what it was sent: a bounded request log plus counters.

Test hooks (served by the mock itself, never by a real gateway):
  GET    /_mock/requests[?path=/v1/messages]  the logged requests, oldest first, as JSON
  DELETE /_mock/requests                      forget them and zero the counters
  GET    /_mock/stats                         counters: requests by path and status, streams,
                                              open connections

Entries keep headers verbatim (tests assert the mock saw the right key) and the first
``log_body_limit`` bytes of each body; the body is decoded only when the log is read, so
recording costs a handler almost nothing. ``/_mock/*`` requests are not recorded.
"""

from __future__ import annotations

import json
import time
from collections import Counter, deque
from typing import Any

from aiohttp import web


class Entry:
    __slots__ = ("body", "body_size", "headers", "method", "path", "query", "seq", "status", "time")

    def __init__(self, seq: int, request: web.Request, body: bytes, body_limit: int) -> None:
        self.seq = seq
        self.time = time.time()
        self.method = request.method
        self.path = request.path
        self.query = request.query_string
        self.headers = request.headers
        self.body = body[:body_limit]
        self.body_size = len(body)
        self.status: int | None = None

    def as_json(self) -> dict[str, Any]:
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            k = key.lower()
            headers[k] = f"{headers[k]}, {value}" if k in headers else value
        return {
            "seq": self.seq,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": headers,
            "body": _decode(self.body, self.body_size > len(self.body)),
            "body_size": self.body_size,
            "body_truncated": self.body_size > len(self.body),
            "status": self.status,
        }


def _decode(body: bytes, truncated: bool) -> Any:
    if not body:
        return None
    text = body.decode("utf-8", "replace")
    if truncated:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class Recorder:
    def __init__(self, limit: int, body_limit: int) -> None:
        self.log: deque[Entry] = deque(maxlen=limit)
        self.body_limit = body_limit
        self.seq = 0
        self.started = time.time()
        self.by_path: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.streams = Counter({"active": 0, "completed": 0, "cancelled": 0, "dropped": 0})

    def start(self, request: web.Request, body: bytes) -> Entry:
        self.seq += 1
        entry = Entry(self.seq, request, body, self.body_limit)
        self.log.append(entry)
        self.by_path[entry.path] += 1
        return entry

    def done(self, entry: Entry, status: int) -> None:
        entry.status = status
        self.by_status[status] += 1

    def clear(self) -> None:
        self.log.clear()
        self.by_path.clear()
        self.by_status.clear()
        for key in ("completed", "cancelled", "dropped"):
            self.streams[key] = 0

    def requests_json(self, path: str | None) -> dict[str, Any]:
        entries = [e.as_json() for e in self.log if path is None or e.path == path]
        return {"requests": entries, "count": len(entries)}

    def stats_json(self, connections_open: int) -> dict[str, Any]:
        return {
            "requests": sum(self.by_path.values()),
            "by_path": dict(self.by_path),
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "streams": dict(self.streams),
            "connections_open": connections_open,
            "uptime_s": round(time.time() - self.started, 3),
        }
