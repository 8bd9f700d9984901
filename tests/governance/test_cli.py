"""`llmgw tokens`, `llmgw usage` and `llmgw statusline` as a user runs them (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from llmgw_cli import tokens
from llmgw_cli.wire.usage import Usage

from .conftest import write_audit_log

DAY = 86400.0


def llmgw(
    *args: str, stdin: str | None = None, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env["LLMGW_HOME"] = str(home)
    return subprocess.run(
        ["llmgw", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def test_tokens_counts_a_file(tmp_path: Path) -> None:
    text = "The quick brown fox jumps over the lazy dog.\n" * 100
    (tmp_path / "p.txt").write_text(text)
    res = llmgw("tokens", str(tmp_path / "p.txt"), "--model", "gpt-4o", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["tokens"] == tokens.count_text(text, "gpt-4o").tokens
    assert data["exact"] is True and data["encoding"] == "o200k_base"
    assert data["cost_usd"]["input"] == pytest.approx(data["tokens"] * 2.5 / 1e6, abs=1e-6)


def test_tokens_reads_a_request_body_from_stdin() -> None:
    body = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 2000,
        "system": "be brief",
        "messages": [{"role": "user", "content": "hello " * 300}],
    }
    res = llmgw("tokens", "-", "--json", stdin=json.dumps(body))
    data = json.loads(res.stdout)
    assert data["kind"] == "request" and data["model"] == "claude-sonnet-4-5"
    assert data["exact"] is False and data["max_output_tokens"] == 2000
    assert data["tokens"] == tokens.estimate_request(body).tokens
    assert data["cost_usd"]["max_total"] == pytest.approx(
        (data["tokens"] * 3 + 2000 * 15) / 1e6, abs=1e-6
    )
    table = llmgw("tokens", stdin=json.dumps(body))
    assert "estimate" in table.stdout and "claude-sonnet-4-5" in table.stdout


def test_tokens_errors() -> None:
    res = llmgw("tokens", "/nonexistent/prompt.txt")
    assert (
        res.returncode == 2
        and "cannot read /nonexistent/prompt.txt" in res.stderr
        and not res.stdout
    )


def midday(days_ago: int) -> float:
    now = datetime.now(timezone.utc)
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0).timestamp()
    return noon - days_ago * DAY


@pytest.fixture
def audit_home(tmp_path: Path) -> Path:
    now = time.time()
    rows: list[dict[str, Any]] = []
    for day in (3, 2, 1):  # 10 requests a day, 1 failing, at noon UTC a few days back
        for i in range(10):
            rows.append(
                {
                    "ts": midday(day) + i,
                    "user": "alice" if i % 2 else "bob",
                    "profile": "corp",
                    "status": 503 if i == 0 else 200,
                    "e2e_ms": 1000.0 + i * 100,
                    "ttft_ms": 200.0 + i * 10,
                    "usage": Usage(100, 1000, 0, 0, exact=True) if i else Usage(),
                }
            )
    for i in range(4):  # today, a minute apart, the last one just now
        rows.append(
            {
                "ts": max(now - (3 - i) * 60, midday(0) - 12 * 3600 + i),  # today, even at 00:01
                "profile": "edge",
                "model": "claude-haiku-4-5",
                "ttft_ms": 100.0 * (i + 1),
                "usage": Usage(1000, 2000, 50_000, 4000, exact=True),
            }
        )
    # Rotation on: the history spreads over several files, all of which are read.
    write_audit_log(tmp_path / "state", rows, max_bytes=4000, backups=20)
    assert len(list((tmp_path / "state").glob("audit.jsonl.*"))) >= 3
    return tmp_path


def test_usage_by_model_from_rotated_logs(audit_home: Path) -> None:
    res = llmgw("usage", "--since", "5d", "--json", home=audit_home)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["total"]["requests"] == 34 and data["total"]["errors"] == 3
    rows = {r["key"]: r for r in data["rows"]}
    sonnet, haiku = rows["claude-sonnet-4-5"], rows["claude-haiku-4-5"]
    # 27 answered sonnet requests of 100 in + 1,000 out at $3/$15 per million = $0.4131
    assert sonnet["cost_usd"] == pytest.approx(27 * (100 * 3 + 1000 * 15) / 1e6)
    assert sonnet["tokens"]["total"] == 27 * 1100
    # haiku: 1000 in + 2000 out + 50,000 cache read + 4,000 cache write at $1/$5/$0.10/$1.25
    assert haiku["cost_usd"] == pytest.approx(
        4 * (1000 * 1 + 2000 * 5 + 50_000 * 0.1 + 4000 * 1.25) / 1e6
    )
    assert haiku["tokens"]["cache_read"] == 200_000
    assert sonnet["p50_latency_ms"] == 1450.0  # median of 1000..1900 ms, three days alike
    assert len(data["days"]) == 4


def test_usage_since_and_grouping(audit_home: Path) -> None:
    data = json.loads(
        llmgw("usage", "--since", "36h", "--by", "user", "--json", home=audit_home).stdout
    )
    assert data["total"]["requests"] == 14  # yesterday's ten and today's four
    assert {r["key"] for r in data["rows"]} == {"alice", "bob"}
    by_day = json.loads(
        llmgw("usage", "--since", "30d", "--by", "day", "--json", home=audit_home).stdout
    )
    assert [r["requests"] for r in by_day["rows"]] == [10, 10, 10, 4]
    by_profile = json.loads(
        llmgw("usage", "--since", "30d", "--by", "profile", "--json", home=audit_home).stdout
    )
    assert {r["key"]: r["requests"] for r in by_profile["rows"]} == {"corp": 30, "edge": 4}


def test_usage_table_and_chart(audit_home: Path) -> None:
    res = llmgw("usage", "--since", "7d", home=audit_home)
    assert res.returncode == 0
    assert "claude-sonnet-4-5" in res.stdout and "per day (cost)" in res.stdout
    assert res.stdout.count("█") > 40
    bad = llmgw("usage", "--since", "yesterday", home=audit_home)
    assert bad.returncode == 2 and "--since" in bad.stderr and not bad.stdout
    assert llmgw("usage", "--by", "colour", home=audit_home).returncode == 2


def test_usage_with_no_log(tmp_path: Path) -> None:
    res = llmgw("usage", "--json", home=tmp_path)
    assert res.returncode == 0 and json.loads(res.stdout)["total"]["requests"] == 0


def test_statusline_today(audit_home: Path) -> None:
    session = {
        "session_id": "s",
        "workspace": {"current_dir": str(audit_home)},
        "model": {"id": "x"},
    }
    (audit_home / ".llmgw-profile").write_text("edge\n")
    res = llmgw("statusline", stdin=json.dumps(session), home=audit_home)
    assert res.returncode == 0, res.stderr
    # today: four haiku requests at $0.021 each; TTFT p50 of 100..400 ms is 250 ms
    # today's cache reads over its prompt tokens (the audit lines' cache_read_tokens)
    assert res.stdout == "edge · TTFT p50 250 ms · today $0.08 (4 req) · cache 91%\n"


def test_statusline_shows_the_figures_of_the_profile_it_names(audit_home: Path) -> None:
    session = {"workspace": {"current_dir": str(audit_home)}}
    (audit_home / ".llmgw-profile").write_text("corp\n")  # corp sent nothing today; edge did
    res = llmgw("statusline", stdin=json.dumps(session), home=audit_home)
    assert res.stdout == "corp · TTFT - · today $0.00 (0 req)\n"


def test_usage_prints_human_dates(audit_home: Path) -> None:
    res = llmgw("usage", "--since", "2026-11-01", home=audit_home)
    assert "since Sun 1 Nov 2026, 00:00 UTC" in res.stdout
    day = datetime.fromtimestamp(midday(1), tz=timezone.utc)
    assert f"{day:%a} {day.day:>2} {day:%b %Y}  █" in res.stdout
    assert "T00:00:00" not in res.stdout


def test_statusline_without_stdin_or_log(tmp_path: Path) -> None:
    res = llmgw("statusline", home=tmp_path)
    assert res.returncode == 0 and res.stdout == "llmgw · TTFT - · today $0.00 (0 req)\n"


def test_statusline_takes_the_fast_path(tmp_path: Path) -> None:
    # Claude Code runs it on every status refresh: no typer, click or rich at start-up.
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "llmgw_cli", "statusline"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "LLMGW_HOME": str(tmp_path)},
        timeout=120,
    )
    assert res.returncode == 0 and res.stdout.startswith("llmgw · ")
    imported = {line.split("|")[-1].strip() for line in res.stderr.splitlines() if "|" in line}
    assert "llmgw_cli.statusline" in imported
    assert not imported & {"typer", "click", "rich", "llmgw_cli.cli.app", "tiktoken", "aiohttp"}


def test_statusline_help_still_goes_to_typer(tmp_path: Path) -> None:
    res = llmgw("statusline", "--help", home=tmp_path)
    assert res.returncode == 0 and "status line" in res.stdout
