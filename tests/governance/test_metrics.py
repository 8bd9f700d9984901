"""Metrics: the exposition passes `promtool check metrics`; counters move; labels stay bounded."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.metrics import MetricsPlugin
from llmgw_cli.shim.plugins.specs import build_plugins
from llmgw_cli.wire.usage import Usage

from .conftest import anthropic_body, make_exchange


def fresh(tmp_path: Path, **cfg: int) -> MetricsPlugin:
    return MetricsPlugin({"enabled": True, **cfg}, tmp_path, PriceTable(), fresh=True)


def sample(text: bytes, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text.decode()):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


def serve(plugin: MetricsPlugin, user: str = "alice", status: int = 200) -> None:
    async def one() -> None:
        ex = make_exchange(anthropic_body("hi"), headers={"X-User-ID": user}, status=None)
        await plugin.on_request(ex)
        ex.status, ex.e2e_ms, ex.ttft_ms, ex.overhead_ms = status, 900.0, 250.0, 0.3
        ex.usage = Usage(10, 20, 300, 40, exact=True)
        await plugin.on_complete(ex)

    asyncio.run(one())


def test_counters_move(tmp_path: Path) -> None:
    plugin = fresh(tmp_path)
    before, _ = plugin.render_metrics()
    assert sample(before, "llm_requests_total") == 0
    for _ in range(3):
        serve(plugin)
    serve(plugin, status=529)
    body, content_type = plugin.render_metrics()
    assert content_type.startswith("text/plain")
    m = "claude-sonnet-4-5"
    assert sample(body, "llm_requests_total", model=m, status="200", user="alice") == 3
    assert sample(body, "llm_requests_total", model=m, status="529", user="alice") == 1
    assert sample(body, "llm_tokens_total", model=m, type="cache_read") == 1200
    assert sample(body, "llm_request_duration_seconds_count", model=m) == 4
    assert sample(body, "llm_ttft_seconds_bucket", model=m, le="0.35") == 4
    assert sample(body, "llmgw_overhead_seconds_bucket", le="0.0005") == 4
    assert sample(body, "llm_active_requests") == 0
    assert sample(body, "llm_cost_usd_total", model=m) > 0


def test_active_gauge_tracks_in_flight(tmp_path: Path) -> None:
    plugin = fresh(tmp_path)
    ex = make_exchange(anthropic_body("hi"))
    asyncio.run(plugin.on_request(ex))
    assert sample(plugin.render_metrics()[0], "llm_active_requests") == 1
    asyncio.run(plugin.on_complete(ex))
    asyncio.run(plugin.on_complete(make_exchange(anthropic_body("hi"))))  # rejected before it
    assert sample(plugin.render_metrics()[0], "llm_active_requests") == 0


def test_user_label_is_capped(tmp_path: Path) -> None:
    plugin = fresh(tmp_path, max_users=5)
    for i in range(20):
        serve(plugin, user=f"user{i}")
    body = plugin.render_metrics()[0]
    users = {
        s.labels["user"]
        for f in text_string_to_metric_families(body.decode())
        for s in f.samples
        if s.name == "llm_requests_total"
    }
    assert len(users) == 6 and "other" in users
    assert sample(body, "llm_requests_total", user="other") == 15


def test_member_state_and_health_gauges(tmp_path: Path) -> None:
    plugin = fresh(tmp_path)
    plugin.set_member_state("corp", "open")
    plugin.set_upstream_up("corp", False)
    plugin.set_member_state("corp", "half_open")
    body = plugin.render_metrics()[0]
    assert sample(body, "llmgw_breaker_state", member="corp", state="half_open") == 1
    assert sample(body, "llmgw_breaker_state", member="corp", state="open") == 0
    assert sample(body, "llmgw_upstream_up", member="corp") == 0


def test_registry_survives_a_rebuild(tmp_path: Path) -> None:
    first = build_plugins({"audit": {"enabled": False}}, tmp_path)
    assert [p.name for p in first] == ["metrics"]
    serve(first[0])  # type: ignore[arg-type]
    second = build_plugins({"audit": {"enabled": False}}, tmp_path)
    body = second[0].render_metrics()[0]  # type: ignore[attr-defined]
    assert sample(body, "llm_requests_total", user="alice") >= 1


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool (Debian package prometheus) not installed"
)
def test_promtool_accepts_the_exposition(tmp_path: Path) -> None:
    plugin = fresh(tmp_path)
    for i in range(3):
        serve(plugin, user=f"u{i}")
    plugin.set_member_state("corp", "closed")
    plugin.set_upstream_up("corp", True)
    body = plugin.render_metrics()[0]
    result = subprocess.run(
        ["promtool", "check", "metrics"], input=body, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert result.stdout.strip() == b"" and result.stderr.strip() == b"", result.stderr
