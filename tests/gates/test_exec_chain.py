"""Row 4 of issue 13: `llmgw exec --shim` strips every chain member's secret variable.

A real `llmgw shim start --chain a,b` whose members read ``env:GATES_KEY_A`` and
``env:GATES_KEY_B``; the user's shell holds both; the child of `exec --shim -- env` sees the
shim's URL and local token and neither key.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.gates.kit import (
    KEY_A,
    KEY_B,
    VAR_A,
    VAR_B,
    Upstream,
    secrets_env,
    shim_process,
    write_profile,
)
from tests.helpers.cli import LLMGW, env_with


def test_exec_shim_child_has_no_member_secret(llmgw_home: Path, upstream: Upstream) -> None:
    write_profile(llmgw_home, "a", upstream.url, VAR_A)
    write_profile(llmgw_home, "b", upstream.url, VAR_B, auth="x-api-key")
    with shim_process(llmgw_home, ["--chain", "a,b"]) as shim:
        for selected in ("a", "b"):
            proc = subprocess.run(
                [LLMGW, "exec", "--profile", selected, "--shim", "--", "env"],
                capture_output=True,
                text=True,
                timeout=60,
                env=env_with({"LLMGW_HOME": str(llmgw_home), **secrets_env()}),
            )
            assert proc.returncode == 0, proc.stderr
            env = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
            if selected == "a":  # the running shim's chain: neither member's variable
                assert VAR_A not in env and VAR_B not in env
            else:  # b is not the shim's first member: a private shim for b alone
                assert VAR_B not in env
            assert KEY_B not in proc.stdout
            if selected == "a":
                assert KEY_A not in proc.stdout
            if selected == "a":
                assert shim.token in env.values()  # the child got the local token instead
