"""The mock's timing grid: delta i leaves at start + ttft + i*itl, measured from a raw client.

Lower bounds are exact (the mock cannot send early); upper bounds are loose on purpose, as
this machine is shared. Drift is tested with a sleep that always oversleeps: absolute
scheduling keeps every delta late by that amount once, relative sleeps would add it up.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from llmgw_cli.mock import app as mock_app
from llmgw_cli.wire.sse import SSEParser
from tests.helpers.mockserver import mock_thread

HI = [{"role": "user", "content": "hi"}]
SLACK = 0.5  # seconds a busy machine may add; never part of what is asserted as accuracy


def delta_times(url: str, path: str, body: dict[str, object]) -> tuple[list[float], float]:
    """Seconds from sending to each text delta's arrival, and to the end of the stream."""
    times: list[float] = []
    parser = SSEParser()
    with httpx.Client(timeout=30) as client:
        start = time.monotonic()
        with client.stream("POST", f"{url}{path}", json=body) as reply:
            assert reply.status_code == 200
            for chunk in reply.iter_raw():
                now = time.monotonic() - start
                for event in parser.feed(chunk):
                    if event.is_done:
                        continue
                    data = event.json()
                    if data.get("type") == "content_block_delta" or (
                        data.get("choices") and data["choices"][0]["delta"].get("content")
                    ):
                        times.append(now)
        return times, time.monotonic() - start


@pytest.mark.parametrize(
    ("path", "extra"),
    [("/v1/messages", {"max_tokens": 100}), ("/v1/chat/completions", {})],
)
def test_ttft_and_itl_are_honoured(path: str, extra: dict[str, object]) -> None:
    with mock_thread(ttft_ms=50, itl_ms=10, output_tokens=20) as url:
        body = {"model": "m", "messages": HI, "stream": True, **extra}
        times, total = delta_times(url, path, body)
    assert len(times) == 20
    for i, t in enumerate(times):  # never early
        assert t >= 0.050 + i * 0.010 - 0.0005, (i, t)
    assert times[0] < 0.050 + SLACK
    assert 0.240 <= times[-1] <= total < 0.240 + SLACK


def test_schedule_is_absolute_so_oversleeping_does_not_accumulate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    late = 0.008

    async def oversleep(delay: float) -> None:
        await asyncio.sleep(delay + late)

    monkeypatch.setattr(mock_app, "_sleep", oversleep)
    with mock_thread(ttft_ms=50, itl_ms=10, output_tokens=20) as url:
        body = {"model": "m", "messages": HI, "stream": True, "max_tokens": 100}
        times, _ = delta_times(url, "/v1/messages", body)
    assert len(times) == 20
    # Relative sleeps would finish at 0.240 + 20 * 0.008 = 0.400 s with 18 ms gaps. An
    # absolute schedule is never early, and at most one oversleep late: when a wake-up is
    # late enough to pass the next deadline, that event goes out at once (no sleep).
    assert 0.240 <= times[-1] < 0.240 + late + 0.100
    mean_gap = (times[-1] - times[0]) / 19
    assert mean_gap < 0.014, mean_gap


def test_zero_delay_never_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def record(delay: float) -> None:
        slept.append(delay)

    monkeypatch.setattr(mock_app, "_sleep", record)
    with mock_thread(output_tokens=50) as url:
        body = {"model": "m", "messages": HI, "stream": True, "max_tokens": 100}
        times, _ = delta_times(url, "/v1/messages", body)
        whole = httpx.post(f"{url}/v1/chat/completions", json={"model": "m", "messages": HI})
    assert len(times) == 50 and whole.status_code == 200
    assert slept == []


def test_non_streaming_reply_waits_for_the_last_token() -> None:
    with mock_thread(ttft_ms=40, itl_ms=10, output_tokens=5) as url:
        start = time.monotonic()
        reply = httpx.post(
            f"{url}/v1/messages", json={"model": "m", "max_tokens": 10, "messages": HI}, timeout=30
        )
        elapsed = time.monotonic() - start
    assert reply.status_code == 200
    assert 0.080 <= elapsed < 0.080 + SLACK
