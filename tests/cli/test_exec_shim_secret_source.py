"""`exec --shim` with an `env:` secret: the child gets the local token, not the variable
holding the real key (the shim read it; the child has no use for it)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

from tests.helpers.cli import run
from tests.helpers.mockserver import mock_thread, requests_seen

KEY = "sk-env-held-0123456789abcdef"


@pytest.fixture
def mock_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("CORP_KEY", KEY)
    with mock_thread(require_key=KEY) as url:
        added = run("profile", "add", "corp", "--endpoint", url, "--secret-env", "CORP_KEY")
        assert added.returncode == 0, added.stderr
        yield url


def test_private_shim_child_has_no_secret_variable(mock_url: str) -> None:
    done = run("exec", "--shim", "--profile", "corp", "--", "env")
    assert done.returncode == 0, done.stderr
    assert "ANTHROPIC_AUTH_TOKEN=llmgw-" in done.stdout
    assert KEY not in done.stdout and "CORP_KEY=" not in done.stdout


def test_running_shim_child_has_no_secret_variable(mock_url: str) -> None:
    # sys.executable, not `python3` from PATH: the interpreter that has httpx.
    started = run("shim", "start", "--profile", "corp", "--port", "0", "--detach")
    assert started.returncode == 0, started.stderr
    try:
        done = run(
            "exec",
            "--shim",
            "--",
            sys.executable,
            "-c",
            "import os, httpx; print(httpx.post(os.environ['ANTHROPIC_BASE_URL'] + "
            "'/v1/messages', json={'model': 'm', 'max_tokens': 3, 'messages': "
            "[{'role': 'user', 'content': 'hi'}]}, headers={'x-api-key': "
            "os.environ['ANTHROPIC_AUTH_TOKEN']}).status_code, 'CORP_KEY' in os.environ)",
        )
    finally:
        run("shim", "stop")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "False"]
    seen = requests_seen(mock_url, "/v1/messages")[-1]["headers"]
    assert seen["authorization"] == f"Bearer {KEY}"  # the shim swapped in the real key
    assert os.environ["CORP_KEY"] == KEY  # the caller's own shell is left alone


def test_direct_exec_still_passes_the_variable(mock_url: str) -> None:
    # Without the shim the client needs the key itself, so nothing is taken away.
    done = run("exec", "--profile", "corp", "--", "env")
    assert f"ANTHROPIC_AUTH_TOKEN={KEY}" in done.stdout
