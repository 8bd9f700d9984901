"""Budgets: the request that would pass the limit is refused; spend survives a restart;
two OS processes sharing one database cannot overspend together."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from llmgw_cli import tokens
from llmgw_cli.errors import ConfigError
from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.budget import BudgetPlugin
from llmgw_cli.shim.plugins.contract import Reject
from llmgw_cli.wire.usage import Usage

from .conftest import anthropic_body, make_exchange

BODY = anthropic_body("hello there", max_tokens=1000)
PER_REQUEST = tokens.estimate_request(BODY).tokens + 1000  # what each request reserves


def plugin(state: Path, **cfg: Any) -> BudgetPlugin:
    return BudgetPlugin({"enabled": True, **cfg}, state, PriceTable())


async def run_one(p: BudgetPlugin, used: Usage | None, user: str = "alice") -> None:
    ex = make_exchange(BODY, headers={"X-User-ID": user})
    await p.on_request(ex)
    if used is not None:
        ex.usage = used
    await p.on_complete(ex)


def test_limit_rejects_the_request_that_would_pass_it(tmp_path: Path) -> None:
    p = plugin(tmp_path, daily_tokens=3 * PER_REQUEST)

    async def scenario() -> Reject:
        for _ in range(3):  # each settles at its exact usage, here the full reservation
            await run_one(p, Usage(PER_REQUEST - 1000, 1000, exact=True))
        with pytest.raises(Reject) as info:
            await p.on_request(make_exchange(BODY, headers={"X-User-ID": "alice"}))
        return info.value

    reject = asyncio.run(scenario())
    assert reject.status == 429
    assert "daily_tokens" in reject.message and "resets at" in reject.message
    retry = int(reject.headers["retry-after"])
    assert 0 < retry <= 86400
    assert reject.headers["x-should-retry"] == "false"
    assert reject.body("anthropic")["error"]["type"] == "rate_limit_error"
    assert reject.extra["limit"] == "daily_tokens"


def test_actual_usage_replaces_the_reservation(tmp_path: Path) -> None:
    p = plugin(tmp_path, daily_tokens=3 * PER_REQUEST)

    async def scenario() -> None:
        for _ in range(10):  # small answers: far below the reservations
            await run_one(p, Usage(10, 5, exact=True))

    asyncio.run(scenario())
    assert p.store.spent()["*"]["tokens"] == 150


def test_spend_survives_a_restart(tmp_path: Path) -> None:
    first = plugin(tmp_path, daily_usd=1.0)
    asyncio.run(run_one(first, Usage(0, 60_000, exact=True)))  # 60k sonnet output = $0.90
    asyncio.run(first.close())
    second = plugin(tmp_path, daily_usd=0.91)  # the next request's estimate is $0.015
    assert second.store.spent()["*"]["usd"] == pytest.approx(0.90)
    with pytest.raises(Reject, match=r"\$0\.90 of \$0\.91"):
        asyncio.run(second.on_request(make_exchange(BODY)))


def test_per_user_and_default_user_limits(tmp_path: Path) -> None:
    p = plugin(
        tmp_path, users={"alice": {"daily_tokens": PER_REQUEST}}, default_user={"daily_tokens": 0}
    )
    asyncio.run(run_one(p, None, "alice"))  # fits exactly; no usage reported, estimate is charged
    with pytest.raises(Reject, match=r"users\.alice\.daily_tokens for user alice"):
        asyncio.run(p.on_request(make_exchange(BODY, headers={"X-User-ID": "alice"})))
    with pytest.raises(Reject, match=r"default_user\.daily_tokens for user bob"):
        asyncio.run(p.on_request(make_exchange(BODY, headers={"X-User-ID": "bob"})))


def test_warn_mode_only_records(tmp_path: Path) -> None:
    p = plugin(tmp_path, mode="warn", daily_tokens=1)
    ex = make_exchange(BODY)
    asyncio.run(p.on_request(ex))
    assert "daily_tokens" in ex.notes["budget_warning"]
    ex.usage = Usage(100, 50, exact=True)
    asyncio.run(p.on_complete(ex))
    assert p.store.spent()["*"]["tokens"] == 150


def test_failed_request_releases_its_reservation(tmp_path: Path) -> None:
    p = plugin(tmp_path, daily_tokens=PER_REQUEST)
    ex = make_exchange(BODY, status=None)
    asyncio.run(p.on_request(ex))
    ex.status = 503
    asyncio.run(p.on_complete(ex))
    asyncio.run(run_one(p, Usage(10, 10, exact=True)))  # the whole limit is free again


def test_stale_reservation_of_a_dead_process_expires(tmp_path: Path) -> None:
    p = plugin(tmp_path, daily_tokens=PER_REQUEST)
    p.store.reserve("ghost", "alice", PER_REQUEST, 0.0, [], now=time.time() - 7200)
    asyncio.run(run_one(p, Usage(1, 1, exact=True)))


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"plugins\.budget\.daily_usd"):
        plugin(tmp_path, daily_usd="lots")
    with pytest.raises(ConfigError, match="unknown key 'daily_eur'"):
        plugin(tmp_path, users={"a": {"daily_eur": 1}})
    with pytest.raises(ConfigError, match="unknown key 'monthly_usd'"):
        plugin(tmp_path, monthly_usd=5)


def _worker(state: str, limit: int, rounds: Any, results: Any) -> None:
    p = plugin(Path(state), daily_tokens=limit)
    granted = 0

    async def go() -> None:
        nonlocal granted
        for _ in range(40):
            rounds.wait()  # both processes reserve at the same moment, every round
            try:
                await p.on_request(make_exchange(BODY))
            except Reject:
                continue
            granted += 1  # and keep the reservation: the request is "in flight"

    asyncio.run(go())
    results.put(granted)


def test_two_processes_cannot_overspend_together(tmp_path: Path) -> None:
    allowed = 25
    ctx = multiprocessing.get_context("fork")
    rounds, results = ctx.Barrier(2, timeout=120), ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(str(tmp_path), allowed * PER_REQUEST, rounds, results))
        for _ in range(2)
    ]
    for proc in procs:
        proc.start()
    counts = [results.get(timeout=180) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    assert sum(counts) == allowed, counts  # exactly the limit, never more
    assert all(c > 0 for c in counts), counts


def test_a_locked_database_makes_the_fast_path_step_aside(tmp_path: Path) -> None:
    """Another process holding the write lock: the loop never waits on it; the request
    waits in a worker thread until the lock is free, then is admitted."""
    import sqlite3

    from llmgw_cli.shim.plugins.budget_store import Busy, Limit

    p = plugin(tmp_path, daily_tokens=10 * PER_REQUEST)
    tokens.estimate_request(BODY)  # every piece cached: the fast path is open
    other = sqlite3.connect(p.store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    limit = [Limit("daily_tokens", "*", "tokens", 1e9)]
    with pytest.raises(Busy):
        p.store.reserve("x", "alice", 1, 0.0, limit, fast=True)

    async def scenario() -> tuple[bool, float]:
        ex = make_exchange(BODY, headers={"X-User-ID": "alice"})
        task = asyncio.ensure_future(p.on_request(ex))
        ticks = 0
        while not task.done() and ticks < 20:  # the loop keeps turning meanwhile
            await asyncio.sleep(0.01)
            ticks += 1
        blocked = not task.done()
        other.execute("COMMIT")
        await task
        return blocked, ex.notes["budget"]["reserved"]

    blocked, reserved = asyncio.run(scenario())
    other.close()
    assert blocked and reserved is True
    asyncio.run(p.close())


def test_fast_writes_are_checkpointed_off_the_loop(tmp_path: Path) -> None:
    from llmgw_cli.shim.plugins import budget_store

    p = plugin(tmp_path, daily_tokens=10**12)
    tokens.estimate_request(BODY)

    async def many() -> None:
        for _ in range(budget_store.CHECKPOINT_EVERY // 2 + 5):
            await run_one(p, Usage(10, 10, exact=True))

    asyncio.run(many())  # two fast writes per request: at least one checkpoint ran
    assert p.store.fast_writes < budget_store.CHECKPOINT_EVERY
    spent = p.store.spent()["*"]
    assert spent["requests"] == budget_store.CHECKPOINT_EVERY // 2 + 5
    asyncio.run(p.close())


def test_refusal_amounts_have_enough_digits_to_read() -> None:
    from llmgw_cli.shim.plugins.budget import usd

    assert [usd(v) for v in (0.0, 12.5, 0.91, 0.015, 0.0042, 0.000123)] == [
        "$0.00",
        "$12.50",
        "$0.91",
        "$0.015",
        "$0.0042",
        "$0.00012",
    ]
