"""The chain router's decisions without a network: order, probes, holds, penalties."""

from __future__ import annotations

import pytest

from llmgw_cli.config.model import Profile
from llmgw_cli.shim import config as shim_config
from llmgw_cli.shim.members.member import Member, from_profile
from llmgw_cli.shim.plugins.contract import Exchange, Reject
from llmgw_cli.shim.route import chain
from llmgw_cli.shim.route.router import Failure


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(chain, "clock", c)
    return c


def router(text: str) -> chain.ChainRouter:
    cfg = shim_config.from_text(text, "c.yaml")
    members = [
        from_profile(Profile(name=n, endpoint=f"http://{n}.example"), None) for n in cfg.chain
    ]
    return chain.ChainRouter(cfg, members)


def ex() -> Exchange:
    return Exchange("r", "POST", "/v1/messages", "anthropic", {}, b"{}")


def names(members: object) -> list[str]:
    return [m.name for m in members]  # type: ignore[attr-defined]


def answer(r: chain.ChainRouter, e: Exchange, m: Member, ttft_ms: float) -> None:
    r.record(m, e, None)
    e.status, e.ttft_ms = 200, ttft_ms
    r.finished(e)


FAIL = Failure("status", "upstream answered 503", status=503)


def test_adaptive_measures_unknown_members_then_prefers_the_fastest(clock: Clock) -> None:
    r = router("chain: [a, b]\norder: adaptive\nretry: {attempts: 2}\n")
    e = ex()
    first = r.route(e).members[0]
    answer(r, e, first, 80.0 if first.name == "a" else 20.0)
    e = ex()
    second = r.route(e).members[0]
    assert second is not first  # the unmeasured one goes first
    answer(r, e, second, 80.0 if second.name == "a" else 20.0)
    assert names(r.route(ex()).members) == ["b", "a"]
    # The member that just answered goes first after a failure of the faster one ...
    e = ex()
    a, b = r.by_name["a"], r.by_name["b"]
    r.record(b, e, FAIL)
    answer(r, e, a, 80.0)
    assert names(r.route(ex()).members) == ["a", "b"]
    # ... and a member not measured for EXPLORE_S gets one request to refresh its figure.
    clock.now += chain.EXPLORE_S + 1
    answer(r, ex(), a, 80.0)
    assert names(r.route(ex()).members)[0] == "b"
    assert names(r.route(ex()).members)[0] == "a"  # only once per EXPLORE_S


def test_static_order_retries_cycle_and_skip_open_members(clock: Clock) -> None:
    r = router("chain: [a, b]\nretry: {attempts: 3}\nbreaker: {failures: 2, cooldown_s: 10}\n")
    assert names(r.route(ex()).members) == ["a", "b", "a"]
    a = r.by_name["a"]
    for _ in range(2):
        e = ex()
        r.route(e)
        r.record(a, e, FAIL)
    assert r.states["a"].breaker.state == "open"
    assert names(r.route(ex()).members) == ["b", "b", "b"]
    clock.now += 10
    e = ex()
    assert names(r.route(e).members) == ["a", "b", "a"]  # a carries the half-open probe
    assert r.states["a"].breaker.state == "half_open"
    assert names(r.route(ex()).members) == ["b", "b", "b"]  # one probe at a time
    r.finished(e)  # answered without ever reaching a: the probe is handed back
    e = ex()
    assert names(r.route(e).members)[0] == "a"
    answer(r, e, a, 5.0)
    assert r.states["a"].breaker.state == "closed"


def test_everything_unavailable_is_refused_with_the_shortest_wait(clock: Clock) -> None:
    r = router("chain: [a, b]\nbreaker: {failures: 1, cooldown_s: 30}\n")
    e = ex()
    r.route(e)
    r.record(r.by_name["a"], e, Failure("connect", "refused"))
    r.record(r.by_name["b"], e, Failure("status", "429", status=429, retry_after=4.0))
    with pytest.raises(Reject) as info:
        r.route(ex())
    assert info.value.status == 503 and info.value.headers == {"retry-after": "4"}
    assert "a: circuit open (retry in 30.0 s)" in info.value.message
    assert "b: rate limited (retry in 4.0 s)" in info.value.message
    assert r.states["b"].breaker.state == "closed"  # a 429 is not the member being broken


def test_retry_delay_waits_retry_after_only_for_the_same_member(clock: Clock) -> None:
    r = router(
        "chain: [a]\nretry: {attempts: 2, backoff_ms: 1, max_backoff_ms: 5000}\n"
        "models: {x: {a: y}}\n"
    )
    e = ex()
    route = r.route(e)
    a = r.by_name["a"]
    assert names(route.members) == ["a", "a"]
    hold = Failure("status", "429", status=429, retry_after=2.0)
    r.record(a, e, hold)
    delay = r.retry_delay(e, 1, a, hold)
    assert delay is not None and 2.0 <= delay < 2.01
    long = Failure("status", "429", status=429, retry_after=60.0)
    r.record(a, e, long)
    assert r.retry_delay(e, 1, a, long) is None  # more than max_backoff_ms: give up now
