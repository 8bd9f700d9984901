"""Doctor's verdicts name the real cause against a real LiteLLM 1.108.7 (a fresh, cold one
for this module) in front of `llmgw mock`: the five cases where they used to mislead.

- cold start: the first streamed answer of a cold LiteLLM may come in one burst; no warning
  unless a second stream bursts too;
- an `openai/` model behind LiteLLM's /v1/messages: LiteLLM calls the upstream's
  /v1/responses (404): the gateway's route is named, not the user's model;
- that failure puts the deployment in cooldown: the next 429 is attributed to it;
- LiteLLM adds `anthropic-beta: token-counting-2024-11-01` to count_tokens and the hop
  behind rejects it: attributed to that hop;
- a JSON answer to `stream: true` (LiteLLM labels it text/event-stream): a warning saying
  Claude Code retries without streaming.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.e2e.test_doctor_litellm import MASTER, _wait_ready, doctor, free_port, pytestmark, save
from tests.helpers.cli import PROXY_VARS
from tests.helpers.mockserver import mock_thread, requests_seen, stop_process

__all__ = ["pytestmark"]
CONFIG = """\
model_list:
  - model_name: claude-sonnet-4-5
    litellm_params: {{model: anthropic/claude-sonnet-4-5, api_base: "{healthy}", api_key: upstream}}
  - model_name: gpt-4o
    litellm_params: {{model: openai/gpt-4o, api_base: "{chat}/v1", api_key: upstream}}
  - model_name: claude-strict
    litellm_params: {{model: anthropic/claude-sonnet-4-5, api_base: "{strict}", api_key: upstream}}
  - model_name: claude-json
    litellm_params: {{model: anthropic/claude-sonnet-4-5, api_base: "{json}", api_key: upstream}}
general_settings: {{master_key: {master}}}
"""


@pytest.fixture(scope="module")
def litellm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("litellm-verdicts")
    with ExitStack() as stack:
        mocks = {
            # tokens 15 ms apart, as a model writes them; Claude's 200k window
            "healthy": stack.enter_context(
                mock_thread(ttft_ms=30, itl_ms=15, context_window=200_000)
            ),
            # an OpenAI upstream with Chat Completions only (no /v1/responses)
            "chat": stack.enter_context(mock_thread(format="openai")),
            "strict": stack.enter_context(mock_thread(reject_betas=True)),
            "json": stack.enter_context(mock_thread(json_for_stream=True)),
        }
        config = folder / "config.yaml"
        config.write_text(CONFIG.format(master=MASTER, **mocks), encoding="utf-8")
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
        log = stack.enter_context((folder / "litellm.log").open("w"))
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
            yield {"url": url, **mocks}
        finally:
            stop_process(proc)


def test_cold_litellm_stream_gets_no_buffering_warning(litellm: dict[str, str]) -> None:
    """The first doctor run against this cold LiteLLM (this test runs first)."""
    save("lite-cold", litellm["url"], "[anthropic]", "claude-sonnet-4-5")
    code, checks, output = doctor("lite-cold", MASTER)
    stream = checks["stream"]
    assert stream["status"] == "ok", stream["summary"]
    assert "something buffers" not in output
    detail = stream["detail"]
    burst = isinstance(detail, dict) and detail.get("first_stream_burst", False)
    print(f"\ncold LiteLLM: first stream in one burst: {burst}; {stream['summary']}")
    for name in ("http", "auth", "models", "messages", "betas", "waf", "adaptive"):
        assert checks[name]["status"] == "ok", (name, checks[name]["summary"])
    # The oversized (billable) probe waits for --deep; sent, LiteLLM keeps the API's wording.
    assert checks["context_limit"]["status"] == "skip"
    assert code == 0, output
    assert MASTER not in output
    code, checks, output = doctor(
        "lite-cold", MASTER, "--deep", "--check", "context_limit", "--check", "error_bodies"
    )
    for name in ("context_limit", "error_bodies"):
        assert checks[name]["status"] == "ok", (name, checks[name]["summary"])
    assert code == 0, output


def test_openai_route_404_names_the_gateway_route_and_the_cooldown(litellm: dict[str, str]) -> None:
    save("lite-route", litellm["url"], "[anthropic]", "gpt-4o")
    code, checks, output = doctor("lite-route", MASTER)
    assert code == 1
    messages = checks["messages"]
    assert messages["status"] == "fail"
    assert "called /v1/responses on its upstream" in str(messages["summary"])
    assert "the gateway's route for gpt-4o is wrong, not the model name" in str(messages["summary"])
    assert "use a model the gateway serves" not in output
    assert any(r["path"] == "/v1/responses" for r in requests_seen(litellm["chat"]))
    # LiteLLM put gpt-4o in cooldown after that 404: the stream check's 429 is its consequence
    stream = checks["stream"]
    assert "429 caused by doctor's own failed request: messages" in str(stream["summary"])
    assert "cooldown" in str(stream["summary"])
    assert "rate limited: wait" not in output


def test_beta_litellm_adds_is_attributed_to_the_hop_behind(litellm: dict[str, str]) -> None:
    save("lite-strict", litellm["url"], "[anthropic]", "claude-strict")
    _, checks, output = doctor("lite-strict", MASTER)
    counted = checks["count_tokens"]
    assert counted["status"] == "warn", counted["summary"]
    assert "adds anthropic-beta token-counting-2024-11-01" in str(counted["summary"])
    assert "the hop behind the gateway rejects it" in str(counted["summary"])
    assert "ask the gateway to forward count_tokens" not in output
    assert checks["messages"]["status"] == "ok"


def test_json_for_stream_through_litellm_is_a_warning(litellm: dict[str, str]) -> None:
    save("lite-json", litellm["url"], "[anthropic]", "claude-json")
    _, checks, _ = doctor("lite-json", MASTER)
    stream = checks["stream"]
    assert stream["status"] == "warn", stream["summary"]
    assert "Claude Code copes: it retries the request without streaming" in str(stream["summary"])
    assert "labelled text/event-stream" in str(stream["summary"])
