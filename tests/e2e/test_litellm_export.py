"""The config `llmgw export litellm` writes starts a real LiteLLM (pinned) that serves the mock.

A shim chain [dead, mock, oai] becomes LiteLLM fallbacks: the first member is unreachable,
so LiteLLM must fall back to the mock's Anthropic endpoint; an OpenAI-format profile is
served through LiteLLM's OpenAI client. The key reaches the mock from `os.environ/VAR`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anthropic
import httpx
import openai
import pytest

from llmgw_cli.config.model import Auth, Models, Profile
from llmgw_cli.config.store import ProfileStore
from tests.helpers.cli import run
from tests.helpers.mockserver import mock_thread, requests_seen

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("litellm") is None, reason="litellm is not installed"),
]

KEY = "sk-mock-upstream-key-0123456789"
MASTER = "sk-litellm-master-local"
SHIM_CONFIG = """\
chain: [dead, mock, oai]
retry: {attempts: 2, backoff_ms: 50}
models: {claude-opus-5-5: {dead: claude-opus-4-1, mock: claude-sonnet-4-5, oai: gpt-4o}}
plugins:
  budget: {enabled: true, daily_usd: 25}
"""


def _save(name: str, endpoint: str, formats: list[str], auth: str, model: str) -> None:
    ProfileStore().save(
        Profile(
            name=name,
            endpoint=endpoint,
            formats=formats,
            auth=Auth(auth, "env:MOCK_KEY"),
            headers={"X-Project": "P1"},
            models=Models(default=model),
        )
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _litellm(config: Path, work: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "MOCK_KEY": KEY,
        "LITELLM_MASTER_KEY": MASTER,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    log = (work / "litellm.log").open("wb")
    proc = subprocess.Popen(
        ["litellm", "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=work,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # ~5 s idle; far more on a loaded 2-core machine
        while True:
            if proc.poll() is not None:
                raise AssertionError((work / "litellm.log").read_text()[-3000:])
            try:
                if httpx.get(url + "/health/liveliness", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "LiteLLM did not become ready"
            time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def test_exported_config_runs_in_real_litellm(tmp_path: Path) -> None:
    with mock_thread(require_key=KEY) as mock:
        _save("dead", f"http://127.0.0.1:{_free_port()}", ["anthropic"], "x-api-key", "m-dead")
        _save("mock", mock, ["anthropic"], "x-api-key", "claude-sonnet-4-5")
        _save("oai", mock, ["openai"], "bearer", "gpt-4o")
        (tmp_path / "shim.yaml").write_text(SHIM_CONFIG)
        out = tmp_path / "litellm.yaml"
        done = run(
            "export",
            "litellm",
            "--config",
            str(tmp_path / "shim.yaml"),
            "-o",
            str(out),
            env={"MOCK_KEY": KEY},
        )
        assert done.returncode == 0, done.stderr
        assert KEY not in out.read_text()
        with _litellm(out, tmp_path) as url:
            claude = anthropic.Anthropic(base_url=url, api_key=MASTER, max_retries=0)
            msg = claude.messages.create(
                model="claude-opus-5-5",
                max_tokens=16,
                messages=[{"role": "user", "content": "hi"}],
            )
            chat = openai.OpenAI(base_url=url + "/v1", api_key=MASTER, max_retries=0)
            reply = chat.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
            )
        messages = requests_seen(mock, "/v1/messages")
        completions = requests_seen(mock, "/v1/chat/completions")
    assert msg.content[0].type == "text" and msg.content[0].text.startswith("Hello")
    assert (reply.choices[0].message.content or "").startswith("Hello")
    # claude-opus-5-5 fell back from the dead member to the mock, mapped to its model.
    assert messages and messages[-1]["body"]["model"] == "claude-sonnet-4-5"
    assert messages[-1]["headers"]["x-api-key"] == KEY
    assert messages[-1]["headers"]["x-project"] == "P1"
    assert completions and completions[-1]["headers"]["authorization"] == f"Bearer {KEY}"
    assert completions[-1]["body"]["model"] == "gpt-4o"
