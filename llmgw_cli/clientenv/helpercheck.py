"""Run Claude Code's ``apiKeyHelper`` once, as Claude Code will, before it is written.

Claude Code takes the helper's whole stdout as the key: it must exit 0 and print exactly one
line. The helper's output is a secret: it is never shown, only counted.
"""

from __future__ import annotations

import subprocess

from llmgw_cli.errors import ConfigError

TIMEOUT_S = 30.0


def check(helper: str, env: dict[str, str]) -> None:
    try:
        done = subprocess.run(
            helper,
            shell=True,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        raise ConfigError(
            f"the apiKeyHelper `{helper}` did not answer within {TIMEOUT_S:.0f} s; "
            "nothing was written"
        ) from exc
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise ConfigError(f"the apiKeyHelper `{helper}` failed: {why}; nothing was written")
    lines = done.stdout.splitlines()
    if len(lines) != 1 or not lines[0].strip():
        raise ConfigError(
            f"the apiKeyHelper `{helper}` printed {len(lines)} lines, Claude Code wants exactly "
            "one (the key); nothing was written"
        )
