"""Streams are relayed event by event, not buffered: arrival gaps match the direct stream."""

from __future__ import annotations

import time

import httpx

from llmgw_cli import shimstate
from llmgw_cli.wire.sse import SSEParser
from tests.helpers.cli import run
from tests.helpers.mockserver import mock_process, mock_thread
from tests.shim.conftest import save_profile, shim_for

BODY = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 100,
    "stream": True,
    "messages": [{"role": "user", "content": "hi"}],
}


def arrivals(url: str, headers: dict[str, str]) -> list[tuple[str | None, float]]:
    """Each event's name and arrival time, relative to sending the request.

    The mock schedules each event at a fixed offset from the request's arrival, so through
    a non-buffering shim every offset matches the direct one up to the shim's small delay.
    """
    parser = SSEParser()
    out: list[tuple[str | None, float]] = []
    with httpx.Client(timeout=30) as client:
        client.get(url + "/health")  # connect first: time only the request itself
        start = time.perf_counter()
        with client.stream("POST", url + "/v1/messages", json=BODY, headers=headers) as resp:
            assert resp.status_code == 200
            for chunk in resp.iter_raw():
                now = time.perf_counter()
                out.extend((ev.event, now) for ev in parser.feed(chunk))
    return [(name, (t - start) * 1000) for name, t in out]


def test_each_event_arrives_as_the_mock_sends_it() -> None:
    # Mock and shim in their own processes, as users run them: in one process their threads
    # would take turns at the GIL and blur the timings being compared.
    with mock_process("--itl-ms", "50", "--output-tokens", "10") as mock:
        save_profile("slow", mock.url)
        assert run("shim", "start", "--profile", "slow", "--port", "0", "--detach").returncode == 0
        try:
            state = shimstate.read()
            assert state is not None
            tries = []
            # Other work shares this machine's two cores: a try may be disturbed, but a
            # buffering shim could never pass one (it holds events a whole 50 ms gap or more).
            for _ in range(8):
                direct = arrivals(mock.url, {})
                through = arrivals(state.url, {"x-api-key": state.token})
                assert [n for n, _ in direct] == [n for n, _ in through]  # same events, in order
                late = [abs(t - d) for (_, t), (_, d) in zip(through, direct, strict=True)]
                tries.append(round(max(late), 2))
                if max(late) <= 5:
                    break
        finally:
            run("shim", "stop")
    deltas = [t for n, t in through if n == "content_block_delta"]
    assert len(deltas) == 10
    assert deltas[-1] - deltas[0] > 9 * 50 * 0.8  # the events really were spread out
    assert min(tries) <= 5, f"worst event delay per try: {tries} ms"


def test_ping_and_every_event_type_pass_through() -> None:
    with mock_thread(output_tokens=3) as url:
        save_profile("m", url)
        with shim_for("m") as shim:
            names = [n for n, _ in arrivals(shim.url, {"x-api-key": shim.token})]
    assert names[0] == "message_start"
    assert "ping" in names
    assert names[-2:] == ["message_delta", "message_stop"]
