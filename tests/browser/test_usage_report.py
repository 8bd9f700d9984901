"""`llmgw usage --report FILE.html`: a week of audit lines (written by the real audit plugin)
as charts, run as a user runs it and opened offline in headless Chromium."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

from llmgw_cli.shim.plugins.contract import Usage
from tests.browser.chrome import Browser
from tests.governance.conftest import write_audit_log

DAY = 86400.0
MODELS = ("claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1")


def audit_rows(now: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for day in range(6, -1, -1):
        for i in range(12):
            model = MODELS[i % 3]
            rows.append({
                "ts": now - day * DAY - 3600 - i * 60, "model": model,
                "user": ("alice", "bob", "carol")[i % 3 if day % 2 else (i + 1) % 3],
                "profile": "corp" if i % 4 else "local",
                "status": 529 if i == 11 and day == 2 else 200,
                "e2e_ms": 800.0 + 90 * i + 40 * day, "ttft_ms": 150.0 + 20 * i,
                "usage": Usage(400 + 50 * i, 900 + 30 * day, 2000 * (6 - day) * (i % 2), 300,
                               exact=True),
            })  # fmt: skip
    return rows


def test_usage_report_charts(browser: Browser, tmp_path: Path) -> None:
    write_audit_log(tmp_path / "state", audit_rows(time.time()))
    report = tmp_path / "usage.html"
    env = {**os.environ, "LLMGW_HOME": str(tmp_path)}
    res = subprocess.run(
        ["llmgw", "usage", "--since", "8d", "--report", str(report)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert f"wrote {report}" in res.stderr and "claude-sonnet-4-5" in res.stdout
    assert oct(report.stat().st_mode & 0o777) == "0o600"
    browser.offline()
    try:
        requests = browser.open(report.as_uri())
    finally:
        browser.offline(False)
    assert [r.url for r in requests] == [report.as_uri()] and not any(r.failed for r in requests)
    page = browser.js("""
        const text = (sel, r=document) =>
          [...r.querySelectorAll(sel)].map(e => e.textContent.trim());
        return {
          legend: text('ul.legend .legend-entry'),
          charts: [...document.querySelectorAll('svg.chart')].map(s => ({
            title: s.querySelector('.chart-title').textContent,
            axes: text('.axis-label', s).filter(a => a),
            bars: s.querySelectorAll('rect.bar').length,
            ticks: text('.axis.x .tick', s),
          })),
          rows: text('table.summary tbody tr td:first-child'),
        };
    """)
    assert sorted(page["legend"]) == sorted(MODELS)
    titles = [c["title"] for c in page["charts"]]
    assert titles[:6] == [
        "cost per day, by model", "tokens per day, by model", "cost by user, by model",
        "tokens by user, by model", "cost by profile, by model", "tokens by profile, by model",
    ]  # fmt: skip
    assert any(t.startswith("cache hits") for t in titles)
    assert "E2E percentiles per profile" in titles and "TTFT percentiles per profile" in titles
    charts = {c["title"]: c for c in page["charts"]}
    per_day = charts["cost per day, by model"]
    assert len([t for t in per_day["ticks"] if t]) == 7 and per_day["bars"] == 7 * 3
    assert sorted(charts["cost by user, by model"]["ticks"]) == ["alice", "bob", "carol"]
    assert charts["E2E percentiles per profile"]["ticks"] == ["corp", "local"]
    for chart in page["charts"]:
        assert chart["axes"] and all("(" in a for a in chart["axes"]), chart
    assert sorted(page["rows"]) == sorted(MODELS)
