"""`bench --report`: the HTML page and the SVG picture, opened in real headless Chromium with
the network cut off. Two runs (one failing now and then) against two embedded mocks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from llmgw_cli.bench import runner
from llmgw_cli.bench.api import targets_for
from llmgw_cli.bench.stats import Slo
from llmgw_cli.bench.target import Options
from llmgw_cli.config.model import Auth, Models, Profile
from llmgw_cli.reports import bench_report
from llmgw_cli.reports.svg import colour
from tests.browser.chrome import Browser
from tests.helpers.mockserver import mock_thread

SECRET = "sk-test-0123456789abcdef"
HEADER_KEYS = ["date", "llmgw", "targets", "load", "SLO", "machine"]


@pytest.fixture(scope="module")
def result() -> Iterator[runner.Result]:
    with (
        mock_thread(ttft_ms=8, itl_ms=1, output_tokens=8) as fast,
        mock_thread(ttft_ms=25, itl_ms=3, output_tokens=8, fail_rate=0.15, seed=3) as slow,
    ):
        profiles = [
            (Profile(name="fast", endpoint=fast, auth=Auth(type="bearer"),
                     models=Models(default="claude-sonnet-4-5")), SECRET),
            (Profile(name="slow", endpoint=slow, auth=Auth(type="none"),
                     models=Models(default="claude-haiku-4-5")), None),
        ]  # fmt: skip
        options = Options(requests=30, concurrency=2, warmup=3)
        yield runner.run(targets_for(profiles, [], options), options, Slo(ttft_ms=20))


def _report(result: runner.Result, tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"r{suffix}"
    bench_report.save(result, path)
    text = path.read_text()
    assert SECRET not in text
    return path


def _only_the_file(requests: list[object], path: Path) -> None:
    urls = [getattr(r, "url", "") for r in requests]
    failed = [(r, getattr(r, "failed", None)) for r in requests if getattr(r, "failed", None)]
    assert urls == [path.as_uri()], urls  # nothing but the file itself was requested
    assert not failed


def test_html_report_renders_offline_with_a_legend_per_run(
    result: runner.Result, browser: Browser, tmp_path: Path
) -> None:
    path = _report(result, tmp_path, ".html")
    browser.offline()
    try:
        requests = browser.open(path.as_uri())
    finally:
        browser.offline(False)
    _only_the_file(requests, path)  # type: ignore[arg-type]
    page = browser.js("""
        const text = (sel, root=document) =>
          [...root.querySelectorAll(sel)].map(e => e.textContent.trim());
        const visible = [...document.querySelectorAll('svg.chart')]
          .filter(s => s.getBoundingClientRect().width > 0);
        return {
          keys: text('dl.facts dt'), values: text('dl.facts dd'),
          legend: text('ul.legend .legend-run'),
          legendColours: [...document.querySelectorAll('ul.legend .legend-run i')]
            .map(i => getComputedStyle(i).backgroundColor),
          charts: visible.map(s => ({
            title: s.querySelector('.chart-title').textContent,
            runs: text('.legend-entry.legend-run', s),
            axes: text('.axis-label', s),
            ticks: s.querySelectorAll('.tick').length,
            width: s.getBoundingClientRect().width,
          })),
          dots: visible.reduce((n, s) => n + s.querySelectorAll('circle').length, 0),
          crosses: document.querySelectorAll('path[stroke="#d62728"]').length,
          rows: [...document.querySelectorAll('table.summary tbody tr')]
            .map(r => r.cells[0].textContent),
        };
    """)
    assert page["keys"] == HEADER_KEYS
    facts = dict(zip(page["keys"], page["values"], strict=True))
    assert "UTC" in facts["date"] and facts["llmgw"]
    assert "fast: claude-sonnet-4-5 at http://127.0.0.1:" in facts["targets"]
    assert "closed loop, c=2, n=30 per run, warm-up 3" in facts["load"]
    assert "TTFT ≤ 20 ms" in facts["SLO"] and "goodput" in facts["SLO"]
    assert "CPUs" in facts["machine"]
    assert page["legend"] == ["fast", "slow"]
    assert page["legendColours"][0] != page["legendColours"][1]
    titles = [c["title"] for c in page["charts"]]
    for wanted in ("TTFT: time to first token", "E2E: end-to-end latency", "TTFT percentiles",
                   "E2E percentiles", "latency over time", "throughput and errors over time",
                   "inter-token latency distribution"):  # fmt: skip
        assert any(t.startswith(wanted) for t in titles), (wanted, titles)
    for chart in page["charts"]:
        assert chart["runs"] == ["fast", "slow"], chart
        assert chart["ticks"] >= 4 and chart["width"] > 300, chart
        units = [a for a in chart["axes"] if a]
        assert units and all("(" in a and ")" in a for a in units), chart
    measured = sum(r["ok"] for r in result.runs)
    assert page["dots"] >= measured  # every successful request is a point over time
    assert page["crosses"] == sum(r["requests"] - r["ok"] for r in result.runs) + sum(
        not s.ok for run in result.warmup for s in run
    )
    assert page["rows"] == ["fast", "slow"]


def test_html_log_switch_swaps_the_cdfs(
    result: runner.Result, browser: Browser, tmp_path: Path
) -> None:
    path = _report(result, tmp_path, ".html")
    browser.open(path.as_uri())
    shown = (
        "return [...document.querySelectorAll('svg.chart')]"
        ".filter(s => s.getBoundingClientRect().width > 0)"
        ".map(s => s.querySelector('.chart-title').textContent)"
    )
    before = browser.js(shown)
    browser.js("document.querySelector('label.toggle').click()")
    after = browser.js(shown)
    assert sum("log scale" in t for t in before) != sum("log scale" in t for t in after)
    assert len(before) == len(after)


def test_svg_report_is_a_picture_with_the_same_parts(
    result: runner.Result, browser: Browser, tmp_path: Path
) -> None:
    path = _report(result, tmp_path, ".svg")
    browser.offline()
    try:
        requests = browser.open(path.as_uri())
    finally:
        browser.offline(False)
    _only_the_file(requests, path)  # type: ignore[arg-type]
    svg = browser.js("""
        const root = document.documentElement;
        const text = (sel, r=root) =>
          [...r.querySelectorAll(sel)].map(e => e.textContent.trim());
        return {
          tag: root.tagName, width: root.getBoundingClientRect().width,
          facts: text('g.facts text'),
          top: text(':scope > g.legend .legend-run'),
          charts: [...root.querySelectorAll('svg.chart')].map(s => ({
            title: s.querySelector('.chart-title').textContent,
            runs: text('.legend-entry.legend-run', s), axes: text('.axis-label', s),
          })),
          swatches: [...root.querySelectorAll(':scope > g.legend rect')]
            .map(r => r.getAttribute('fill')),
        };
    """)
    assert svg["tag"] == "svg" and svg["width"] > 1000
    for key in HEADER_KEYS:
        assert key in svg["facts"]
    assert svg["top"] == ["fast", "slow"]
    assert svg["swatches"] == [colour(0), colour(1)]
    assert len(svg["charts"]) >= 7
    for chart in svg["charts"]:
        assert chart["runs"] == ["fast", "slow"], chart
        assert any("(ms)" in a or "(s" in a for a in chart["axes"]), chart
