"""How long to wait before the next attempt: exponential back-off with full jitter.

Attempt *n* (1 for the first retry) waits a random time in ``[0, min(cap, base·2^(n-1))]``
(AWS's "full jitter": retries from many clients spread out instead of arriving together).
A 429 or 503 that says ``Retry-After`` is honoured when the next attempt goes to the same
member; when it goes to another member, the hint is that member's business, not ours, and
``ChainRouter`` keeps the answering member out of routes until the time has passed.
"""

from __future__ import annotations

import random

from llmgw_cli.shim.config import Retry

_rng = random.Random()


def backoff_s(policy: Retry, retry: int, rng: random.Random = _rng) -> float:
    """Seconds to wait before retry number ``retry`` (1-based)."""
    ceiling = min(policy.max_backoff_ms, policy.backoff_ms * (2 ** max(retry - 1, 0)))
    if ceiling <= 0:
        return 0.0
    return rng.uniform(0.0, ceiling) / 1000.0


def delay_s(
    policy: Retry,
    retry: int,
    retry_after: float | None,
    same_member: bool,
    rng: random.Random = _rng,
) -> float | None:
    """The wait before the next attempt, or None when it should not be made: the member
    itself asked for more time than ``max_backoff_ms`` allows a request to wait."""
    wait = backoff_s(policy, retry, rng)
    if same_member and retry_after is not None:
        if retry_after * 1000.0 > policy.max_backoff_ms:
            return None
        wait = max(wait, retry_after)
    return wait
