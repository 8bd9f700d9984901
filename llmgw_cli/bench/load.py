"""The load generator: closed loop (``-c``) or open loop (``--rate``), by count or duration.

Several runs (profiles × models) go at once, interleaved, so drift of the machine or the
network hits all alike:

- closed loop: each run has ``concurrency`` lanes; a lane sends its next request when the
  previous one finishes. Lanes start round robin across runs (run 0 lane 0, run 1 lane 0, …).
- open loop: one Poisson process of rate ``rate × runs`` whose arrivals go to the runs in
  turn (round robin), so every run sees ``rate`` requests/s. A request's latency counts from
  its arrival (the intended send time), never from when the client got round to sending it:
  a server (or pool) that falls behind shows as growing latency instead of hiding it
  (coordinated omission, as in wrk2).

One ``ClientSession`` per run, its pool sized to the concurrency; the hot loop makes a
``Record``, awaits ``request.send`` and appends.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from llmgw_cli.bench import phases
from llmgw_cli.bench.record import Record
from llmgw_cli.bench.request import send
from llmgw_cli.bench.target import Options, Target
from llmgw_cli.errors import UpstreamError

_now = time.perf_counter


@dataclass(frozen=True)
class Progress:
    done: int
    errors: int
    total: int | None  # None in --duration mode
    elapsed_s: float
    duration_s: float | None
    warmup: bool


ProgressFn = Callable[[Progress], None]


def new_session(
    target: Target, pool: int, timeout_s: float = 600.0, force_close: bool = False
) -> aiohttp.ClientSession:
    """``timeout_s``: aiohttp's ``total``, which spans the whole request, body included."""
    from llmgw_cli.shim.members.session import proxy_for, ssl_context, timeout_for

    connector = aiohttp.TCPConnector(
        limit=pool,
        limit_per_host=0,
        # No DNS cache: every new connection resolves, as most clients do, so the DNS phase
        # is measured rather than hidden behind the first request.
        use_dns_cache=False,
        ssl=ssl_context(target.profile) if target.tls else False,
        force_close=force_close,
    )
    proxy, proxy_auth = proxy_for(target.profile)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(
            total=timeout_s,
            connect=timeout_for(target.profile).connect,
            sock_read=min(timeout_s, target.profile.timeouts.first_byte_s),
        ),
        proxy=proxy,
        proxy_auth=proxy_auth,
        trace_configs=[phases.trace_config()] if phases.traced() else None,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,  # the profile decides the proxy, as for the shim
    )


async def preflight(target: Target) -> None:
    """A plain TCP connect to the endpoint (or its proxy), so an unreachable endpoint is one
    clear error before any load, not a table of failures."""
    from llmgw_cli.shim.members.session import proxy_for

    proxy, _ = proxy_for(target.profile)
    host, port = (
        (proxy.host or "", proxy.port or 80) if proxy is not None else (target.host, target.port)
    )
    where = f"proxy {host}:{port}" if proxy is not None else target.url
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), target.profile.timeouts.connect_s
        )
    except (OSError, asyncio.TimeoutError) as exc:
        reason = (
            "timed out" if isinstance(exc, asyncio.TimeoutError) else (exc.strerror or str(exc))
        )
        raise UpstreamError(
            f"cannot reach {target.label} at {where}: {reason}; check that the endpoint is up "
            f"(`llmgw doctor --profile {target.profile.name}`) or start a local one (`llmgw mock`)"
        ) from exc
    writer.close()
    await asyncio.gather(writer.wait_closed(), return_exceptions=True)


class Generator:
    def __init__(
        self, targets: list[Target], options: Options, sessions: list[aiohttp.ClientSession]
    ) -> None:
        self.targets = targets
        self.options = options
        self.sessions = sessions
        self.records: list[list[Record]] = [[] for _ in targets]
        self.errors = 0
        self.issued = [0] * len(targets)
        self.count: int | None = options.requests
        self.deadline: float | None = None
        self.duration_s: float | None = None
        self.origin = _now()
        self.warmup = False

    @property
    def done(self) -> int:
        return sum(len(r) for r in self.records)

    async def run(self, count: int | None, duration_s: float | None, warmup: bool) -> float:
        """One phase (warm-up or measurement); returns its origin (perf_counter seconds)."""
        self.records = [[] for _ in self.targets]
        self.issued = [0] * len(self.targets)
        self.errors = 0
        self.count, self.warmup, self.duration_s = count, warmup, duration_s
        self.origin = origin = _now()
        self.deadline = origin + duration_s if duration_s is not None else None
        if self.options.rate is not None:
            await self._open(origin)
        else:
            await self._closed(count)
        return origin

    def progress(self) -> Progress:
        total = None if self.count is None else self.count * len(self.targets)
        elapsed = _now() - self.origin
        return Progress(self.done, self.errors, total, elapsed, self.duration_s, self.warmup)

    async def report(self, on_progress: ProgressFn) -> None:
        """Report progress ten times a second, off the hot path (cancel to stop)."""
        while True:
            on_progress(self.progress())
            await asyncio.sleep(0.1)

    async def _closed(self, count: int | None) -> None:
        lanes = self.options.concurrency if count is None else min(self.options.concurrency, count)
        tasks = [
            asyncio.create_task(self._lane(i))
            for _ in range(lanes)
            for i in range(len(self.targets))
        ]
        await asyncio.gather(*tasks)

    def _claim(self, i: int) -> int | None:
        seq = self.issued[i]
        if self.count is not None and seq >= self.count:
            return None
        if self.deadline is not None and _now() >= self.deadline:
            return None
        self.issued[i] = seq + 1
        return seq

    def _fresh(self, i: int) -> Callable[[], aiohttp.ClientSession]:
        """A one-connection session for a retry after a pooled connection was found closed."""
        target = self.targets[i]
        timeout_s = self.options.timeout_s
        return lambda: new_session(target, 1, timeout_s, force_close=True)

    async def _lane(self, i: int) -> None:
        session, target, records = self.sessions[i], self.targets[i], self.records[i]
        while (seq := self._claim(i)) is not None:
            rec = Record(i, seq, _now())
            await send(session, target, rec, self._fresh(i))
            records.append(rec)
            if rec.error is not None:
                self.errors += 1

    async def _open(self, origin: float) -> None:
        assert self.options.rate is not None
        runs = len(self.targets)
        rng = random.Random(self.options.seed)
        lam = self.options.rate * runs
        total = None if self.count is None else self.count * runs
        pending: set[asyncio.Task[None]] = set()
        due, k = origin, 0
        while total is None or k < total:
            due += rng.expovariate(lam)
            if self.deadline is not None and due >= self.deadline:
                break
            delay = due - _now()
            if delay > 0:
                await asyncio.sleep(delay)
            elif k % 16 == 0:
                await asyncio.sleep(0)  # behind schedule: still let the sends run
            i = k % runs
            rec = Record(i, self.issued[i], due)
            self.issued[i] += 1
            task = asyncio.create_task(self._one(i, rec))
            pending.add(task)
            task.add_done_callback(pending.discard)
            k += 1
        if pending:
            await asyncio.gather(*pending)

    async def _one(self, i: int, rec: Record) -> None:
        await send(self.sessions[i], self.targets[i], rec, self._fresh(i))
        self.records[i].append(rec)
        if rec.error is not None:
            self.errors += 1
