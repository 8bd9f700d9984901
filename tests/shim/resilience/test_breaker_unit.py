"""The breaker's state machine and the back-off arithmetic, on a fake clock."""

from __future__ import annotations

import random

from llmgw_cli.shim.config import Retry
from llmgw_cli.shim.route import retry
from llmgw_cli.shim.route.breaker import CLOSED, HALF_OPEN, OPEN, Breaker


def test_opens_after_n_failures_inside_the_window_only() -> None:
    seen: list[str] = []
    b = Breaker(failures=3, window_s=10, cooldown_s=5, on_state=seen.append)
    b.failure(0.0)
    b.failure(1.0)
    b.failure(12.0)  # the first two have left the window
    assert b.state == CLOSED
    b.failure(13.0)
    assert b.state == CLOSED
    b.failure(14.0)
    assert b.state == OPEN and seen == [OPEN]


def test_a_hard_failure_opens_at_once() -> None:
    b = Breaker(failures=5, window_s=30, cooldown_s=5)
    b.failure(0.0, hard=True)
    assert b.state == OPEN
    assert not b.available(4.9)
    assert b.retry_in(1.0) == 4.0


def test_half_open_lets_exactly_one_probe_through_then_closes_or_reopens() -> None:
    seen: list[str] = []
    b = Breaker(failures=1, window_s=30, cooldown_s=5, on_state=seen.append)
    b.failure(0.0)
    assert not b.acquire(4.0)  # still cooling down
    assert b.acquire(5.0)  # the probe
    assert b.state == HALF_OPEN
    assert not b.acquire(5.1)  # nobody else while it is out
    b.failure(6.0)  # the probe failed: open for another cool-down
    assert b.state == OPEN and not b.available(10.9) and b.available(11.0)
    assert b.acquire(11.0)
    b.success()
    assert b.state == CLOSED and b.acquire(11.1) and b.acquire(11.2)
    assert seen == [OPEN, HALF_OPEN, OPEN, HALF_OPEN, CLOSED]


def test_an_unused_probe_is_given_back() -> None:
    b = Breaker(failures=1, window_s=30, cooldown_s=1)
    b.failure(0.0)
    assert b.acquire(2.0)
    b.release()  # the request was answered by a member before this one
    assert b.state == HALF_OPEN and b.acquire(2.1)


def test_late_failures_do_not_extend_an_open_breaker() -> None:
    b = Breaker(failures=1, window_s=30, cooldown_s=5)
    b.failure(0.0)
    b.failure(4.0)  # an answer to a request sent before it opened
    assert b.available(5.0)


def test_backoff_is_exponential_capped_and_jittered() -> None:
    policy = Retry(attempts=5, backoff_ms=100, max_backoff_ms=1000)
    rng = random.Random(7)
    for n, ceiling in ((1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (5, 1.0), (9, 1.0)):
        waits = [retry.backoff_s(policy, n, rng) for _ in range(300)]
        assert all(0.0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8  # full jitter spreads over the whole range
        assert len(set(waits)) > 250


def test_retry_after_is_honoured_for_the_same_member_within_the_cap() -> None:
    policy = Retry(attempts=3, backoff_ms=10, max_backoff_ms=2000)
    assert retry.delay_s(policy, 1, 1.5, same_member=True) == 1.5
    assert retry.delay_s(policy, 1, 5.0, same_member=True) is None  # longer than we may wait
    other = retry.delay_s(policy, 1, 5.0, same_member=False)
    assert other is not None and other <= 0.01  # another member: just the back-off
