"""/metrics scraped over HTTP from the real shim: promtool accepts it, counters move."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from llmgw_cli.mock.script import parse_script
from tests.governance.shimkit import OFF, auth, shim_process, shim_thread
from tests.helpers.mockserver import mock_process, mock_thread

PROMTOOL = shutil.which("promtool")
BODY = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 8,
    "messages": [{"role": "user", "content": "hello"}],
}


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of the series matching ``labels`` in the text format (0 when absent): a
    partial label set adds up every series it matches (other users, other routes), so a
    delta between two scrapes counts this test's requests whatever ran before it."""
    total = 0.0
    for line in text.splitlines():
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$", line)
        if m is None or m.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(m.group(3))
    return total


@pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian package prometheus) is absent")
def test_promtool_accepts_the_shims_metrics_and_counters_move(tmp_path: Path) -> None:
    assert PROMTOOL is not None
    turn = {"text": "hi there", "usage": {"input_tokens": 11, "output_tokens": 3,
                                          "cache_read_input_tokens": 7}}  # fmt: skip
    script = tmp_path / "script.json"
    script.write_text(json.dumps([turn]))
    config = "prices: {claude-sonnet-4-5: {input: 3.0, output: 15.0}}\n"
    home = tmp_path / "home"
    with (
        mock_process("--script", str(script)) as mock,
        shim_process(home, mock.url, config) as shim,
    ):
        before = httpx.get(shim.url + "/metrics").text
        headers = {**auth(shim.token), "X-User-ID": "carol"}
        for stream in (False, True, False):
            r = httpx.post(
                shim.url + "/v1/messages", json={**BODY, "stream": stream}, headers=headers
            )
            assert r.status_code == 200
        bad = httpx.post(shim.url + "/v1/messages", content=b"{}", headers=headers)
        scrape = httpx.get(shim.url + "/metrics")
    check = subprocess.run(
        [PROMTOOL, "check", "metrics"], input=scrape.content, capture_output=True, timeout=60
    )
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    assert scrape.headers["content-type"].startswith("text/plain")
    text = scrape.text
    model = "claude-sonnet-4-5"
    ok = {"model": model, "status": "200", "user": "carol"}
    assert sample(before, "llm_requests_total", **ok) == 0
    assert sample(text, "llm_requests_total", **ok) == 3
    assert bad.status_code == 400
    assert sample(text, "llm_requests_total", status="400", user="carol") == 1
    assert sample(text, "llm_tokens_total", model=model, type="input") == 33
    assert sample(text, "llm_tokens_total", model=model, type="output") == 9
    assert sample(text, "llm_tokens_total", model=model, type="cache_read") == 21
    assert sample(text, "llm_cost_usd_total", model=model) == pytest.approx(
        3 * (11 * 3.0 + 3 * 15.0 + 7 * 3.0) / 1e6
    )
    assert sample(text, "llm_request_duration_seconds_count", model=model) == 3
    assert sample(text, "llm_ttft_seconds_count", model=model) == 3
    assert sample(text, "llmgw_overhead_seconds_count") == 4
    assert sample(text, "llm_active_requests") == 0
    assert sample(text, "llmgw_upstream_up", member="mock") == 1
    assert sample(text, "llmgw_breaker_state", member="mock", state="closed") == 1


def test_a_breaker_transition_reaches_the_gauge() -> None:
    """The observer issue 6's breaker calls: ``member.set_breaker_state(state)``."""
    with mock_thread() as url, shim_thread(url, {"audit": OFF}) as shim:
        (member,) = shim.server.router.members
        member.set_breaker_state("open")
        opened = httpx.get(shim.url + "/metrics").text
        member.set_breaker_state("half_open")
        half = httpx.get(shim.url + "/metrics").text
    assert sample(opened, "llmgw_breaker_state", member="mock", state="open") == 1
    assert sample(opened, "llmgw_breaker_state", member="mock", state="closed") == 0
    assert sample(half, "llmgw_breaker_state", member="mock", state="half_open") == 1
    assert sample(half, "llmgw_breaker_state", member="mock", state="open") == 0


def test_metrics_off_answers_404_naming_the_setting() -> None:
    script = parse_script(["x"])
    with mock_thread(script=script) as url, shim_thread(url, {"metrics": OFF, "audit": OFF}) as s:
        r = httpx.get(s.url + "/metrics")
    assert r.status_code == 404 and "plugins.metrics" in r.text


def test_a_real_breaker_opening_shows_on_the_gauge(tmp_path: Path) -> None:
    """A chain whose first member refuses connections: its breaker opens after two
    failures (issue 6's breaker reports through ``Member.set_breaker_state``)."""
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    config = "breaker: {failures: 2, window_s: 60, cooldown_s: 600}\nretry: {backoff_ms: 0}\n"
    with (
        mock_process() as mock,
        shim_process(tmp_path / "home", mock.url, config, {"down": closed}) as shim,
    ):
        statuses = [
            httpx.post(shim.url + "/v1/messages", json=BODY, headers=auth(shim.token)).status_code
            for _ in range(4)
        ]
        text = httpx.get(shim.url + "/metrics").text
    assert statuses == [200] * 4
    assert sample(text, "llmgw_breaker_state", member="down", state="open") == 1
    assert sample(text, "llmgw_breaker_state", member="down", state="closed") == 0
    assert sample(text, "llmgw_breaker_state", member="mock", state="closed") == 1
    assert sample(text, "llmgw_upstream_up", member="down") == 0
    assert sample(text, "llmgw_upstream_up", member="mock") == 1
