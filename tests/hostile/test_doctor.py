"""doctor against hostile gateways: every probe read capped at 1 MB (after decompression),
every request, check and run under a whole-operation deadline, one clear line per failure."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from llmgw_cli.config.model import from_text
from llmgw_cli.doctor.context import Options
from llmgw_cli.doctor.runner import run_profile
from tests.helpers import hostile
from tests.helpers.mockserver import mock_thread
from tests.hostile.conftest import RSS_BOUND, add_profile, watched

MARGIN_S = 1.5  # scheduling on a loaded 2-core machine, process start-up not included


def _checks(stdout: str) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in json.loads(stdout)["results"][0]["checks"]}


@pytest.fixture(scope="module")
def healthy_rss() -> int:
    """Peak RSS of a full doctor run against a healthy (mock) gateway: the reference."""
    with mock_thread() as url:
        add_profile("calm", url)
        done = watched(["doctor", "--profile", "calm", "--json"])
    assert done.returncode == 0, done.stdout + done.stderr
    return done.peak_rss


HUGE: dict[str, Callable[[], contextlib.AbstractContextManager[hostile.Peer]]] = {
    "endless-json": hostile.endless_json,
    "gzip-bomb": hostile.gzip_bomb,
    "endless-sse": hostile.endless_sse,
    "gzip-bomb-on-messages": lambda: hostile.gzip_bomb(only="/v1/messages"),
    "endless-sse-on-messages": lambda: hostile.endless_sse(only="/v1/messages"),
}


@pytest.mark.parametrize("kind", sorted(HUGE))
def test_a_huge_answer_is_cut_at_1_mb_and_memory_stays_flat(kind: str, healthy_rss: int) -> None:
    with HUGE[kind]() as peer:
        add_profile("huge", peer.url)
        done = watched(["doctor", "--profile", "huge", "--json"], timeout=120)
    assert done.returncode == 1, done.stderr
    failed = [c for c in _checks(done.stdout).values() if c["status"] == "fail"]
    cut = [c for c in failed if "larger than doctor's 1 MB limit" in c["summary"]]
    assert cut, failed
    assert "\n" not in cut[0]["summary"]
    assert done.peak_rss - healthy_rss < RSS_BOUND, (done.peak_rss, healthy_rss)
    assert done.seconds < 60


@pytest.mark.parametrize("kind", ["drip", "never-closing", "never-answering"])
def test_a_slow_answer_ends_at_the_request_deadline(kind: str) -> None:
    servers: dict[str, Callable[[], contextlib.AbstractContextManager[hostile.Peer]]] = {
        "drip": lambda: hostile.drip(interval_s=1.0),
        "never-closing": hostile.never_closing,
        "never-answering": hostile.never_answering,
    }
    server = servers[kind]
    with server() as peer:
        add_profile("slow", peer.url)
        done = watched(["doctor", "--profile", "slow", "--json"], timeout=120)
    checks = _checks(done.stdout)
    http = checks["http"]
    assert http["status"] == "fail"
    limit = Options().probe_timeout
    assert f"within {limit:g} s (doctor's whole-request limit)" in http["summary"]
    assert limit * 1000 - 100 <= http["duration_ms"] <= (limit + MARGIN_S) * 1000
    assert all(checks[c]["status"] == "skip" for c in ("auth", "messages", "stream"))
    assert done.seconds < limit + 10


def _profile(url: str) -> Any:
    text = f"version: 1\nname: h\nendpoint: {url}\nformats: [anthropic]\nauth: {{type: none}}\n"
    return from_text(text, "h.yaml", "h")


@contextlib.contextmanager
def _dripping_messages() -> Iterator[hostile.Peer]:
    """/v1/models answers; /v1/messages starts a stream, then drips one byte every 0.3 s."""
    with hostile.drip(interval_s=0.3, sse=True, only="/v1/messages") as peer:
        yield peer


def test_the_stream_check_ends_at_its_deadline_however_the_bytes_drip() -> None:
    with _dripping_messages() as peer:
        opts = Options(environ={}, model_timeout=2.0, probe_timeout=2.0)
        report = run_profile(_profile(peer.url), options=opts, checks=["stream"])
    stream = report.get("stream")
    assert stream is not None and stream.status == "fail", report.checks
    assert "within 2 s (doctor's whole-request limit)" in stream.summary
    assert stream.duration_ms <= (2.0 + MARGIN_S) * 1000


def test_a_check_has_its_own_deadline_and_the_run_a_total() -> None:
    with _dripping_messages() as peer:
        # Each request may take 30 s, but the check as a whole only 2 s.
        opts = Options(environ={}, model_timeout=30.0, check_timeout=2.0)
        report = run_profile(_profile(peer.url), options=opts, checks=["messages"])
        messages = report.get("messages")
        assert messages is not None and messages.status == "fail"
        assert messages.duration_ms <= (2.0 + MARGIN_S) * 1000
        # The whole run: 3 s; what is left when it passes is skipped, naming the limit.
        start = time.monotonic()
        opts = Options(environ={}, model_timeout=30.0, total_timeout=3.0)
        report = run_profile(_profile(peer.url), options=opts)
        assert time.monotonic() - start <= 3.0 + MARGIN_S
    skipped = [c for c in report.checks if "doctor's total limit of 3 s" in c.summary]
    assert skipped, [(c.id, c.status, c.summary) for c in report.checks]
