"""Adaptive order: the member with the lower EWMA of time to first token gets the traffic."""

from __future__ import annotations

from collections import Counter

import httpx

from tests.helpers.mockserver import mock_process
from tests.shim.conftest import save_profile
from tests.shim.resilience.conftest import BODY, chain_shim, member

STREAM = {**BODY, "stream": True, "max_tokens": 3}


def _run(order: str, n: int, warmup: int) -> tuple[Counter[str], dict[str, float]]:
    # The members run as their own processes: timed in this process, next to the shim and
    # the client, a member's TTFT would carry their pauses (GIL, GC) and not its own.
    with (
        mock_process("--ttft-ms", "80", "--output-tokens", "3") as slow,
        mock_process("--ttft-ms", "20", "--output-tokens", "3") as fast,
    ):
        save_profile("slow", slow.url)  # first in the chain: static order would pick it
        save_profile("fast", fast.url)
        with chain_shim(f"chain: [slow, fast]\norder: {order}\n") as shim:
            headers = {"x-api-key": shim.token}
            seen: Counter[str] = Counter()
            with httpx.Client(timeout=30) as client:
                for i in range(warmup + n):
                    with client.stream(
                        "POST", shim.url + "/v1/messages", json=STREAM, headers=headers
                    ) as r:
                        r.read()
                    if i >= warmup:
                        seen[r.headers["x-llmgw-upstream"]] += 1
            ewma = {name: member(shim, name)["ewma_ttft_ms"] for name in ("slow", "fast")}
    return seen, ewma


def test_adaptive_order_sends_at_least_90_percent_to_the_faster_member() -> None:
    seen, ewma = _run("adaptive", n=60, warmup=4)
    assert seen["fast"] / 60 >= 0.9, (seen, ewma)
    assert ewma["slow"] is not None and ewma["fast"] is not None
    assert ewma["fast"] < ewma["slow"]  # measured, roughly 20 vs 80 ms
    assert ewma["slow"] >= 60


def test_static_order_keeps_the_chain_order() -> None:
    seen, _ = _run("static", n=10, warmup=0)
    assert seen == Counter({"slow": 10})
