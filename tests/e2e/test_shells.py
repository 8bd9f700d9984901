"""Real bash, zsh and fish load `llmgw env` and end up with exactly the profile's variables.

Each shell evaluates the output the documented way (`eval "$(llmgw env --shell bash)"`,
`llmgw env --shell fish | source`), then `env -0` dumps what a client it starts would see;
every variable is compared byte for byte. The previous profile's variables (its
claude_code.env extras too) must be gone, the user's own untouched, and `--unset` must give
back exactly the environment the shell started with.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmgw_cli.clientenv import mapping, shells
from llmgw_cli.clientenv.mapping import MANAGED
from llmgw_cli.config.model import Auth, ClaudeCode, Models, Profile
from tests.helpers.cli import LLMGW, NO_KEYCHAIN, run

pytestmark = pytest.mark.e2e

SHELLS = ["bash", "zsh", "fish"]
# Variables a shell maintains itself; everything else must match exactly.
SHELL_OWN = {b"_", b"SHLVL", b"PWD", b"OLDPWD"}

NASTY = "q'uo\"te $HOME ${X} $(id) `id` back\\slash \\n \\\\ * ? [a] ~ ! é ü 中文 🦀 \t tab"
SECRET = "sk-" + NASTY + "\nsecond line\n\nthird '\n"
HEADER = "v " + NASTY


def need(shell: str) -> str:
    path = shutil.which(shell)
    if path is None:
        pytest.skip(f"{shell} is not installed")
    return path


def base_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A small, fully known environment; llmgw's folder first on PATH."""
    env = {
        "PATH": f"{Path(LLMGW).parent}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LLMGW_HOME": os.environ["LLMGW_HOME"],
        "PYTHON_KEYRING_BACKEND": NO_KEYCHAIN,
        "NO_COLOR": "1",
        # zsh and fish fill these in when they are missing
        "USER": getpass.getuser(),
        "LOGNAME": getpass.getuser(),
    }
    if os.environ.get("PYTHONPATH"):  # a worktree's code over the installed package
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update(extra or {})
    return env


def stale() -> dict[str, str]:
    """Every variable a profile may set, set by the user (or left from elsewhere)."""
    own = ("LLMGW_ENV_STATE", "LLMGW_ACTIVE_PROFILE")  # llmgw's record, not the user's
    values = {name: f"users {name}" for name in MANAGED if name not in own}
    values["OLD_EXTRA"] = "users extra"
    values["API_TIMEOUT_MS"] = "1"
    return values


def load_command(shell: str, args: str) -> str:
    """Shell code that loads `llmgw env ARGS`, exactly as the hint tells users."""
    if shell == "fish":
        return f"llmgw env {args} --shell fish | source"
    return f'eval "$(llmgw env {args} --shell {shell})"'


def shell_argv(shell: str, program: str) -> list[str]:
    exe = need(shell)
    if shell == "bash":
        return [exe, "--norc", "--noprofile", "-c", program]
    if shell == "zsh":
        return [exe, "-f", "-c", program]
    return [exe, "--no-config", "-c", program]


def dump(shell: str, steps: list[str], env: Mapping[str, str]) -> dict[bytes, bytes]:
    """Run the steps in one shell, then return the environment a child process gets."""
    sep = "; and " if shell == "fish" else " && "
    program = sep.join([*steps, "env -0"])
    # Run in the throwaway HOME: if quoting ever broke, stray output lands there, not in the repo.
    done = subprocess.run(
        shell_argv(shell, program),
        env=dict(env),
        capture_output=True,
        timeout=60,
        cwd=env["HOME"],
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stderr == b"", done.stderr.decode(errors="replace")
    pairs = (item.partition(b"=") for item in done.stdout.split(b"\0") if item)
    return {k: v for k, _, v in pairs if k not in SHELL_OWN}


def encoded(env: Mapping[str, str]) -> dict[bytes, bytes]:
    return {k.encode(): v.encode() for k, v in env.items()}


def expected_after(start: Mapping[str, str], plan: mapping.EnvPlan) -> dict[bytes, bytes]:
    return encoded(mapping.apply(plan, dict(start)))


def add_profiles() -> None:
    corp = run(
        "profile",
        "add",
        "corp",
        "--endpoint",
        "https://gw.example/",
        "--secret-env",
        "CORP_KEY",
        "--header",
        f"X-Department: {HEADER}",
        "--header",
        "X-Project: P*1 `x` $y",
        "--format",
        "anthropic",
        "--format",
        "openai",
        "--model",
        "claude-sonnet-4-5 ✓",
        "--proxy",
        "http://proxy.corp:3128",
    )
    assert corp.returncode == 0, corp.stderr
    # A second profile with claude_code.env extras and x-api-key, written as YAML.
    store_dir = Path(os.environ["LLMGW_HOME"]) / "config" / "profiles"
    (store_dir / "edge.yaml").write_text(
        "version: 1\nendpoint: http://127.0.0.1:9\nformats: [anthropic]\n"
        "auth: {type: x-api-key, secret: 'env:EDGE_KEY'}\n"
        "claude_code:\n  disable_nonessential_traffic: true\n"
        '  env: {API_TIMEOUT_MS: 600000, EDGE_ONLY: "it\'s $edge"}\n',
        encoding="utf-8",
    )
    os.chmod(store_dir / "edge.yaml", 0o600)


def plan_of(profile: str, env: Mapping[str, str]) -> mapping.EnvPlan:
    done = run("env", "--profile", profile, "--json", env=dict(env))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    return mapping.EnvPlan(set=data["set"], unset=data["unset"], restore=data.get("restore", []))


def decoded(env: Mapping[bytes, bytes]) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in env.items()}


