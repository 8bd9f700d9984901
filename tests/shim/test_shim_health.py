"""`/health` (liveness plus cached upstream reachability) and `/metrics` routing."""

from __future__ import annotations

import time

import httpx

from tests.helpers.mockserver import mock_thread
from tests.shim.conftest import save_profile, shim_for
from tests.shim.test_shim_faults import closed_port


def _wait_reachability(url: str, name: str) -> bool | None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        members = {m["name"]: m for m in httpx.get(url + "/health").json()["members"]}
        if members[name]["reachable"] is not None:
            return bool(members[name]["reachable"])
        time.sleep(0.05)
    return None


def test_health_probes_members_no_request_has_reached_yet() -> None:
    with mock_thread() as url:
        save_profile("up", url)
        save_profile("down", f"http://127.0.0.1:{closed_port()}")
        with shim_for("up", "down") as shim:
            first = httpx.get(shim.url + "/health").json()
            assert first["members"][0]["reachable"] is None  # answered at once, probe behind
            assert _wait_reachability(shim.url, "up") is True
            assert _wait_reachability(shim.url, "down") is False
            health = httpx.get(shim.url + "/health").json()
    down = next(m for m in health["members"] if m["name"] == "down")
    assert "Connection refused" in down["last_error"]
    assert health["status"] == "ok"  # one member is reachable
    assert health["requests"] == 0  # probes are not requests


def test_metrics_route_delegates_to_the_metrics_plugin() -> None:
    with mock_thread() as url:
        save_profile("m", url)
        with shim_for("m", plugin_config={"metrics": {"enabled": True}}) as shim:
            httpx.post(
                shim.url + "/v1/messages",
                json={"model": "claude-sonnet-4-5", "max_tokens": 5, "messages": []},
                headers={"x-api-key": shim.token},
            )
            metrics = httpx.get(shim.url + "/metrics")
        with shim_for("m") as shim:
            off = httpx.get(shim.url + "/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "llm_requests_total" in metrics.text
    assert off.status_code == 404 and "plugins.metrics" in off.json()["error"]["message"]
