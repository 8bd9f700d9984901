"""Budget plugin: daily limits in USD or tokens, total and per user, enforced before upstream.

Config (``plugins.budget``)::

    mode: block            # block → 429 before the upstream sees the request; warn → record only
    daily_usd: 50          # all users together, per UTC day; null = no limit
    daily_tokens: null
    users: {alice: {daily_usd: 20, daily_tokens: 2000000}}
    default_user: {daily_usd: 10}   # for users not listed under `users`

Pre-flight, a request reserves its estimate: prompt tokens (tiktoken, offline) plus the
``max_tokens`` it allows, priced at full input price (caching is unknown before the answer,
so the estimate errs high). On completion the reservation becomes the upstream's exact
usage. Tokens mean all tokens processed: input, output, cache reads and writes. A model
missing from the price table costs 0: give it a ``prices:`` entry for a USD limit to bite.
Nothing slow runs on the event loop: the estimate counts on the loop only what the token
cache already knows, and SQLite writes there only when the lock is free (~40 µs); text never
seen before is encoded, and a locked database waited for, in a worker thread. The core runs
``on_complete`` after the answer went out; it queues the settle (group commit:
``budget_queue``); a reservation applies this process's queued settles first, in its own
transaction, and waits for those still in progress, so a client sees its last one settled.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

from llmgw_cli import tokens
from llmgw_cli.errors import ConfigError
from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.budget_queue import SettleQueue
from llmgw_cli.shim.plugins.budget_store import (
    TOTAL,
    BudgetStore,
    Busy,
    Limit,
    Settle,
    Verdict,
    next_reset,
)
from llmgw_cli.shim.plugins.common import (
    choice,
    exchange_cost,
    is_generation,
    number,
    section,
    user_of,
)
from llmgw_cli.shim.plugins.contract import BadBody, Exchange, Reject
from llmgw_cli.wire.usage import Usage

log = logging.getLogger("llmgw.shim.budget")
DEFAULTS: dict[str, Any] = {
    "enabled": False,
    "mode": "block",
    "daily_usd": None,
    "daily_tokens": None,
    "users": {},
    "default_user": {},
    "path": None,
}
DB_FILE = "budget.sqlite"
# A body this large is estimated in a worker thread, the walk over its pieces included.
OFF_LOOP_BYTES = 64 * 1024
_UNITS = ("daily_usd", "daily_tokens")


def _limits(spec: Any, where: str, scope: str, prefix: str) -> list[Limit]:
    if spec is None:
        return []
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: must be a mapping like {{daily_usd: 20}}")
    unknown = sorted(set(map(str, spec)) - set(_UNITS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; allowed: daily_usd, daily_tokens")
    out = []
    for key in _UNITS:
        value = number(spec.get(key), f"{where}.{key}", integer=key == "daily_tokens")
        if value is not None:
            out.append(
                Limit(f"{prefix}{key}", scope, "usd" if key == "daily_usd" else "tokens", value)
            )
    return out


class BudgetPlugin:
    name: ClassVar[str] = "budget"
    needs_usage: ClassVar[bool] = True

    def __init__(self, config: Any, state_dir: Path, prices: PriceTable) -> None:
        cfg = section(config, "budget", DEFAULTS)
        self.mode = choice(cfg["mode"], "plugins.budget.mode", ("block", "warn"))
        self.fail_closed = self.mode == "block"  # a budget it cannot check is not waved through
        self.total = _limits({k: cfg[k] for k in _UNITS}, "plugins.budget", TOTAL, "")
        users = cfg["users"] or {}
        if not isinstance(users, dict):
            raise ConfigError(
                "plugins.budget.users: must map user names to {daily_usd: …, daily_tokens: …}"
            )
        self.users = {str(name): spec for name, spec in users.items()}
        for name, spec in self.users.items():
            _limits(spec, f"plugins.budget.users.{name}", f"user:{name}", "")
        _limits(cfg["default_user"], "plugins.budget.default_user", "user:x", "")
        self.default_user = cfg["default_user"] or {}
        self.prices = prices
        path = Path(cfg["path"]).expanduser() if cfg["path"] else state_dir / DB_FILE
        self.store = BudgetStore(path)
        self.settles = SettleQueue(self.store)  # group commit (budget_queue)
        self._limits: dict[str, list[Limit]] = {}
        # Build the tokenizer now, not inside the first request (~0.3-1 s).
        threading.Thread(
            target=tokens.get_encoding,
            args=(tokens.ESTIMATE_ENCODING,),
            name="llmgw-tokens-warm",
            daemon=True,
        ).start()

    def limits_for(self, user: str) -> list[Limit]:
        limits = self._limits.get(user)
        if limits is None:
            if len(self._limits) >= 1024:  # user names come from clients: stay bounded
                self._limits.clear()
            limits = self._limits[user] = self._limits_of(user)
        return limits

    def _limits_of(self, user: str) -> list[Limit]:
        if user in self.users:
            own = _limits(
                self.users[user], f"plugins.budget.users.{user}", f"user:{user}", f"users.{user}."
            )
        else:
            own = _limits(
                self.default_user, "plugins.budget.default_user", f"user:{user}", "default_user."
            )
        return [*own, *self.total]

    async def on_request(self, exchange: Exchange) -> None:
        if not is_generation(exchange):
            return
        try:
            body = exchange.json()
        except BadBody:
            return  # not an LLM request the upstream can bill
        user = user_of(exchange)
        limits = self.limits_for(user)
        if not limits:  # nothing to enforce for this user: only record the spend afterwards
            exchange.notes["budget"] = {"reserved": False}
            return
        hold = self.mode == "block"
        if self.settles.writing:
            await asyncio.wait(set(self.settles.writing))
        settles = self.settles.take()  # applied first, in the same transaction
        partial, fast = None, None
        try:
            if len(exchange.body) < OFF_LOOP_BYTES:  # a larger body's walk alone may take ms
                partial = tokens.estimate_known(body)
                fast = self._reserve_fast(exchange, body, partial, user, limits, hold, settles)
            if partial is not None and fast is not None:
                verdict, prompt = fast, partial.counted
            else:
                verdict, prompt = await asyncio.to_thread(
                    self._count_and_reserve, exchange, body, partial, user, limits, hold, settles
                )
        except BaseException:
            self.settles.put_back(settles)
            raise
        exchange.notes["prompt_estimate"] = prompt
        exchange.notes["budget"] = {"reserved": hold and verdict.ok}
        if verdict.ok or verdict.limit is None:
            return
        message = self.describe(verdict, user)
        if not hold:
            log.warning("budget (warn mode): %s", message)
            exchange.notes["budget_warning"] = message
            return
        retry_after = max(1, math.ceil(next_reset().timestamp() - time.time()))
        raise Reject(
            429,
            "rate_limit_error",
            message,
            headers={"retry-after": str(retry_after), "x-should-retry": "false"},
            extra={"limit": verdict.limit.name, "resets_at": next_reset().isoformat()},
        )

    def _reserve_fast(
        self,
        exchange: Exchange,
        body: Any,
        partial: tokens.Partial,
        user: str,
        limits: list[Limit],
        hold: bool,
        settles: list[Settle],
    ) -> Verdict | None:
        """On the loop, when every piece was counted before and the lock is free."""
        if partial.missing:
            return None
        try:
            return self._reserve(exchange, body, partial.counted, user, limits, hold, True, settles)
        except Busy:
            return None

    def _count_and_reserve(
        self,
        exchange: Exchange,
        body: Any,
        partial: tokens.Partial | None,
        user: str,
        limits: list[Limit],
        hold: bool,
        settles: list[Settle],
    ) -> tuple[Verdict, int]:
        """In a worker thread: (walk the body,) encode the new text, then reserve (waiting
        for the lock)."""
        if partial is None:
            partial = tokens.estimate_known(body)
        prompt = partial.finish().tokens
        return self._reserve(exchange, body, prompt, user, limits, hold, False, settles), prompt

    def _reserve(
        self,
        exchange: Exchange,
        body: Any,
        prompt: int,
        user: str,
        limits: list[Limit],
        hold: bool,
        fast: bool = False,
        settles: list[Settle] | None = None,
    ) -> Verdict:
        wanted = Usage(input_tokens=prompt, output_tokens=tokens.max_output_tokens(body))
        usd = self.prices.cost(exchange.upstream_model or exchange.model, wanted)
        rid = exchange.request_id
        return self.store.reserve(
            rid, user, wanted.total, usd, limits, hold, None, fast, settles or ()
        )

    @staticmethod
    def describe(verdict: Verdict, user: str) -> str:
        limit = verdict.limit
        assert limit is not None
        who = "all users" if limit.scope == TOTAL else f"user {user}"
        if limit.unit == "usd":
            amounts = (
                f"{usd(verdict.spent)} of {usd(limit.value)} used, "
                f"this request needs up to {usd(verdict.requested)}"
            )
        else:
            amounts = (
                f"{verdict.spent:,.0f} of {limit.value:,.0f} tokens used, "
                f"this request needs up to {verdict.requested:,.0f}"
            )
        reset = next_reset().strftime("%Y-%m-%d %H:%M UTC")
        return f"daily budget {limit.name} for {who} exceeded ({amounts}); it resets at {reset}"

    async def on_complete(self, exchange: Exchange) -> None:
        self.complete_now(exchange)

    def complete_now(self, exchange: Exchange) -> None:
        """Queue the settle (never waits); the first of a loop turn schedules its write."""
        note = exchange.notes.get("budget")
        if not is_generation(exchange) or not isinstance(note, dict):
            return
        usage = exchange.usage
        if usage.exact:
            used, usd = usage.total, exchange_cost(exchange, self.prices)
        elif exchange.status is not None and 200 <= exchange.status < 300:
            # The upstream answered but reported no usage: charge the prompt estimate.
            estimate = int(exchange.notes.get("prompt_estimate") or 0)
            used, usd = (
                estimate,
                self.prices.cost(exchange.upstream_model or exchange.model, Usage(estimate)),
            )
        else:
            used, usd = 0, 0.0
        if not (used or note.get("reserved")):
            return
        self.settles.add((exchange.request_id, user_of(exchange), used, usd))

    async def close(self) -> None:
        await self.settles.close()
        self.store.close()


def usd(value: float) -> str:
    """Dollars with enough digits to read: $12.50, $0.0042, never a misleading $0.00."""
    import math

    if value == 0 or abs(value) >= 1:
        return f"${value:,.2f}"
    decimals = min(8, max(2, 1 - math.floor(math.log10(abs(value)))))
    return f"${value:.{decimals}f}"
