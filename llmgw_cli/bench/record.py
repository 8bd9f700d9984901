"""One request's raw measurements: absolute ``perf_counter`` stamps taken in the hot loop,
turned into milliseconds only afterwards (``Sample``), so the loop does nothing but append.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from llmgw_cli.bench import stats


@dataclass(slots=True, eq=False)
class Record:
    run: int  # index of the target (profile × model)
    seq: int  # order of issue within its run
    intended: float  # when it was due (open loop: the Poisson arrival); latencies start here
    sent: float = 0.0  # when the request actually left
    headers_at: float | None = None  # response status line and headers received
    end: float | None = None
    token_times: list[float] = field(default_factory=list)  # each non-empty content delta
    pieces: list[str] = field(default_factory=list)  # kept only to estimate tokens without usage
    status: int | None = None
    error: str | None = None  # None: ok; an HTTP status ("503") or an error class ("timeout")
    detail: str | None = None  # the start of an error body or exception message
    output_tokens: int | None = None  # from the response's usage (exact)
    input_tokens: int | None = None
    # Connection phases (ms): set only when this request opened a new connection.
    reused: bool | None = None
    dns_ms: float | None = None
    connect_ms: float | None = None  # aiohttp's whole connection creation: DNS + TCP + TLS
    tcp_ms: float | None = None
    tls_ms: float | None = None
    mark: float = 0.0  # scratch stamp for a phase in progress

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class Sample:
    """A finished request in milliseconds, measured from its intended start."""

    run: int
    seq: int
    start_s: float  # intended start, seconds since the benchmark began
    queue_ms: float  # sent − intended: how late the client was (open loop, or a full pool)
    status: int | None
    error: str | None
    ttfb_ms: float | None
    ttft_ms: float | None
    e2e_ms: float | None
    itl_ms: tuple[float, ...]
    output_tokens: int
    tokens_exact: bool
    input_tokens: int | None
    tpot_ms: float | None
    reused: bool | None
    dns_ms: float | None
    tcp_ms: float | None
    tls_ms: float | None

    @property
    def ok(self) -> bool:
        return self.error is None


def to_sample(rec: Record, origin: float, estimate: Callable[[str], int] | None = None) -> Sample:
    """Convert stamps to ms. ``estimate(text) -> int`` counts tokens when usage is absent."""

    def ms(t: float | None) -> float | None:
        return None if t is None else (t - rec.intended) * 1000.0

    times = rec.token_times
    itl = tuple((b - a) * 1000.0 for a, b in pairwise(times))
    exact = rec.output_tokens is not None
    if rec.output_tokens is not None:
        tokens = rec.output_tokens
    elif estimate is not None and rec.pieces and rec.error is None:  # a tokenizer is ~100 MB
        tokens = int(estimate("".join(rec.pieces)))
    else:
        tokens = len(times)
    ttft = ms(times[0]) if times else None
    e2e = ms(rec.end)
    ok = rec.error is None
    return Sample(
        run=rec.run,
        seq=rec.seq,
        start_s=rec.intended - origin,
        queue_ms=max(0.0, (rec.sent - rec.intended) * 1000.0),
        status=rec.status,
        error=rec.error,
        ttfb_ms=ms(rec.headers_at),
        ttft_ms=ttft,
        e2e_ms=e2e,
        itl_ms=itl,
        output_tokens=tokens if ok else 0,
        tokens_exact=exact,
        input_tokens=rec.input_tokens,
        tpot_ms=stats.tpot(e2e, ttft, tokens)
        if ok and e2e is not None and ttft is not None
        else None,
        reused=rec.reused,
        dns_ms=rec.dns_ms,
        tcp_ms=rec.tcp_ms,
        tls_ms=rec.tls_ms,
    )
