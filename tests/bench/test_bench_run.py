"""bench against real local servers (the mock in a thread, small aiohttp servers): what each
request records, both wire formats, failures, estimates, interleaving and the open loop."""

from __future__ import annotations

import json
from typing import Any

import pytest

from llmgw_cli.bench import api, runner
from llmgw_cli.bench.target import Options, build
from llmgw_cli.config.model import Auth, Models, Profile
from llmgw_cli.errors import UpstreamError
from tests.bench import servers
from tests.helpers.mockserver import mock_thread, requests_seen


def profile(url: str, name: str = "p", formats: tuple[str, ...] = ("anthropic",)) -> Profile:
    return Profile(name=name, endpoint=url, formats=list(formats), auth=Auth(type="none"),
                   models=Models(default="claude-sonnet-4-5"))  # fmt: skip


def run(url: str, options: Options, models: tuple[str, ...] = (), **kw: object) -> runner.Result:
    targets = api.targets_for([(profile(url, **kw), None)], list(models), options)  # type: ignore[arg-type]
    return runner.run(targets, options)


PATHS = {
    "anthropic": "/v1/messages",
    "openai": "/v1/chat/completions",
    "responses": "/v1/responses",
}


@pytest.mark.parametrize("fmt", ["anthropic", "openai", "responses"])
def test_stream_records_every_delta_and_exact_usage(fmt: str) -> None:
    with mock_thread(output_tokens=12, itl_ms=2) as url:
        result = run(url, Options(requests=6, concurrency=2), formats=(fmt,))
        sent = requests_seen(url)
    assert {e["path"] for e in sent} == {PATHS[fmt]}
    run0 = result.runs[0]
    assert run0["format"] == fmt
    assert (run0["requests"], run0["ok"], run0["errors"]) == (6, 6, {})
    assert run0["tokens_source"] == "usage"
    assert run0["output_tokens"] == 6 * 12
    for s in result.samples[0]:
        assert s.tokens_exact and s.output_tokens == 12
        assert len(s.itl_ms) == 11  # 12 deltas, 11 gaps
        assert s.ttfb_ms is not None and s.ttft_ms is not None and s.e2e_ms is not None
        assert 0 < s.ttfb_ms <= s.ttft_ms <= s.e2e_ms
        assert s.tpot_ms == pytest.approx((s.e2e_ms - s.ttft_ms) / 11)
    # The mock cannot send early: the last of 12 deltas leaves >= 11 x 2 ms after the first.
    assert run0["e2e_ms"]["min"] >= 22.0
    # Two lanes: two new connections, then keep-alive reuse; phases only for the new ones.
    assert run0["connections"] == {"new": 2, "reused": 4}
    assert run0["phases_ms"]["tcp"] is not None and run0["phases_ms"]["tls"] is None
    assert run0["phases_ms"]["dns"]["max"] == 0.0  # an IP address: nothing to resolve


def test_no_stream_has_no_ttft_and_counts_usage() -> None:
    with mock_thread(output_tokens=7) as url:
        result = run(url, Options(requests=4, stream=False))
        body = requests_seen(url)[0]["body"]
    assert "stream" not in body
    r = result.runs[0]
    assert (
        r["ok"] == 4 and r["output_tokens"] == 28 and r["ttft_ms"] is None and r["itl_ms"] is None
    )
    assert r["e2e_ms"] is not None


def test_failures_are_counted_by_status_and_the_run_completes() -> None:
    with mock_thread(fail_rate=0.5, fail_status=529, seed=7) as url:
        result = run(url, Options(requests=40, concurrency=4))
    r = result.runs[0]
    assert r["requests"] == 40
    assert set(r["errors"]) == {"529"}
    assert r["ok"] + r["errors"]["529"] == 40
    assert 8 <= r["errors"]["529"] <= 32
    assert r["ttft_ms"]["min"] > 0  # latency stats cover the successes only
    assert not result.failures()


def test_a_cut_stream_is_an_error_not_a_success() -> None:
    with mock_thread(output_tokens=20, drop_after=5) as url:
        result = run(url, Options(requests=3))
    r = result.runs[0]
    assert r["ok"] == 0 and set(r["errors"]) <= {"stream_cut", "disconnected"}
    assert "every request failed" in result.failures()[0]


