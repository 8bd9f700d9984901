"""Breaker states and member figures where users look: /health, /_llmgw/status, /metrics."""

from __future__ import annotations

import re

import httpx

from tests.helpers.mockserver import mock_thread
from tests.shim.conftest import save_profile
from tests.shim.resilience.conftest import BODY, chain_shim, post
from tests.shim.test_shim_faults import closed_port

CONFIG = """
chain: [gone, here]
retry: {attempts: 2, backoff_ms: 1, max_backoff_ms: 5}
breaker: {failures: 3, window_s: 30, cooldown_s: 300}
plugins:
  audit: {enabled: false}
  metrics: {enabled: true}
"""


def _gauge(text: str, member: str, state: str) -> float:
    m = re.search(
        rf'^llmgw_breaker_state\{{member="{member}",state="{state}"\}} (\S+)$', text, re.M
    )
    assert m, f"no breaker gauge for {member}/{state}"
    return float(m.group(1))


def test_states_and_figures_in_health_status_and_metrics() -> None:
    with mock_thread(ttft_ms=5, output_tokens=7) as here:
        save_profile("gone", f"http://127.0.0.1:{closed_port()}")
        save_profile("here", here)
        with chain_shim(CONFIG) as shim:
            metrics = httpx.get(shim.url + "/metrics").text
            assert _gauge(metrics, "gone", "closed") == 1.0  # reported at start
            for _ in range(4):
                assert post(shim).status_code == 200
            with httpx.stream(
                "POST",
                shim.url + "/v1/messages",
                json={**BODY, "stream": True},
                headers={"x-api-key": shim.token},
            ) as r:
                r.read()
            health = httpx.get(shim.url + "/health").json()
            assert health["order"] == "static"
            by_name = {m["name"]: m for m in health["members"]}
            gone, ok = by_name["gone"], by_name["here"]
            assert gone["state"] == "open" and gone["reachable"] is False
            assert gone["requests"] == 1 and gone["errors"] == 1
            assert "Connection refused" in gone["last_error"]
            assert ok["state"] == "closed" and ok["requests"] == 5 and ok["errors"] == 0
            assert ok["output_tokens"] == 5 * 7 and ok["input_tokens"] > 0
            assert ok["p50_ttft_ms"] is not None and ok["p50_ttft_ms"] >= 5
            assert ok["error_rate"] == 0.0

            metrics = httpx.get(shim.url + "/metrics").text
            assert _gauge(metrics, "gone", "open") == 1.0
            assert _gauge(metrics, "gone", "closed") == 0.0
            assert _gauge(metrics, "here", "closed") == 1.0

            assert httpx.get(shim.url + "/_llmgw/status").status_code == 401
            status = httpx.get(
                shim.url + "/_llmgw/status", headers={"Authorization": f"Bearer {shim.token}"}
            )
            assert status.status_code == 200
            assert [m["state"] for m in status.json()["members"]] == ["open", "closed"]
            nope = httpx.get(shim.url + "/_llmgw/nope", headers={"x-api-key": shim.token})
            assert nope.status_code == 404
