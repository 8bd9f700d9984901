"""bench against hostile gateways: non-streamed replies capped in bytes (after
decompression), streams capped in content pieces, every request under ``--timeout`` (a
whole-request deadline), each failure one clear line in the errors table."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import hostile
from tests.helpers.mockserver import mock_thread
from tests.hostile.conftest import RSS_BOUND, Watched, add_profile, watched

START_S = 4.0  # the CLI's start-up, preflight and report on a loaded 2-core machine
Server = Callable[[], contextlib.AbstractContextManager[hostile.Peer]]


def _bench(url: str, *args: str) -> tuple[Watched, dict[str, Any]]:
    add_profile("b", url, "--model", "claude-sonnet-4-5")
    done = watched(["bench", "--profile", "b", "-n", "1", "--json", "-", *args], timeout=120)
    return done, json.loads(done.stdout)["runs"][0]


@pytest.fixture(scope="module")
def healthy_rss() -> int:
    """Peak RSS of `bench -n 1` against a healthy (mock) gateway: the reference."""
    peaks = []
    with mock_thread() as url:
        for mode in ([], ["--no-stream"]):
            done, run = _bench(url, *mode)
            assert done.returncode == 0 and run["ok"] == 1, done.stderr
            peaks.append(done.peak_rss)
    return max(peaks)


HUGE: dict[str, tuple[Server, list[str], str]] = {
    "endless-json": (hostile.endless_json, ["--no-stream"], "too_large"),
    "gzip-bomb": (hostile.gzip_bomb, ["--no-stream"], "too_large"),
    "endless-sse": (hostile.endless_sse, [], "runaway_stream"),
    "endless-sse-openai": (
        lambda: hostile.endless_sse(fmt="openai"),
        ["--max-tokens", "64"],
        "runaway_stream",
    ),
}


@pytest.mark.parametrize("kind", sorted(HUGE))
def test_a_huge_reply_is_one_bounded_error(kind: str, healthy_rss: int) -> None:
    server, args, error = HUGE[kind]
    with server() as peer:
        if kind.endswith("openai"):
            add_profile("b", peer.url, "--format", "openai", "--model", "gpt-4o")
            done = watched(["bench", "-p", "b", "-n", "1", "--json", "-", *args], timeout=120)
            run = json.loads(done.stdout)["runs"][0]
        else:
            done, run = _bench(peer.url, *args)
    assert done.returncode == 1
    assert run["errors"] == {error: 1}, run["errors"]
    example = run["error_examples"][error]
    assert "\n" not in example and ("limit" in example or "did not end" in example), example
    assert f"every request failed ({error}×1)" in done.stderr
    assert done.peak_rss - healthy_rss < RSS_BOUND, (done.peak_rss >> 20, healthy_rss >> 20)


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize("kind", ["drip", "never-answering", "endless-sse"])
def test_a_request_ends_at_its_timeout(kind: str, stream: bool, healthy_rss: int) -> None:
    if kind == "endless-sse" and not stream:
        pytest.skip("an endless stream asked for a whole reply is the too_large case")
    servers: dict[str, Server] = {
        "drip": lambda: hostile.drip(interval_s=0.5, sse=stream),
        "never-answering": hostile.never_answering,
        # Paced (6,400 deltas/s), so a fast machine does not reach bench's piece cap
        # (262,144) before the deadline: only the deadline may end it here.
        "endless-sse": lambda: hostile.endless_sse(pause_s=0.01),
    }
    limit = 3.0
    args = ["--timeout", f"{limit:g}"] + ([] if stream else ["--no-stream"])
    if kind == "endless-sse":
        args += ["--max-tokens", "100000000"]  # so only the deadline can end it
    with servers[kind]() as peer:
        done, run = _bench(peer.url, *args)
    assert done.returncode == 1
    assert run["errors"] == {"timeout": 1}, run["errors"]
    assert run["error_examples"]["timeout"] == (
        f"not done within --timeout {limit:g} s (the whole-request deadline)"
    )
    assert done.seconds < limit + START_S, done.seconds
    assert done.peak_rss - healthy_rss < RSS_BOUND


def test_timeout_must_be_positive() -> None:
    done = watched(["bench", "--timeout", "0", "-n", "1"])
    assert done.returncode == 2
    assert "--timeout must be more than 0 seconds" in done.stderr
