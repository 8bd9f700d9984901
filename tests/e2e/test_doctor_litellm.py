"""`llmgw doctor` against a real LiteLLM proxy (pinned 1.108.7) in front of `llmgw mock`:
both its Anthropic and its OpenAI formats pass; a wrong master key is an auth failure."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from llmgw_cli.config.model import from_text
from llmgw_cli.config.store import ProfileStore
from tests.helpers.cli import PROXY_VARS, run
from tests.helpers.mockserver import mock_thread, requests_seen, stop_process

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("litellm") is None or importlib.util.find_spec("litellm") is None,
        reason="LiteLLM is not installed (pip install -e '.[e2e]')",
    ),
]
MASTER = "sk-litellm-master-0123456789abcdef"
CONFIG = """\
model_list:
  - model_name: claude-sonnet-4-5
    litellm_params: {{model: anthropic/claude-sonnet-4-5, api_base: "{mock}", api_key: upstream}}
  - model_name: gpt-4o
    litellm_params: {{model: openai/gpt-4o, api_base: "{mock}/v1", api_key: upstream}}
general_settings: {{master_key: {master}}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def litellm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(LiteLLM URL, mock URL); LiteLLM starts offline with the local cost map (facts.md)."""
    folder = tmp_path_factory.mktemp("litellm")
    # Tokens 15 ms apart, as a model writes them: a live relay spreads them, a buffer does not.
    with mock_thread(ttft_ms=30, itl_ms=15) as mock:
        config = folder / "config.yaml"
        config.write_text(CONFIG.format(mock=mock, master=MASTER), encoding="utf-8")
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
        log = (folder / "litellm.log").open("w")
        proc = subprocess.Popen(
            ["litellm", "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
            env={**env, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, proc, folder / "litellm.log")
            yield url, mock
        finally:
            stop_process(proc)
            log.close()


def _wait_ready(url: str, proc: subprocess.Popen[str], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"litellm exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health/liveliness", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("litellm did not become ready in 180 s")


def save(name: str, endpoint: str, formats: str, model: str) -> None:
    text = (
        f"version: 1\nname: {name}\nendpoint: {endpoint}\nformats: {formats}\n"
        f"auth: {{type: bearer, secret: env:LITELLM_KEY}}\nmodels: {{default: {model}}}\n"
    )
    ProfileStore().save(from_text(text, f"{name}.yaml", name))


def doctor(name: str, key: str, *args: str) -> tuple[int, dict[str, dict[str, object]], str]:
    env: dict[str, str | None] = {**dict.fromkeys(PROXY_VARS), "LITELLM_KEY": key}
    done = run("doctor", "--profile", name, "--json", *args, env=env, timeout=300)
    checks = {c["id"]: c for c in json.loads(done.stdout)["results"][0]["checks"]}
    return done.returncode, checks, done.stdout + done.stderr


def test_anthropic_format_through_litellm(litellm: tuple[str, str]) -> None:
    url, mock = litellm
    save("lite-anthropic", url, "[anthropic]", "claude-sonnet-4-5")
    code, checks, output = doctor("lite-anthropic", MASTER)
    assert code == 0, output
    for name in ("http", "auth", "models", "messages", "stream", "betas"):
        assert checks[name]["status"] == "ok", (name, checks[name]["summary"])
    assert checks["count_tokens"]["status"] in ("ok", "warn")  # optional for a gateway
    assert any(r["path"] == "/v1/messages" for r in requests_seen(mock))  # it reached the mock
    assert MASTER not in output


def test_openai_format_through_litellm(litellm: tuple[str, str]) -> None:
    url, _ = litellm
    save("lite-openai", url + "/v1", "[openai]", "gpt-4o")
    code, checks, output = doctor("lite-openai", MASTER)
    assert code == 0, output
    for name in ("http", "auth", "models", "chat", "chat_stream"):
        assert checks[name]["status"] == "ok", (name, checks[name]["summary"])
    assert "messages" not in checks


def test_wrong_master_key_fails_auth(litellm: tuple[str, str]) -> None:
    url, _ = litellm
    save("lite-wrong", url, "[anthropic, openai]", "claude-sonnet-4-5")
    code, checks, output = doctor("lite-wrong", "sk-not-the-master-key-000")
    assert code == 1
    auth = checks["auth"]
    assert auth["status"] == "fail", auth["summary"]
    # LiteLLM without a database answers an unknown key with 400 "No connected db."
    assert "x-api-key does not work either" in str(auth["summary"])
    assert "export LITELLM_KEY=" in str(auth["fix"])  # the secret lives in env:LITELLM_KEY
    assert checks["messages"]["summary"] == "skipped: auth failed"
    assert "sk-not-the-master-key-000" not in output
