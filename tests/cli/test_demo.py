"""`llmgw demo` on a fresh home with no keychain and no network: the whole tour, exit 0."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from tests.helpers.mockserver import llmgw_command


def test_demo_tours_every_verb_offline(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LLMGW_HOME": str(tmp_path / "home"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # no keychain
        "HTTPS_PROXY": "http://127.0.0.1:9",  # any attempt to leave the machine would fail
        "NO_PROXY": "127.0.0.1,localhost",
        "COLUMNS": "120",
    }
    env.pop("LLMGW_DEMO_KEY", None)
    done = subprocess.run(
        [*llmgw_command(), "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "HTTP 200 from claude-sonnet-4-5" in out
    assert 'eval "$(llmgw env --profile demo)"' in out
    assert "ANTHROPIC_BASE_URL=http://127.0.0.1:" in out
    assert "ANTHROPIC_AUTH_TOKEN=…" in out  # masked
    assert "14 ok" in out or " ok, " in out  # the doctor summary line
    assert "HTTP 200 via shim" in out
    assert "nothing left running" in done.stderr
    profile = yaml.safe_load((tmp_path / "home" / "config" / "profiles" / "demo.yaml").read_text())
    assert profile["auth"] == {"type": "bearer", "secret": "env:LLMGW_DEMO_KEY"}
    # The demo key was generated for this run and printed nowhere in full.
    assert "demo-" not in out.replace("--profile demo", "").replace("profile demo", "")
