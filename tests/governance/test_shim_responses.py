"""Audit, metrics, budget and the PII filter see Responses traffic: the openai SDK's
``responses.create`` through the real shim to an Anthropic-only mock, streamed and not."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from llmgw_cli import paths
from llmgw_cli.mock.script import parse_script
from tests.governance.shimkit import OFF, read_lines, shim_thread
from tests.governance.test_shim_metrics import sample
from tests.helpers.mockserver import mock_thread, requests_seen

MODEL = "claude-sonnet-4-5"
TURN = {
    "text": "Answer.",
    "usage": {"input_tokens": 40, "output_tokens": 6, "cache_read_input_tokens": 900},
}
PRICES = {MODEL: {"input": 3.0, "output": 15.0, "cache_read": 0.3}}


def _client(url: str, token: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key=token, max_retries=0)


@pytest.mark.parametrize("stream", [False, True])
def test_audit_and_metrics_count_responses_usage_exactly(stream: bool) -> None:
    plugins: dict[str, Any] = {"audit": {}, "metrics": {}}
    with (
        mock_thread(format="anthropic", script=parse_script([TURN])) as url,
        shim_thread(url, plugins, prices=PRICES, formats="anthropic") as shim,
    ):
        client = _client(shim.url, shim.token)
        before = httpx.get(shim.url + "/metrics").text  # counters are per process
        if stream:
            with client.responses.create(model=MODEL, input="q", stream=True) as events:
                final = next(e for e in events if e.type == "response.completed").response
        else:
            final = client.responses.create(model=MODEL, input="q")
        scrape = httpx.get(shim.url + "/metrics").text
        (line,) = read_lines(paths.state_dir() / "audit.jsonl")
    assert final.usage is not None and final.usage.input_tokens == 940
    assert final.usage.input_tokens_details.cached_tokens == 900
    assert line["stream"] is stream and line["tokens_exact"] is True
    assert (line["prompt_tokens"], line["response_tokens"]) == (940, 6)
    assert line["cache_read_tokens"] == 900
    assert line["cost_usd"] == pytest.approx((40 * 3.0 + 6 * 15.0 + 900 * 0.3) / 1e6)
    for name, labels, grew in (
        ("llm_tokens_total", {"type": "cache_read"}, 900),
        ("llm_tokens_total", {"type": "output"}, 6),
        ("llm_requests_total", {"status": "200"}, 1),
    ):
        after = sample(scrape, name, model=MODEL, **labels)
        assert after - sample(before, name, model=MODEL, **labels) == grew, name


def test_budget_refuses_in_the_responses_shape() -> None:
    plugins = {"budget": {"enabled": True, "daily_tokens": 10}, "metrics": OFF, "audit": OFF}
    with (
        mock_thread(format="anthropic") as url,
        shim_thread(url, plugins, formats="anthropic") as shim,
    ):
        with pytest.raises(openai.RateLimitError) as caught:
            _client(shim.url, shim.token).responses.create(
                model=MODEL, input="a long question " * 20, max_output_tokens=64
            )
        assert requests_seen(url) == []  # refused before any member was asked
    assert caught.value.status_code == 429 and "daily_tokens" in caught.value.message


def test_pii_in_responses_input_is_blocked() -> None:
    plugins = {"pii": {"enabled": True, "mode": "block"}, "metrics": OFF, "audit": OFF}
    with (
        mock_thread(format="anthropic") as url,
        shim_thread(url, plugins, formats="anthropic") as shim,
    ):
        client = _client(shim.url, shim.token)
        with pytest.raises(openai.BadRequestError) as caught:
            client.responses.create(
                model=MODEL,
                input=[
                    {"role": "user", "content": [{"type": "input_text", "text": "hi"}]},
                    {"type": "function_call_output", "call_id": "c1", "output": "bob@example.com"},
                ],
            )
        seen = requests_seen(url)
    assert seen == [] and "PII" in caught.value.message
