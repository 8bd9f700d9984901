"""Find real Codex CLI (pinned, @openai/codex 0.171) for end-to-end tests.

Order: $LLMGW_CODEX_BIN, the repo's ignored cache (.cache/npm, where `.ci/run` installs it),
then the main checkout's cache (worktrees share it). Absent all, the tests that need Codex
are skipped, naming what to install.
"""

from __future__ import annotations

import os
from pathlib import Path

VERSION = "0.171.0"
REPO = Path(__file__).resolve().parents[2]
CANDIDATES = (
    REPO / ".cache" / "npm" / "node_modules" / ".bin" / "codex",
    Path("/work/main/.cache/npm/node_modules/.bin/codex"),
)
MISSING = (
    f"Codex CLI is not installed: `npm install --prefix .cache/npm @openai/codex@{VERSION}` "
    "(or set LLMGW_CODEX_BIN)"
)


def find() -> Path | None:
    env = os.environ.get("LLMGW_CODEX_BIN")
    if env and Path(env).is_file():
        return Path(env)
    return next((p for p in CANDIDATES if p.is_file()), None)


def codex_env(tmp: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A scratch CODEX_HOME and HOME, no proxy, nothing of the caller's OpenAI settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "CODEX_"))
        and k.lower() not in ("https_proxy", "http_proxy", "all_proxy")
    }
    home = tmp / "home"
    (home / ".codex").mkdir(parents=True, exist_ok=True)
    env.update({"HOME": str(home), "CODEX_HOME": str(home / ".codex"), "NO_COLOR": "1"})
    env.update(extra or {})
    return env