@pytest.mark.parametrize("shell", SHELLS)
def test_env_loads_byte_for_byte(shell: str, tmp_path: Path) -> None:
    need(shell)
    add_profiles()
    start = base_env(tmp_path, {**stale(), "CORP_KEY": SECRET, "UNRELATED": "keep ' me"})
    plan = plan_of("corp", start)
    assert plan.set["ANTHROPIC_AUTH_TOKEN"] == SECRET
    assert plan.set["ANTHROPIC_CUSTOM_HEADERS"] == f"X-Department: {HEADER}\nX-Project: P*1 `x` $y"
    got = dump(shell, [load_command(shell, "--profile corp")], start)
    want = expected_after(start, plan)
    assert got == want
    assert b"ANTHROPIC_API_KEY" not in got  # never both auth variables
    for name in ("OLD_EXTRA", "API_TIMEOUT_MS", "CLAUDE_CODE_USE_BEDROCK"):
        assert got[name.encode()] == start[name].encode()  # the user's own, untouched
    back = dump(
        shell, [load_command(shell, "--profile corp"), load_command(shell, "--unset")], start
    )
    assert back == encoded(start)


@pytest.mark.parametrize("shell", SHELLS)
def test_switching_profiles_leaves_nothing_stale(shell: str, tmp_path: Path) -> None:
    need(shell)
    add_profiles()
    start = base_env(tmp_path, {"CORP_KEY": SECRET, "EDGE_KEY": "edge-key 'x' $y"})
    edge = plan_of("edge", start)
    assert edge.set["EDGE_ONLY"] == "it's $edge"

    after_edge = dump(shell, [load_command(shell, "--profile edge")], start)
    assert after_edge == expected_after(start, edge)

    # edge, then corp: edge's extras, its x-api-key and its flags must all be gone.
    after_corp = dump(
        shell, [load_command(shell, "--profile edge"), load_command(shell, "--profile corp")], start
    )
    corp = plan_of("corp", decoded(after_edge))
    assert after_corp == expected_after(decoded(after_edge), corp)
    for name in (
        "EDGE_ONLY",
        "API_TIMEOUT_MS",
        "ANTHROPIC_API_KEY",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
    ):
        assert name.encode() not in after_corp

    # --unset clears everything llmgw set, extras included, and nothing else.
    cleared = dump(
        shell, [load_command(shell, "--profile edge"), load_command(shell, "--unset")], start
    )
    assert cleared == encoded(start)


# --- arbitrary text -----------------------------------------------------------------------

# Environment values cannot hold NUL; surrogates cannot be encoded. Characters that mean
# something to a shell, or to fish's internal encoding (U+F600-U+F6FF), are drawn often.
TRICKY = [
    *"'\"\\$`*?[]{}()~!#&|;<> \t\n\r\x1b\x7f",
    *("\u00e9", "\u4e2d", "\U0001f980", "\ufeff", "\u2018", "\u2019", "\uf600", "\uf6ff"),
    *("\ufffd", "\u0085", "\u2028", "$(", "${", "\\'", "'\\''", "\\n", "%s"),
]
ANY = st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")
TEXT = st.lists(st.one_of(ANY, st.sampled_from(TRICKY))).map("".join)
HEADER_TEXT = TEXT.map(lambda s: s.replace("\r", "").replace("\n", ""))


def render_profile(
    secret: str, header: str, model: str, extra: str, shell: str
) -> tuple[str, mapping.EnvPlan]:
    profile = Profile(
        name="h",
        endpoint="https://gw.example",
        formats=["anthropic", "openai"],
        auth=Auth("bearer", "env:K"),
        headers={"X-Any": header},
        models=Models(default=model),
        claude_code=ClaudeCode(env={"EXTRA_ONE": extra}),
    )
    plan = mapping.plan(profile, secret, environ=stale())
    return shells.render(plan, shell), plan


def check_arbitrary(
    shell: str, tmp_path: Path, secret: str, header: str, model: str, extra: str
) -> None:
    code, plan = render_profile(secret, header, model, extra, shell)
    script = tmp_path / f"env.{shell}"
    script.write_text(code, encoding="utf-8")
    load = f"cat {script} | source" if shell == "fish" else f'eval "$(cat {script})"'
    start = base_env(tmp_path, stale())
    assert dump(shell, [load], start) == expected_after(start, plan)


def arbitrary_test(shell: str):  # type: ignore[no-untyped-def]
    @settings(
        max_examples=200,
        deadline=None,
        derandomize=False,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(secret=TEXT, header=HEADER_TEXT, model=TEXT, extra=TEXT)
    def test(tmp_path: Path, secret: str, header: str, model: str, extra: str) -> None:
        need(shell)
        check_arbitrary(shell, tmp_path, secret, header, model, extra)

    test.__name__ = f"test_arbitrary_text_round_trips_in_{shell}"
    return test


test_arbitrary_text_round_trips_in_bash = arbitrary_test("bash")
test_arbitrary_text_round_trips_in_zsh = arbitrary_test("zsh")
test_arbitrary_text_round_trips_in_fish = arbitrary_test("fish")
