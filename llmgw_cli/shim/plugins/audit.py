"""Audit plugin: one JSON line per request through the shim.

Fields: the seed's ``timestamp, user, department, model, prompt_tokens, response_tokens,
latency, status`` plus ``request_id, profile, upstream, route, attempts, method, path,
upstream_model, stream, ttft, overhead_ms, cache_read_tokens, cache_write_tokens,
tokens_exact, cost_usd, error`` (and ``pii``/``budget`` notes when those plugins acted).
``session_id`` (Claude Code's ``x-claude-code-session-id``), ``prefix`` (hashes of the
cacheable prefix, system blocks and tool list: ``wire.prefix``; never the text) and
``cache_saved_usd`` (what the cache reads saved against full input price) let
`usage --by session` show each session's cache-hit share and cache busting.
``latency`` and ``ttft`` are seconds. ``prompt_tokens`` is the whole prompt, cached parts
included (as OpenAI counts it); the cache columns say how much of it was cached.

No prompt text unless ``include_prompts: true``; then the last user turn, with every PII
and secret detector applied, capped at ``max_prompt_chars``.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

from llmgw_cli.pii.scan import Scanner
from llmgw_cli.prices import PER, PriceTable
from llmgw_cli.shim.plugins.appendlog import AppendLog
from llmgw_cli.shim.plugins.common import (
    carries_prompt,
    exchange_cost,
    number,
    priced_model,
    section,
    user_of,
)
from llmgw_cli.shim.plugins.contract import BadBody, Exchange
from llmgw_cli.wire import jsoncodec, prefix
from llmgw_cli.wire.hints import CLASS_HEADER, SESSION_HEADER
from llmgw_cli.wire.text import user_texts

DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "path": None,
    "include_prompts": False,
    "max_prompt_chars": 4000,
    "max_bytes": 50 * 1024 * 1024,
    "backups": 5,
}
AUDIT_FILE = "audit.jsonl"
FLUSH_LINES = 64


_second: list[Any] = [-1, ""]  # the last whole second formatted, and its text
_milli: list[Any] = [-1, ""]  # the last millisecond formatted, and its text


def _iso(ts: float) -> str:
    """``2026-01-02T03:04:05.678+00:00``; formatted once a millisecond (the date and time
    once a second)."""
    ms = int(ts * 1000)
    if ms == _milli[0]:
        return str(_milli[1])
    whole = ms // 1000
    if whole != _second[0]:
        text = datetime.fromtimestamp(whole, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        _second[0], _second[1] = whole, text
    text = f"{_second[1]}.{ms % 1000:03d}+00:00"
    _milli[0], _milli[1] = ms, text
    return text


class AuditPlugin:
    name: ClassVar[str] = "audit"
    needs_usage: ClassVar[bool] = True
    records: ClassVar[bool] = True  # completes after the other plugins (their notes included)
    hooks: ClassVar[frozenset[str]] = frozenset({"complete"})  # never called on_request

    def __init__(self, config: Any, state_dir: Path, prices: PriceTable) -> None:
        cfg = section(config, "audit", DEFAULTS)
        path = Path(cfg["path"]).expanduser() if cfg["path"] else state_dir / AUDIT_FILE
        self.include_prompts = bool(cfg["include_prompts"])
        self.max_prompt_chars = int(
            number(cfg["max_prompt_chars"], "plugins.audit.max_prompt_chars", True) or 0
        )
        self.prices = prices
        self.log = AppendLog(
            path,
            max_bytes=int(number(cfg["max_bytes"], "plugins.audit.max_bytes", True) or 0),
            backups=int(number(cfg["backups"], "plugins.audit.backups", True) or 0),
        )
        self._scanner = Scanner() if self.include_prompts else None
        self._pending: list[bytes] = []

    @property
    def path(self) -> Path:
        return self.log.path

    async def on_request(self, exchange: Exchange) -> None:
        return None

    async def on_complete(self, exchange: Exchange) -> None:
        self.complete_now(exchange)

    def complete_now(self, exchange: Exchange) -> None:
        """Queue the line; the lines of one event-loop turn go out in one write (and at
        ``FLUSH_LINES`` queued, should the loop not turn)."""
        try:
            line = jsoncodec.dumps(self.record(exchange))
        except Exception as exc:  # never lose the line (RecursionError too): write what is sure
            rec = self.minimal(exchange, f"{type(exc).__name__}: {str(exc)[:200]}")
            line = jsoncodec.dumps(rec)
        # No member's secret nor the local token in the log, prompts included.
        line = exchange.scrub.raw(line)
        pending = self._pending
        if not pending:
            asyncio.get_running_loop().call_soon(self.flush)
        pending.append(line)
        if len(pending) >= FLUSH_LINES:
            self.flush()

    def flush(self) -> None:
        lines, self._pending = self._pending, []
        if lines:
            self.log.write_lines(lines)

    def minimal(self, exchange: Exchange, why: str) -> dict[str, Any]:
        """The record's plain fields, when building the full one failed."""
        return {
            "timestamp": _iso(exchange.wall_start),
            "request_id": exchange.request_id,
            "user": str(user_of(exchange)),
            "profile": exchange.profile,
            "method": exchange.method,
            "path": exchange.path,
            "status": exchange.status,
            "error": exchange.error,
            "audit_error": why,
            "plugin_errors": list(exchange.notes.get("plugin_errors", [])),
        }

    def record(self, exchange: Exchange) -> dict[str, Any]:
        usage = exchange.usage
        prompt_tokens = usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens
        estimate = exchange.notes.get("prompt_estimate")
        if not usage.exact and isinstance(estimate, int):
            prompt_tokens = estimate
        latency = (
            exchange.e2e_ms / 1000
            if exchange.e2e_ms is not None
            else time.perf_counter() - exchange.started
        )
        rec: dict[str, Any] = {
            "timestamp": _iso(exchange.wall_start),
            "request_id": exchange.request_id,
            "user": user_of(exchange),
            "department": exchange.department,
            "profile": exchange.profile,
            "upstream": exchange.upstream,
            "route": exchange.route,
            "attempts": exchange.attempts,
            "method": exchange.method,
            "path": exchange.path,
            "model": exchange.model,
            "upstream_model": priced_model(exchange),
            "status": exchange.status,
            "stream": exchange.stream,
            "latency": round(latency, 4),
            "ttft": round(exchange.ttft_ms / 1000, 4) if exchange.ttft_ms is not None else None,
            "overhead_ms": round(exchange.overhead_ms, 3)
            if exchange.overhead_ms is not None
            else None,
            "prompt_tokens": prompt_tokens,
            "response_tokens": usage.output_tokens,
            "cache_read_tokens": usage.cache_read_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
            "tokens_exact": usage.exact,
            "cost_usd": round(exchange_cost(exchange, self.prices), 8),
            "error": exchange.error,
            "session_id": exchange.headers.get(SESSION_HEADER),
            "request_class": exchange.headers.get(CLASS_HEADER),
            "prefix": self._prefix(exchange),
            "cache_saved_usd": self._saved(exchange),
        }
        for note in ("pii", "budget_warning", "plugin_errors", "session_moved"):
            if note in exchange.notes:
                rec[note] = exchange.notes[note]
        if self._scanner is not None:
            rec["prompt"] = self._prompt(exchange)
        return rec

    def _prefix(self, exchange: Exchange) -> dict[str, Any] | None:
        if exchange.client_format != "anthropic" or not carries_prompt(exchange):
            return None
        try:
            return prefix.fingerprint(exchange.json())
        except BadBody:
            return None

    def _saved(self, exchange: Exchange) -> float:
        read = exchange.usage.cache_read_tokens
        if not read:
            return 0.0
        price, _ = self.prices.lookup(priced_model(exchange))
        if price is None:
            return 0.0
        return round(read * (price.input - price.cache_read) / PER, 8)

    def _prompt(self, exchange: Exchange) -> str | None:
        """The last user turn, redacted, then capped (redacted first: no half key survives)."""
        assert self._scanner is not None
        try:
            body = exchange.json()
        except BadBody:
            return None
        if not isinstance(body, dict):
            return None
        turn: dict[str, Any] = dict(body)
        messages = body.get("messages")
        if isinstance(messages, list):
            users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
            turn["messages"] = users[-1:]
        texts = [self._scanner.redact(slot.text)[0] for slot in user_texts(turn)]
        text = "\n".join(t for t in texts if t)
        if len(text) > self.max_prompt_chars:
            text = (
                text[: self.max_prompt_chars] + f"…[{len(text) - self.max_prompt_chars} more chars]"
            )
        return text

    async def close(self) -> None:
        self.flush()
        self.log.close()
