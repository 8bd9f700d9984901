"""`llmgw shim start|status|stop|reload|logs`, `env --shim`, `exec --shim`, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from llmgw_cli import shimstate
from tests.helpers.cli import run
from tests.helpers.mockserver import mock_thread, requests_seen
from tests.shim.conftest import REAL_KEY, save_profile

BODY = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 50,
    "messages": [{"role": "user", "content": "hi"}],
}
NO_PLUGINS = "plugins: {audit: {enabled: false}, metrics: {enabled: false}}\n"


@pytest.fixture
def mock_url() -> Iterator[str]:
    with mock_thread(require_key=REAL_KEY, itl_ms=10, output_tokens=100) as url:
        save_profile("m", url)
        yield url


@pytest.fixture
def detached(mock_url: str) -> Iterator[shimstate.ShimState]:
    r = run("shim", "start", "--profile", "m", "--port", "0", "--detach")
    assert r.returncode == 0, r.stderr
    state = shimstate.read()
    assert state is not None
    try:
        yield state
    finally:
        run("shim", "stop")


def test_detached_lifecycle(detached: shimstate.ShimState, mock_url: str) -> None:
    path = shimstate.state_path()
    assert path.stat().st_mode & 0o777 == 0o600  # the local token is in it
    status = run("shim", "status", "--json")
    assert status.returncode == 0
    data = json.loads(status.stdout)
    assert data["pid"] == detached.pid and data["url"] == detached.url
    assert data["profile"] == "m" and data["requests"] == 0

    r = httpx.post(detached.url + "/v1/messages", json=BODY, headers={"x-api-key": detached.token})
    assert r.status_code == 200
    data = json.loads(run("shim", "status", "--json").stdout)
    assert data["requests"] == 1 and data["errors"] == 0
    text = run("shim", "status").stdout
    assert detached.url in text and "requests: 1" in text

    again = run("shim", "start", "--profile", "m", "--port", "0", "--detach")
    assert again.returncode == 2 and "already running" in again.stderr
    fg = run("shim", "start", "--profile", "m", "--port", "0")  # the foreground refuses too
    assert fg.returncode == 2 and "already running" in fg.stderr

    assert "listening on" in run("shim", "logs").stdout
    stop = run("shim", "stop")
    assert stop.returncode == 0 and "stopped" in stop.stderr
    assert not shimstate.pid_alive(detached.pid)
    assert not path.exists()
    assert run("shim", "status").returncode == 1
    assert run("shim", "stop").returncode == 0  # stopping nothing is fine


def test_status_of_a_single_profile_shim_has_its_figures(
    detached: shimstate.ShimState,
) -> None:
    stream = {**BODY, "stream": True}
    for _ in range(3):
        r = httpx.post(
            detached.url + "/v1/messages", json=stream, headers={"x-api-key": detached.token}
        )
        assert r.status_code == 200
    (member,) = json.loads(run("shim", "status", "--json").stdout)["members"]
    assert member["state"] == "closed" and member["requests"] == 3
    assert member["p50_ttft_ms"] is not None and member["p50_ttft_ms"] > 0
    assert member["output_tokens"] == 150  # 3 x max_tokens 50 of the mock's 100
    assert member["tokens"] > member["output_tokens"]
    assert "p50 TTFT" in run("shim", "status").stdout


def test_env_shim_points_clients_at_the_shim_without_the_real_key(
    detached: shimstate.ShimState,
) -> None:
    r = run("env", "--shim", "--shell", "json")
    assert r.returncode == 0, r.stderr
    env = json.loads(r.stdout)["set"] if "set" in json.loads(r.stdout) else json.loads(r.stdout)
    assert env["ANTHROPIC_BASE_URL"] == detached.url
    assert env["ANTHROPIC_AUTH_TOKEN"] == detached.token
    assert REAL_KEY not in r.stdout


def test_exec_shim_uses_the_running_shim(detached: shimstate.ShimState, mock_url: str) -> None:
    r = run("exec", "--shim", "--", "env")
    assert r.returncode == 0, r.stderr
    assert f"ANTHROPIC_BASE_URL={detached.url}\n" in r.stdout
    assert REAL_KEY not in r.stdout


CHILD = (
    "import os, httpx; r = httpx.post(os.environ['ANTHROPIC_BASE_URL'] + '/v1/messages', "
    "json={'model': 'claude-sonnet-4-5', 'max_tokens': 5, 'messages': [{'role': 'user', "
    "'content': 'hi'}]}, "
    "headers={'Authorization': 'Bearer ' + os.environ['ANTHROPIC_AUTH_TOKEN']}); "
    "print(r.status_code); raise SystemExit(7)"
)


def test_exec_shim_starts_a_private_shim_for_the_command(mock_url: str) -> None:
    import sys

    assert shimstate.read() is None
    r = run("exec", "--shim", "--profile", "m", "--", sys.executable, "-c", CHILD)
    assert r.returncode == 7, r.stderr  # the command's own exit code
    assert r.stdout.strip() == "200"
    assert requests_seen(mock_url, "/v1/messages")[-1]["headers"]["x-api-key"] == REAL_KEY
    env = run("exec", "--shim", "--profile", "m", "--", "env")
    assert env.returncode == 0
    assert "ANTHROPIC_BASE_URL=http://127.0.0.1:" in env.stdout
    assert REAL_KEY not in env.stdout
    assert shimstate.read() is None  # a private shim leaves no state behind


def test_stale_state_file_is_recovered(mock_url: str) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    shimstate.write(
        shimstate.ShimState(pid=dead.pid, url="http://127.0.0.1:9", token="t", started=0)
    )
    assert run("shim", "status").returncode == 1
    r = run("shim", "start", "--profile", "m", "--port", "0", "--detach")
    try:
        assert r.returncode == 0, r.stderr
        state = shimstate.read()
        assert state is not None and state.pid != dead.pid
    finally:
        run("shim", "stop")


def test_stop_lets_an_in_flight_stream_finish(detached: shimstate.ShimState) -> None:
    got: list[str] = []

    def stream() -> None:
        with httpx.stream(
            "POST",
            detached.url + "/v1/messages",
            json={**BODY, "stream": True, "max_tokens": 100},
            headers={"x-api-key": detached.token},
            timeout=30,
        ) as r:
            got.append(r.read().decode())

    thread = threading.Thread(target=stream)
    thread.start()  # 100 tokens at 10 ms: about a second of stream
    import time

    time.sleep(0.3)
    assert run("shim", "stop").returncode == 0
    thread.join(30)
    assert got and got[0].rstrip().endswith('data: {"type":"message_stop"}')


def test_reload_applies_a_changed_profile(detached: shimstate.ShimState, mock_url: str) -> None:
    save_profile("m", mock_url, headers={"X-Department": "Research"})
    r = run("shim", "reload")
    assert r.returncode == 0, r.stderr
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        httpx.post(detached.url + "/v1/messages", json=BODY, headers={"x-api-key": detached.token})
        if requests_seen(mock_url, "/v1/messages")[-1]["headers"].get("x-department") == "Research":
            break
        time.sleep(0.1)
    assert requests_seen(mock_url, "/v1/messages")[-1]["headers"]["x-department"] == "Research"


def test_config_file_errors_name_file_and_line(tmp_path: Path) -> None:
    cfg = tmp_path / "shim.yaml"
    cfg.write_text("chain: [m]\nlisten: {host: 127.0.0.1, prot: 1}\n")
    r = run("shim", "start", "--config", str(cfg))
    assert r.returncode == 2
    assert f"{cfg}:2" in r.stderr and "did you mean 'port'" in r.stderr
    cfg.write_text("chain: [nope]\n" + NO_PLUGINS)
    r = run("shim", "start", "--config", str(cfg))
    assert r.returncode == 2 and "no profile named 'nope'" in r.stderr


def test_config_file_accepts_the_design_keys(mock_url: str, tmp_path: Path) -> None:
    cfg = tmp_path / "shim.yaml"
    cfg.write_text(
        "listen: {host: 127.0.0.1, port: 0}\nchain: [m]\norder: adaptive\n"
        "retry: {attempts: 3, backoff_ms: 100, max_backoff_ms: 2000}\n"
        "breaker: {failures: 5, window_s: 30, cooldown_s: 30}\n"
        "models: {claude-opus-5-5: {m: claude-opus-4-1}}\n"
        "routing_rules:\n  - {match: {model: haiku}, route: m}\n"
        "  - {match: {min_prompt_tokens: 60000}, route: m, model: claude-sonnet-4-5}\n"
        "prices: {claude-sonnet-4-5: {input: 3.0, output: 15.0, cache_read: 0.3}}\n" + NO_PLUGINS
    )
    r = run("shim", "start", "--config", str(cfg), "--detach")
    try:
        assert r.returncode == 0, r.stderr
        state = shimstate.read()
        assert state is not None and state.config_file == str(cfg)
        ok = httpx.post(state.url + "/v1/messages", json=BODY, headers={"x-api-key": state.token})
        assert ok.status_code == 200
    finally:
        run("shim", "stop")


def test_reload_refuses_an_invalid_config_and_keeps_serving(mock_url: str, tmp_path: Path) -> None:
    cfg = tmp_path / "shim.yaml"
    cfg.write_text("chain: [m]\n" + NO_PLUGINS)
    assert run("shim", "start", "--config", str(cfg), "--port", "0", "--detach").returncode == 0
    try:
        state = shimstate.read()
        assert state is not None
        cfg.write_text("chain: [m]\norder: fastest\n" + NO_PLUGINS)
        r = run("shim", "reload")
        assert r.returncode == 2 and f"{cfg}:2" in r.stderr and "order" in r.stderr
        ok = httpx.post(state.url + "/v1/messages", json=BODY, headers={"x-api-key": state.token})
        assert ok.status_code == 200
        assert shimstate.read() == state  # the same shim, still running
    finally:
        run("shim", "stop")


def test_logs_record_each_failover_and_breaker_change(mock_url: str, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on: the first member is down
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    save_profile("down", dead)
    cfg = tmp_path / "shim.yaml"
    cfg.write_text(
        "listen: {host: 127.0.0.1, port: 0}\nchain: [down, m]\n"
        "retry: {attempts: 2, backoff_ms: 1, max_backoff_ms: 1}\n"
        "breaker: {failures: 1, window_s: 30, cooldown_s: 30}\n" + NO_PLUGINS
    )
    assert run("shim", "start", "--config", str(cfg), "--detach").returncode == 0
    try:
        state = shimstate.read()
        assert state is not None
        r = httpx.post(state.url + "/v1/messages", json=BODY, headers={"x-api-key": state.token})
        assert r.status_code == 200 and r.headers["x-llmgw-upstream"] == "m"
        logs = run("shim", "logs").stdout
    finally:
        run("shim", "stop")
    assert "failover: m answered request" in logs and "after down (" in logs
    assert "circuit breaker of down is now open" in logs
