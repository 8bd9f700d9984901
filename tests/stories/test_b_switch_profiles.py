"""Story b: one shell, two profiles switched back and forth, a user with their own settings.

The user has a personal OPENAI_API_KEY, a global HTTPS_PROXY and https_proxy, and
CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC set. After each switch nothing of the other profile
remains, the user's values are intact wherever the profile does not set them, and
`llmgw env --unset` gives back exactly what they had. Real bash, zsh and fish; after each
switch the anthropic SDK started from that shell reaches the profile's own upstream.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers.mockserver import mock_thread, requests_seen
from tests.stories.kit import ANTHROPIC_SDK, HELLO, PYTHON, llmgw, user_env

pytestmark = pytest.mark.e2e

USER = {
    "OPENAI_API_KEY": "sk-users-own-openai-key-0001",
    "HTTPS_PROXY": "http://users-proxy.example:8080",
    "https_proxy": "http://users-proxy.example:8080",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
A_KEY, B_KEY = "sk-profile-a-key-aaaa", "sk-profile-b-key-bbbb"
WATCHED = (
    *USER,
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_API_BASE",
    "ANTHROPIC_MODEL",
    "A_ONLY",
    "LLMGW_PROFILE",
    "LLMGW_ACTIVE_PROFILE",
)
MARK = "--state--"


def load(shell: str, args: str) -> str:
    if shell == "fish":
        return f"llmgw env {args} --shell fish | source"
    return f'eval "$(llmgw env {args} --shell {shell})"'


def show(shell: str) -> str:
    """Print every watched variable as NAME=value (or NAME unset), then ask the upstream."""
    if shell == "fish":
        lines = [f"if set -q {n}; echo {n}=${n}; else; echo {n} unset; end" for n in WATCHED]
    else:
        lines = [f'if [ -n "${{{n}+x}}" ]; then echo "{n}=${n}"; else echo "{n} unset"; fi'
                 for n in WATCHED]  # fmt: skip
    return "\n".join([f"echo {MARK}", *lines, f'{PYTHON} -c "{ANTHROPIC_SDK}" || true'])


def argv(shell: str, program: str) -> list[str]:
    exe = shutil.which(shell)
    if exe is None:
        pytest.skip(f"{shell} is not installed")
    flags = {"bash": ["--norc", "--noprofile"], "zsh": ["-f"], "fish": ["--no-config"]}[shell]
    return [exe, *flags, "-c", program]


def states(out: str) -> list[dict[str, str | None]]:
    found: list[dict[str, str | None]] = []
    for block in out.split(MARK + "\n")[1:]:
        state: dict[str, str | None] = {}
        for line in block.splitlines():
            if "=" in line and line.split("=", 1)[0] in WATCHED:
                name, value = line.split("=", 1)
                state[name] = value
            elif line.endswith(" unset") and line[: -len(" unset")] in WATCHED:
                state[line[: -len(" unset")]] = None
            elif line.strip():
                state["_answer"] = line
        found.append(state)
    return found


def users(state: Mapping[str, str | None], *names: str) -> None:
    for name in names:
        assert state[name] == USER[name], (name, state[name])


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_switching_keeps_the_users_own_and_unset_restores_them(shell: str, tmp_path: Path) -> None:
    with mock_thread(require_key=A_KEY) as url_a, mock_thread(require_key=B_KEY) as url_b:
        env = {**user_env(tmp_path, A_KEY=A_KEY, B_KEY=B_KEY), **USER}
        llmgw(
            "profile", "add", "a", "--endpoint", url_a, "--format", "anthropic",
            "--format", "openai", "--secret-env", "A_KEY", "--model", "claude-sonnet-4-5",
            "--proxy", "http://a-proxy.example:3128", env=env,
        )  # fmt: skip
        llmgw("profile", "set", "a", "claude_code.env.A_ONLY=1", "proxy.no_proxy=[127.0.0.1]",
              env=env)  # fmt: skip
        llmgw("profile", "add", "b", "--endpoint", url_b, "--auth", "x-api-key",
              "--secret-env", "B_KEY", env=env)  # fmt: skip
        program = "\n".join([
            load(shell, "--profile a"), show(shell),
            load(shell, "--profile b"), show(shell),
            load(shell, "--profile a"), load(shell, "--profile b"), show(shell),
            load(shell, "--unset"), show(shell),
        ])  # fmt: skip
        done = subprocess.run(
            argv(shell, program), env=env, capture_output=True, text=True, timeout=300,
            cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        after_a, after_b, after_aba, after_unset = states(done.stdout)
        seen_a = requests_seen(url_a, "/v1/messages")
        seen_b = requests_seen(url_b, "/v1/messages")

    # a: its own key, base URLs and proxy (both spellings); the user's rest stays.
    assert after_a["OPENAI_API_KEY"] == A_KEY and after_a["ANTHROPIC_AUTH_TOKEN"] == A_KEY
    assert after_a["HTTPS_PROXY"] == after_a["https_proxy"] == "http://a-proxy.example:3128"
    assert after_a["A_ONLY"] == "1" and after_a["LLMGW_ACTIVE_PROFILE"] == "a"
    assert after_a["LLMGW_PROFILE"] is None  # the user's selector is never exported
    users(after_a, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC")
    # b (also after a → b → a → b): nothing of a; the user's OPENAI_API_KEY and proxies back.
    for state in (after_b, after_aba):
        assert state["ANTHROPIC_BASE_URL"] == url_b and state["ANTHROPIC_API_KEY"] == B_KEY
        assert state["ANTHROPIC_AUTH_TOKEN"] is None  # never both auth variables
        for gone in ("OPENAI_BASE_URL", "OPENAI_API_BASE", "ANTHROPIC_MODEL", "A_ONLY"):
            assert state[gone] is None, gone
        users(state, *USER)
        assert HELLO in str(state["_answer"])
    # --unset: exactly the user's environment again.
    users(after_unset, *USER)
    for name in set(WATCHED) - set(USER):
        assert after_unset[name] is None, name
    # What the upstreams received: a got a's key only, b got b's key only.
    assert HELLO in str(after_a["_answer"])
    assert [key_sent(r["headers"]) for r in seen_a] == [A_KEY]
    assert [key_sent(r["headers"]) for r in seen_b] == [B_KEY, B_KEY]


def key_sent(headers: Mapping[str, str]) -> str | None:
    """The key a request carried (this anthropic SDK sends ANTHROPIC_API_KEY as Bearer)."""
    bearer = headers.get("authorization", "")
    return headers.get("x-api-key") or (bearer[7:] if bearer.startswith("Bearer ") else None)
