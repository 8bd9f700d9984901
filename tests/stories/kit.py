"""What the stories share: a user's environment, the llmgw console script, a shell step."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.claude import claude_env
from tests.helpers.cli import LLMGW as LLMGW
from tests.helpers.cli import PROXY_VARS

BIN = str(Path(LLMGW).parent)
PYTHON = sys.executable
HELLO = "Hello from the llmgw mock"


def user_env(home: Path, claude_bin: Path | None = None, **extra: str) -> dict[str, str]:
    """A user's environment: a scratch HOME, llmgw (and Claude Code) on PATH, no proxies."""
    env = claude_env(home)
    for name in PROXY_VARS:
        env.pop(name, None)
    path = [BIN, *([str(claude_bin.parent)] if claude_bin else []), "/usr/bin", "/bin"]
    env["PATH"] = os.pathsep.join(path)
    env.update(extra)
    return env


def llmgw(
    *args: str,
    env: Mapping[str, str],
    input: str | None = None,
    cwd: Path | None = None,
    check: bool = True,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [LLMGW, *args],
        env=dict(env),
        input=input,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL if input is None else None,
        cwd=cwd,
        timeout=timeout,
    )
    if check:
        assert done.returncode == 0, f"llmgw {' '.join(args)}: {done.stderr}"
    return done


def bash(
    script: str, env: Mapping[str, str], cwd: Path | None = None, timeout: float = 200
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        env=dict(env),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        timeout=timeout,
    )


@contextmanager
def detached_shim(*args: str, env: Mapping[str, str]) -> Iterator[str]:
    """`llmgw shim start ARGS --detach --port 0`; stopped on the way out. Yields its URL."""
    llmgw("shim", "start", *args, "--detach", "--port", "0", env=env)
    try:
        status = llmgw("shim", "status", "--json", env=env)
        import json

        yield str(json.loads(status.stdout)["url"])
    finally:
        llmgw("shim", "stop", env=env, check=False)


OPENAI_SDK = (
    "import openai; c = openai.OpenAI(); "
    "r = c.chat.completions.create(model='qwen3-coder', "
    "messages=[{'role': 'user', 'content': 'say hi'}]); print(r.choices[0].message.content)"
)
ANTHROPIC_SDK = (
    "import anthropic; c = anthropic.Anthropic(); "
    "r = c.messages.create(model='claude-sonnet-4-5', max_tokens=16, "
    "messages=[{'role': 'user', 'content': 'say hi'}]); print(r.content[0].text)"
)
