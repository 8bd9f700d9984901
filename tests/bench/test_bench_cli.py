"""`llmgw bench` as a user runs it: profiles side by side, models, errors, SLOs, files, exits."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from tests.helpers.cli import run
from tests.helpers.mockserver import mock_process, mock_thread

MODEL = "claude-sonnet-4-5"


def add_profile(name: str, url: str, *extra: str) -> None:
    done = run(
        "profile", "add", name, "--endpoint", url, "--auth", "none", "--model", MODEL, *extra
    )
    assert done.returncode == 0, done.stderr


def bench_json(tmp_path: Path, *args: str, code: int = 0) -> tuple[dict[str, Any], str, str]:
    out = tmp_path / "bench.json"
    done = run("bench", *args, "--json", str(out))
    assert done.returncode == code, done.stderr
    return json.loads(out.read_text()), done.stdout, done.stderr


def test_two_profiles_side_by_side_with_their_ratio(tmp_path: Path) -> None:
    with (
        mock_thread(ttft_ms=20, output_tokens=5) as fast,
        mock_thread(ttft_ms=60, output_tokens=5) as slow,
    ):
        add_profile("fast", fast)
        add_profile("slow", slow)
        doc, table, _ = bench_json(
            tmp_path, "--profile", "fast", "--profile", "slow", "-n", "12", "-c", "2"
        )
    assert doc["version"] == 1 and "ttft_ms" in doc["definitions"]
    fast_run, slow_run = doc["runs"]
    assert (fast_run["profile"], slow_run["profile"]) == ("fast", "slow")
    for r in doc["runs"]:
        assert r["model"] == MODEL and r["requests"] == 12 and r["ok"] == 12
        assert set(r["ttft_ms"]) == {"mean", "min", "p50", "p90", "p95", "p99", "max"}
        assert set(r["phases_ms"]) == {"dns", "tcp", "tls"}
        for key in ("e2e_ms", "itl_ms", "tpot_ms", "request_throughput", "output_tokens_per_s"):
            assert r[key] is not None
    ratio = slow_run["ttft_ms"]["p50"] / fast_run["ttft_ms"]["p50"]
    assert 1.8 < ratio < 3.5  # 60 / 20 = 3, less the overhead (and machine noise) both carry
    assert "p50 vs fast" in table
    lines = table.splitlines()
    ttft = next(i for i, line in enumerate(lines) if line.startswith("│ TTFT"))
    assert "fast" in lines[ttft] and lines[ttft].rstrip(" │").endswith("1.00×")
    assert "slow" in lines[ttft + 1]
    shown = float(lines[ttft + 1].rstrip(" │").rsplit(" ", 1)[-1].rstrip("×"))
    assert abs(shown - ratio) < 0.02


def test_two_models_on_one_profile(tmp_path: Path) -> None:
    with mock_thread(output_tokens=3) as url:
        add_profile("m", url)
        doc, table, _ = bench_json(
            tmp_path, "-p", "m", "--model", "claude-haiku-4-5", "--model", MODEL, "-n", "4"
        )
    assert [(r["profile"], r["model"]) for r in doc["runs"]] == [
        ("m", "claude-haiku-4-5"),
        ("m", MODEL),
    ]
    assert "m/claude-haiku-4-5" in table and f"m/{MODEL}" in table


def test_about_a_fifth_fail_and_the_run_completes(tmp_path: Path) -> None:
    with mock_thread(fail_rate=0.2, seed=3, output_tokens=2) as url:
        add_profile("flaky", url)
        doc, table, _ = bench_json(tmp_path, "-p", "flaky", "-n", "200", "-c", "8")
    r = doc["runs"][0]
    assert r["requests"] == 200 and set(r["errors"]) == {"503"}
    assert 20 <= r["errors"]["503"] <= 60  # 20 % of 200 = 40, binomial spread
    assert r["ok"] + r["errors"]["503"] == 200
    assert "503×" in table
    assert "flaky 503:" in table and "503" in r["error_examples"]  # what the gateway said


def test_unreachable_endpoint_is_a_clear_error_and_exit_1() -> None:
    add_profile("down", "http://127.0.0.1:9")  # discard port: nothing listens
    done = run("bench", "-p", "down", "-n", "5")
    assert done.returncode == 1
    assert "cannot reach down at http://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_slo_decides_the_exit_status(tmp_path: Path) -> None:
    with mock_thread(ttft_ms=20, output_tokens=3) as url:
        add_profile("s", url)
        missed, _, err = bench_json(tmp_path, "-p", "s", "-n", "5", "--slo", "ttft=5", code=1)
        met, _, _ = bench_json(tmp_path, "-p", "s", "-n", "5", "--slo", "ttft=5000,e2e=10000")
    assert "SLO missed" in err
    assert (
        missed["runs"][0]["goodput"]["passed"] is False
        and missed["runs"][0]["goodput"]["good"] == 0
    )
    good = met["runs"][0]["goodput"]
    assert good["passed"] is True and good["fraction"] == 1.0 and good["slo"]["ttft_ms"] == 5000
    assert met["config"]["slo"] == {"ttft_ms": 5000.0, "e2e_ms": 10000.0, "p": 99.0}


def test_json_to_stdout_csv_and_reports(tmp_path: Path) -> None:
    with mock_thread(output_tokens=4, itl_ms=1) as url:
        add_profile("f", url)
        files = [tmp_path / "r.csv", tmp_path / "r.svg", tmp_path / "r.html"]
        done = run("bench", "-p", "f", "-n", "6", "--json", "-", "--csv", str(files[0]),
                   "--report", str(files[1]))  # fmt: skip
        html = run("bench", "-p", "f", "-n", "2", "--report", str(files[2]))
    assert done.returncode == 0 and html.returncode == 0, done.stderr + html.stderr
    doc = json.loads(done.stdout)  # stdout is the JSON and nothing else
    assert doc["runs"][0]["requests"] == 6
    assert "latency (ms)" in done.stderr  # the table went to stderr
    rows = list(csv.DictReader(files[0].open()))
    assert len(rows) == 6 and rows[0]["profile"] == "f" and rows[0]["ok"] == "1"
    assert len(rows[0]["itl_ms"].split()) == 3 and float(rows[0]["ttft_ms"]) > 0
    assert files[1].read_text().startswith("<svg") and "TTFT" in files[1].read_text()
    assert "<html" in files[2].read_text() and "TTFT" in files[2].read_text()


def test_a_local_target_process_is_measured(tmp_path: Path) -> None:
    with mock_process("--output-tokens", "3") as mock:
        add_profile("local", mock.url)
        doc, table, _ = bench_json(tmp_path, "-p", "local", "-n", "20", "-c", "2")
    res = doc["runs"][0]["resources"]
    assert res["target"]["pid"] == mock.proc.pid
    assert res["target"]["cpu_s"] >= 0 and res["target"]["peak_rss_mb"] > 10
    assert res["bench"]["peak_rss_mb"] > 10 and res["bench"]["cpu_percent"] is not None
    assert "target process" in table


def test_usage_errors_exit_2() -> None:
    with mock_thread() as url:
        add_profile("u", url)
        for args in (
            ["-n", "3", "--duration", "1"],
            ["-c", "2", "--rate", "5"],
            ["--slo", "ttft=fast"],
            ["--report", "out.png"],
            ["--prompt", "a", "--prompt-file", "b"],
            ["-n", "0"],
            ["--no-stream", "--slo", "ttft=100"],
        ):
            done = run("bench", "-p", "u", *args)
            assert done.returncode == 2, (args, done.stderr)
            assert "error" in done.stderr.lower()
    assert run("bench", "-p", "nosuch").returncode == 2
