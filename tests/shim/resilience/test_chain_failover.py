"""Fallback down the chain, the breaker's life cycle, and Retry-After, against real mocks."""

from __future__ import annotations

import time

import httpx

from llmgw_cli.mock.config import MockConfig
from llmgw_cli.mock.runner import run_in_thread as mock_in_thread
from tests.helpers.mockserver import mock_thread
from tests.shim.conftest import save_profile
from tests.shim.resilience.conftest import api_count, chain_shim, member, post
from tests.shim.test_shim_faults import closed_port


def wait_until(check, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_refused_first_member_falls_over_then_traffic_returns_after_the_cool_down() -> None:
    port = closed_port()
    with mock_thread() as up:
        save_profile("local", f"http://127.0.0.1:{port}")
        save_profile("cloud", up)
        config = """
chain: [local, cloud]
retry: {attempts: 3, backoff_ms: 10, max_backoff_ms: 50}
breaker: {failures: 5, window_s: 30, cooldown_s: 1.5}
"""
        with chain_shim(config) as shim:
            r = post(shim)
            assert r.status_code == 200, r.text
            assert r.headers["x-llmgw-upstream"] == "cloud"
            assert r.headers["x-llmgw-attempts"] == "2"
            # A refused connection opens the breaker at once: the next request goes
            # straight to the member that answered.
            assert member(shim, "local")["state"] == "open"
            r = post(shim)
            assert (r.headers["x-llmgw-upstream"], r.headers["x-llmgw-attempts"]) == ("cloud", "1")
            # The first member comes back on its port.
            with mock_in_thread(MockConfig(port=port)) as back:
                time.sleep(1.6)  # the cool-down
                assert member(shim, "local")["state"] == "open"  # nothing probed it yet
                r = post(shim)  # the half-open probe
                assert r.headers["x-llmgw-upstream"] == "local"
                assert member(shim, "local")["state"] == "closed"
                ups = [post(shim).headers["x-llmgw-upstream"] for _ in range(5)]
                assert ups == ["local"] * 5
                assert api_count(back) == 6


def test_a_503_member_opens_its_breaker_and_gets_nothing_while_open() -> None:
    with mock_thread(fail_rate=1.0, fail_status=503) as bad, mock_thread() as good:
        save_profile("bad", bad)
        save_profile("good", good)
        config = """
chain: [bad, good]
retry: {attempts: 2, backoff_ms: 5, max_backoff_ms: 20}
breaker: {failures: 3, window_s: 60, cooldown_s: 600}
"""
        with chain_shim(config) as shim:
            attempts = []
            for _ in range(10):
                r = post(shim)
                assert r.status_code == 200 and r.headers["x-llmgw-upstream"] == "good"
                attempts.append(r.headers["x-llmgw-attempts"])
            assert attempts == ["2"] * 3 + ["1"] * 7
            assert api_count(bad) == 3  # counted at the member: nothing after it opened
            assert api_count(good) == 10
            m = member(shim, "bad")
            assert m["state"] == "open" and m["retry_in_s"] > 500
            assert m["errors"] == 3 and m["error_rate"] == 1.0


def test_a_429_keeps_the_member_out_for_its_retry_after_without_opening_the_breaker() -> None:
    # The mock answers its injected 429s with `retry-after: 1`.
    with mock_thread(fail_rate=1.0, fail_status=429) as limited, mock_thread() as spare:
        save_profile("limited", limited)
        save_profile("spare", spare)
        config = """
chain: [limited, spare]
retry: {attempts: 2, backoff_ms: 5, max_backoff_ms: 20}
breaker: {failures: 1, window_s: 60, cooldown_s: 60}
"""
        with chain_shim(config) as shim:
            r = post(shim)
            assert (r.headers["x-llmgw-upstream"], r.headers["x-llmgw-attempts"]) == ("spare", "2")
            r = post(shim)  # within the second it asked for: not sent there
            assert (r.headers["x-llmgw-upstream"], r.headers["x-llmgw-attempts"]) == ("spare", "1")
            assert api_count(limited) == 1
            m = member(shim, "limited")
            assert m["state"] == "closed" and m["held_for_s"] > 0
            time.sleep(1.1)
            r = post(shim)  # its second has passed: asked again
            assert r.headers["x-llmgw-attempts"] == "2"
            assert api_count(limited) == 2


def test_the_same_member_is_retried_after_its_retry_after_when_it_is_the_only_one() -> None:
    with mock_thread(fail_rate=1.0, fail_status=429) as limited:
        save_profile("only", limited)
        # A rule pins the route to one member without fallback: the retry waits Retry-After.
        config = """
chain: [only]
retry: {attempts: 2, backoff_ms: 5, max_backoff_ms: 3000}
routing_rules:
  - {match: {model: sonnet}, route: only, fallback: [only]}
"""
        with chain_shim(config) as shim:
            t0 = time.monotonic()
            r = post(shim)
            waited = time.monotonic() - t0
        assert r.status_code == 429  # the member's own answer, passed through
        assert r.headers["x-llmgw-attempts"] == "2"
        assert r.headers["retry-after"] == "1"
        assert waited >= 1.0
        assert api_count(limited) == 2


def test_every_member_unavailable_is_a_fast_503_with_retry_after() -> None:
    with mock_thread(fail_rate=1.0, fail_status=500) as a, mock_thread(fail_rate=1.0) as b:
        save_profile("a", a)
        save_profile("b", b)
        config = """
chain: [a, b]
retry: {attempts: 2, backoff_ms: 1, max_backoff_ms: 5}
breaker: {failures: 1, window_s: 60, cooldown_s: 120}
"""
        with chain_shim(config) as shim:
            first = post(shim)
            assert first.status_code == 503  # b's own answer, after a failed too
            r = post(shim)
            assert r.status_code == 503
            assert r.headers["retry-after"] in {"119", "120"}
            assert "no chain member can take this request now" in r.json()["error"]["message"]
            assert "a: circuit open" in r.json()["error"]["message"]
            assert api_count(a) == 1 and api_count(b) == 1
            o = httpx.post(
                shim.url + "/v1/chat/completions",
                json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
                headers={"Authorization": f"Bearer {shim.token}"},
            )
            assert o.status_code == 503 and "circuit open" in o.json()["error"]["message"]
