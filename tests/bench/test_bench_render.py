"""The Python entry point `llmgw demo` uses, and the rendered report."""

from __future__ import annotations

import io

from rich.console import Console

from llmgw_cli.bench import api
from llmgw_cli.bench.target import Options, build, label_targets
from llmgw_cli.cli import render_bench as render
from llmgw_cli.config.model import Auth, Profile
from tests.helpers.mockserver import mock_thread


def test_quick_bench_and_render() -> None:
    with mock_thread(ttft_ms=5, itl_ms=1, output_tokens=4) as url:
        result = api.quick(url, requests=8, concurrency=2)
    r = result.runs[0]
    assert (r["label"], r["ok"], r["model"]) == ("mock", 8, "claude-sonnet-4-5")
    assert r["ttft_ms"]["min"] >= 5.0
    console = Console(file=io.StringIO(), width=120, color_system=None)
    render.render(result, console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    for word in (
        "latency (ms)",
        "TTFT",
        "ITL",
        "TPOT",
        "E2E",
        "runs",
        "TTFT histogram",
        "E2E histogram",
    ):
        assert word in text
    assert "vs" not in text.splitlines()[2]  # one run: no ratio column
    assert not result.failures()


def test_the_same_run_twice_gets_distinct_labels() -> None:
    profile = Profile(name="p", endpoint="http://127.0.0.1:1", auth=Auth(type="none"))
    options = Options()
    targets = [build(profile, "a", None, options), build(profile, "b", None, options),
               build(profile, "a", None, options)]  # fmt: skip
    label_targets(targets)
    assert [t.label for t in targets] == ["p/a", "p/b", "p/a#2"]
