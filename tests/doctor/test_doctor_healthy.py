"""A healthy `llmgw mock` passes every applicable check, through the real CLI."""

from __future__ import annotations

import json
import re

from rich.console import Console

from llmgw_cli.cli.render_doctor import run_and_render
from tests.doctor.conftest import KEY, PROXY_VARS, make_profile
from tests.helpers.cli import run
from tests.helpers.mockserver import mock_thread

ALL = [
    "config",
    "secret",
    "proxy",
    "dns",
    "tcp",
    "tls",
    "http",
    "auth",
    "models",
    "clock",
    "messages",
    "stream",
    "betas",
    "count_tokens",
    "chat",
    "chat_stream",
    "waf",
    "adaptive",
    "tool_regex",
    "advisor",
    "context_limit",
    "error_bodies",
    "deep",
    "auth_conflict",
    "api_key_helper",
    "discovery",
    "pings",
    "retry_after",
]
NO_PROXY_ENV: dict[str, str | None] = dict.fromkeys(PROXY_VARS)


def test_healthy_mock_every_check_ok(save: object) -> None:
    with mock_thread(require_key=KEY, ttft_ms=20, itl_ms=2, context_window=200_000) as url:
        save(make_profile(url, "mock", formats="[anthropic, openai]"))  # type: ignore[operator]
        env = {**NO_PROXY_ENV, "CLAUDE_CONFIG_DIR": "/nonexistent"}  # no apiKeyHelper
        done = run("doctor", "--profile", "mock", "--json", env=env)
        human = run("doctor", "--profile", "mock", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["version"] == 1 and len(data["results"]) == 1
    result = data["results"][0]
    assert result["profile"] == "mock" and result["ok"] is True
    checks = {c["id"]: c for c in result["checks"]}
    assert list(checks) == ALL
    # Loopback over plain http: nothing to resolve and no TLS; no --deep, no apiKeyHelper,
    # no 429 (so no retry-after); everything else passes.
    assert {k: c["status"] for k, c in checks.items() if c["status"] != "ok"} == {
        "dns": "skip",
        "tls": "skip",
        "context_limit": "skip",  # the oversized probe is sent only under --deep
        "error_bodies": "skip",
        "deep": "skip",
        "api_key_helper": "skip",
        "retry_after": "skip",
    }
    for c in checks.values():
        assert set(c) == {"id", "status", "duration_ms", "summary", "detail", "fix"}
        assert isinstance(c["duration_ms"], float)
    total_ms = sum(c["duration_ms"] for c in checks.values())
    assert "via" not in checks["proxy"]["summary"]
    assert checks["models"]["detail"]["wanted"]["default"] == "claude-opus-5-5"
    assert KEY not in done.stdout + done.stderr + human.stdout + human.stderr

    assert human.returncode == 0
    line = re.search(r"mock: 21 ok, 7 skipped in ([0-9.]+) s", human.stdout)
    assert line, human.stdout
    print(f"\ndoctor against a healthy mock: checks {total_ms:.0f} ms, run {line.group(1)} s")
    assert float(line.group(1)) < 10  # loose sanity bound; the figure is printed above


def test_run_and_render_for_demo() -> None:
    console = Console(record=True, width=120)
    with mock_thread() as url:
        report = run_and_render(make_profile(url, "demo", auth="none"), "demo", console=console)
    text = console.export_text()
    assert report.passed()
    assert "doctor demo" in text and "✓" in text and "selected by demo" in text
    assert re.search(r"demo: \d+ ok, \d+ skipped in [0-9.]+ s", text)
