"""Rows 12 and 13 of issue 13: no core file can hold the secrets; usage files are 0600.

A real `llmgw shim start`, started with core dumps allowed (RLIMIT_CORE unlimited in the
parent), runs with RLIMIT_CORE 0 (read from /proc/PID/limits); the files it writes that may
hold usage or secrets (state file, audit log, budget database at a custom path) are 0600.
"""

from __future__ import annotations

import json
import resource
import stat
import sys
from pathlib import Path

import httpx
import pytest

from tests.gates.kit import Upstream, auth, message, shim_process, write_profile


def _core_limit(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            return line.split()[4]
    raise AssertionError("no core limit line")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_shim_runs_with_no_core_dumps_and_0600_files(
    llmgw_home: Path, upstream: Upstream, tmp_path: Path
) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    if hard == 0:
        pytest.skip("core dumps are off for this whole session: nothing to prove")
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))  # the child inherits dumps allowed
    try:
        write_profile(llmgw_home, "gw", upstream.url)
        db, log = tmp_path / "elsewhere" / "spend.db", tmp_path / "logs" / "audit.jsonl"
        cfg = llmgw_home / "shim.yaml"
        cfg.write_text(
            "chain: [gw]\nplugins:\n"
            f"  audit: {{enabled: true, path: '{log}'}}\n"
            f"  budget: {{enabled: true, daily_tokens: 100000, path: '{db}'}}\n"
        )
        with shim_process(llmgw_home, ["--config", str(cfg)]) as shim:
            state = llmgw_home / "run" / "shim.json"
            pid = json.loads(state.read_text())["pid"]
            assert _core_limit(pid) == "0"
            r = httpx.post(shim.url + "/v1/messages", json=message(), headers=auth(shim.token))
            assert r.status_code == 200
            for f in (state, db, log):
                assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
            for side in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
                if side.exists():
                    assert stat.S_IMODE(side.stat().st_mode) == 0o600, side
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))
