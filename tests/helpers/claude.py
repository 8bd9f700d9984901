"""Find or install real Claude Code (pinned) for end-to-end tests.

Order: $LLMGW_CLAUDE_BIN, the repo's ignored cache (.cache/npm), else `npm install` into
that cache when npm exists. Absent npm, tests that need Claude Code are skipped; `.ci/run`
makes sure npm is there so they run in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

VERSION = "2.1.328"
REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache" / "npm"
BIN = CACHE / "node_modules" / ".bin" / "claude"


def _version_ok(path: Path) -> bool:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and VERSION in out.stdout


def find_or_install() -> Path | None:
    env = os.environ.get("LLMGW_CLAUDE_BIN")
    if env and Path(env).is_file():
        return Path(env)
    if BIN.is_file() and _version_ok(BIN):
        return BIN
    npm = shutil.which("npm")
    if npm is None:
        return None
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(CACHE),
            f"@anthropic-ai/claude-code@{VERSION}",
        ],
        check=True,
        capture_output=True,
        timeout=900,
    )
    return BIN if BIN.is_file() else None


def claude_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment for a non-interactive `claude -p` run with a throwaway HOME."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "CLAUDE_", "OPENAI_"))
    }
    env.update(
        {
            "HOME": str(home),
            "CLAUDE_CONFIG_DIR": str(home / ".claude"),
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
            "NO_COLOR": "1",
        }
    )
    env.update(extra or {})
    return env


def run_claude(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a non-interactive Claude Code command (``claude -p ...`` or a wrapper around it)."""
    return subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL
    )
