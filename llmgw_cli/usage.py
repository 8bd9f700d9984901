"""`llmgw usage` and `llmgw statusline`: figures from the audit log (no rendering here).

Days are UTC dates, as the budget plugin counts them.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from llmgw_cli import auditlog
from llmgw_cli.errors import UsageError
from llmgw_cli.wire import prefix

GROUPS = ("model", "user", "profile", "day", "session")
_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(value: str, now: float | None = None) -> float:
    """``24h``, ``30m``, ``7d``, ``2w`` back from now, or an ISO date/time (UTC unless given)."""
    now = time.time() if now is None else now
    m = _SPAN.match(value)
    if m:
        return now - float(m.group(1)) * _UNIT_S[m.group(2)]
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(
            f"--since {value!r}: give a span like 24h, 30m, 7d, 2w or a date like 2026-11-01"
        ) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).date().isoformat()


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def is_error(record: dict[str, Any]) -> bool:
    status = record.get("status")
    return not isinstance(status, int) or status >= 400 or bool(record.get("error"))


@dataclass
class Group:
    key: str
    requests: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    response_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0
    cache_saved_usd: float = 0.0
    # by session: what changed in the cacheable prefix between turns (cache busting)
    prefix_changes: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    ttfts: list[float] = field(default_factory=list)

    def add(self, record: dict[str, Any]) -> None:
        self.requests += 1
        self.errors += is_error(record)
        self.prompt_tokens += _int(record.get("prompt_tokens"))
        self.response_tokens += _int(record.get("response_tokens"))
        self.cache_read_tokens += _int(record.get("cache_read_tokens"))
        self.cache_write_tokens += _int(record.get("cache_write_tokens"))
        self.cost_usd += _num(record.get("cost_usd")) or 0.0
        self.cache_saved_usd += _num(record.get("cache_saved_usd")) or 0.0
        for value, into in (
            (record.get("latency"), self.latencies),
            (record.get("ttft"), self.ttfts),
        ):
            number = _num(value)
            if number is not None:
                into.append(number)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.response_tokens

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "requests": self.requests,
            "errors": self.errors,
            "tokens": {
                "prompt": self.prompt_tokens,
                "response": self.response_tokens,
                "cache_read": self.cache_read_tokens,
                "cache_write": self.cache_write_tokens,
                "total": self.tokens,
            },
            "cost_usd": round(self.cost_usd, 6),
            "cache_hit_share": round(self.cache_read_tokens / self.prompt_tokens, 4)
            if self.prompt_tokens
            else None,
            "cache_saved_usd": round(self.cache_saved_usd, 6),
            "prefix_changes": list(self.prefix_changes),
            "p50_latency_ms": _p50_ms(self.latencies),
            "p50_ttft_ms": _p50_ms(self.ttfts),
        }


def _p50_ms(values: list[float]) -> float | None:
    return round(statistics.median(values) * 1000, 1) if values else None


class PrefixWatch:
    """Cache busting within a session: each turn's prefix fingerprint against the previous
    one of the same line of work (session, model, request class: a subagent or a haiku
    side request has its own system prompt)."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, str, str], dict[str, Any]] = {}

    def see(self, session: str, turn: int, record: dict[str, Any]) -> list[str]:
        fp = record.get("prefix")
        if not isinstance(fp, dict):
            return []
        line = (session, str(record.get("model")), str(record.get("request_class")))
        before = self._last.get(line)
        self._last[line] = fp
        if before is None:
            return []
        return [f"turn {turn}: {what} changed" for what in prefix.changes(before, fp)]


@dataclass
class Report:
    by: str
    since: float
    rows: list[Group]
    days: list[Group]
    total: Group

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "since": datetime.fromtimestamp(self.since, tz=timezone.utc).isoformat(
                timespec="seconds"
            ),
            "by": self.by,
            "rows": [g.to_dict() for g in self.rows],
            "days": [g.to_dict() for g in self.days],
            "total": self.total.to_dict(),
        }


def _key(record: dict[str, Any], by: str) -> str:
    if by == "day":
        ts = auditlog.timestamp(record)
        return day_of(ts) if ts is not None else "unknown"
    if by == "session":
        return str(record.get("session_id") or "-")
    value = record.get("upstream_model" if by == "model" else by) or record.get(by)
    return str(value) if value else "-"


def summarize(records: Iterable[dict[str, Any]], by: str, since: float) -> Report:
    if by not in GROUPS:
        raise UsageError(f"--by {by!r}: choose one of {', '.join(GROUPS)}")
    rows: dict[str, Group] = {}
    days: dict[str, Group] = {}
    total = Group("total")
    busting = PrefixWatch() if by == "session" else None
    for record in records:
        key = _key(record, by)
        group = rows.setdefault(key, Group(key))
        group.add(record)
        if busting is not None and key != "-":
            group.prefix_changes.extend(busting.see(key, group.requests, record))
        day = _key(record, "day")
        days.setdefault(day, Group(day)).add(record)
        total.add(record)
    ordered = (
        sorted(rows.values(), key=lambda g: g.key)
        if by == "day"
        else sorted(rows.values(), key=lambda g: (-g.cost_usd, -g.requests, g.key))
    )
    return Report(by, since, ordered, sorted(days.values(), key=lambda g: g.key), total)


def usage_report(since: str = "24h", by: str = "model", path: Path | None = None) -> Report:
    start = parse_since(since)
    return summarize(auditlog.read(path or auditlog.default_path(), start), by, start)


@dataclass(frozen=True)
class Today:
    requests: int
    cost_usd: float
    p50_ttft_ms: float | None
    last_profile: str | None
    cache_hit_share: float | None = None  # cache reads / prompt tokens today


def today(
    path: Path | None = None,
    now: float | None = None,
    recent: int = 50,
    profile_name: str | None = None,
) -> Today:
    """Today's (UTC) request count and spend, and the p50 TTFT of its last ``recent`` requests;
    with ``profile_name``, of that profile's requests only."""
    now = time.time() if now is None else now
    midnight = datetime.fromtimestamp(now, tz=timezone.utc).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    count, spent = 0, 0.0
    prompt, cached = 0, 0
    ttfts: list[float] = []
    profile: str | None = None
    for record in auditlog.read_back(path or auditlog.default_path(), midnight.timestamp()):
        if profile_name is not None and record.get("profile") != profile_name:
            continue
        count += 1
        spent += _num(record.get("cost_usd")) or 0.0
        prompt += _int(record.get("prompt_tokens"))
        cached += _int(record.get("cache_read_tokens"))
        ttft = _num(record.get("ttft"))
        if ttft is not None and len(ttfts) < recent:
            ttfts.append(ttft)
        if profile is None and isinstance(record.get("profile"), str):
            profile = record["profile"]
    share = cached / prompt if prompt else None
    return Today(count, spent, _p50_ms(ttfts), profile, share)