def test_without_usage_tokens_are_estimated_and_labelled() -> None:
    with servers.serve(servers.no_usage_stream) as url:
        result = run(url, Options(requests=2))
    r = result.runs[0]
    assert r["ok"] == 2
    assert "estimate" in r["tokens_source"] and "tiktoken" in r["tokens_source"]
    # "Hello there, friend of mine" is 6 cl100k tokens; 5 deltas arrived.
    assert all(s.output_tokens == 6 and not s.tokens_exact for s in result.samples[0])
    assert all(len(s.itl_ms) == 4 for s in result.samples[0])


def test_two_models_on_one_profile_run_interleaved_as_two_runs() -> None:
    with mock_thread(output_tokens=3) as url:
        result = run(url, Options(requests=5, concurrency=1), models=("claude-haiku-4-5", "gpt-4o"))
        seen = [e["body"]["model"] for e in requests_seen(url, "/v1/messages")]
    assert [r["label"] for r in result.runs] == ["p/claude-haiku-4-5", "p/gpt-4o"]
    assert [r["ok"] for r in result.runs] == [5, 5]
    # Interleaved: both models are in flight from the start, not one after the other.
    assert set(seen[:2]) == {"claude-haiku-4-5", "gpt-4o"}
    assert sorted(seen) == sorted(["claude-haiku-4-5"] * 5 + ["gpt-4o"] * 5)


def test_warmup_requests_are_sent_and_left_out() -> None:
    with mock_thread(output_tokens=2) as url:
        result = run(url, Options(requests=3, warmup=2))
        sent = len(requests_seen(url, "/v1/messages"))
    assert sent == 5
    assert result.runs[0]["requests"] == 3


def test_duration_mode_stops_issuing_at_the_deadline() -> None:
    with mock_thread(output_tokens=2, ttft_ms=20) as url:
        result = run(url, Options(requests=None, duration_s=0.5, concurrency=2))
    r = result.runs[0]
    assert r["requests"] >= 4  # ~2 lanes x 0.5 s / 20 ms, less on a slow machine
    assert all(s.start_s < 0.5 for s in result.samples[0])


def test_open_loop_latency_grows_when_the_server_falls_behind() -> None:
    """Coordinated omission: a server that serves one request per 20 ms (50/s) offered
    100/s. Measured from the intended send times, latency grows along the run; a closed
    loop at -c 1 against the same server reports only the 20 ms service time."""
    with servers.serve(servers.serial(0.02)) as url:
        closed = run(url, Options(requests=20, concurrency=1, stream=False))
        opened = run(url, Options(requests=80, rate=100.0, stream=False, seed=1))
    c, o = closed.runs[0], opened.runs[0]
    assert c["e2e_ms"]["p50"] < 200
    samples = opened.samples[0]
    first, last = samples[:10], samples[-10:]

    def mean(xs: list[Any]) -> float:
        return sum(s.e2e_ms or 0 for s in xs) / len(xs)

    # 80 arrivals at 100/s take 0.8 s; serving them takes 1.6 s: the last wait ~0.8 s.
    assert mean(last) > mean(first) + 300
    assert o["e2e_ms"]["p90"] > 3 * c["e2e_ms"]["p50"]
    # The growth is the server's: the client itself mostly sent on time (p50; a shared
    # machine may deschedule it now and then).
    assert o["queue_ms"]["p50"] < 50


def test_unreachable_endpoint_is_one_clear_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connection refused
        options = Options(requests=3)
        target = build(profile(f"http://127.0.0.1:{port}", name="gone"), "m", None, options)
        with pytest.raises(UpstreamError) as info:
            runner.run([target], options)
    assert "cannot reach gone" in info.value.message
    assert f"127.0.0.1:{port}" in info.value.message


def test_error_examples_are_kept_with_the_secret_masked() -> None:
    secret = "sk-test-0123456789abcdef"
    with servers.serve(servers.echo_key_401) as url:
        p = Profile(name="k", endpoint=url, auth=Auth(type="x-api-key", secret="env:K"))
        options = Options(requests=3)
        result = runner.run([build(p, "m", secret, options)], options)
    r = result.runs[0]
    assert r["errors"] == {"401": 3}
    assert "Incorrect API key provided: …cdef" in r["error_examples"]["401"]
    assert secret not in json.dumps(result.document)


@pytest.mark.parametrize(
    ("handler", "stream", "error"),
    [
        (servers.html_200, True, "bad_response"),
        (servers.html_200, False, "bad_response"),
        (servers.redirect, True, "307"),
    ],
)
def test_answers_that_are_not_an_api_reply_are_errors(
    handler: servers.Handler, stream: bool, error: str
) -> None:
    with servers.serve(handler) as url:
        result = run(url, Options(requests=2, stream=stream))
    assert result.runs[0]["errors"] == {error: 2}
