"""bench reports the latencies the mock injects (TTFT 50 ms, ITL 10 ms, 20 tokens: e2e 240 ms).

The mock runs as its own process and bench as the CLI, as a user would run them. The
goals (benchmarks/bench_accuracy.py prints them exactly) are TTFT ±2, ITL ±1, e2e ±5 ms at
-c 4 and TTFT ±8, e2e ±12 ms at -c 32; the bounds here are 2.5× wider for a shared machine.
The mock never sends early, so the lower bounds are tight.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import run
from tests.helpers.mockserver import mock_process

TRUE = {"ttft_ms": 50.0, "itl_ms": 10.0, "e2e_ms": 240.0}
SLACK = 2.5


@pytest.mark.parametrize(
    ("c", "n", "goals"),
    [
        (4, 60, {"ttft_ms": 2.0, "itl_ms": 1.0, "e2e_ms": 5.0}),
        (32, 320, {"ttft_ms": 8.0, "e2e_ms": 12.0}),
    ],
)
def test_reported_p50s_match_the_injected_latencies(
    tmp_path: Path, c: int, n: int, goals: dict[str, float]
) -> None:
    with mock_process("--ttft-ms", "50", "--itl-ms", "10", "--output-tokens", "20") as mock:
        added = run(
            "profile", "add", "mock", "--endpoint", mock.url, "--auth", "none", "--model", "m"
        )
        assert added.returncode == 0, added.stderr
        out = tmp_path / "acc.json"
        done = run(
            "bench",
            "-p",
            "mock",
            "-n",
            str(n),
            "-c",
            str(c),
            "--warmup",
            str(c),
            "--json",
            str(out),
        )
    assert done.returncode == 0, done.stderr
    r = json.loads(out.read_text())["runs"][0]
    assert r["ok"] == n and r["output_tokens"] == 20 * n
    for key, goal in goals.items():
        p50 = r[key]["p50"]
        assert TRUE[key] - 0.5 <= p50 <= TRUE[key] + SLACK * goal, (key, p50)
    # TPOT of every request: (e2e - ttft) / 19 = 10 ms, since the mock does not drift.
    assert 9.5 <= r["tpot_ms"]["p50"] <= 10.0 + SLACK * 1.0
