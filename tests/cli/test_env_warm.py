"""The warm `llmgw env` / `token` (clientenv/warm.py): the same bytes as the cold path, always.

Each case runs in a fresh interpreter twice: the cold path (cli/fastpath.run, which fills
the cache) and `main()` (warm), and compares stdout; ``sys.modules`` tells which answered.
"""

from __future__ import annotations

import json
import marshal
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers.cli import env_with, run

KEY = "sk-warm-test-0123456789abcdef"
PROFILE = (
    "version: 1\nname: corp\nendpoint: https://gw.example\nformats: [anthropic, openai]\n"
    "auth: {type: bearer, secret: 'env:CORP_KEY'}\n"
    "headers: {X-Department: Engineering}\nmodels: {default: claude-sonnet-4-5}\n"
)
OTHER = PROFILE.replace("name: corp", "name: other").replace("gw.example", "other.example")
USER = {"CORP_KEY": KEY}
OWN = {"OPENAI_API_KEY": "sk-users-own-key", "ANTHROPIC_MODEL": "users-model"}
# What only the cold path imports: its presence says the warm path did not answer.
COLD = ("llmgw_cli.clientenv.build", "llmgw_cli.cli.fastpath")
HEAVY = ("yaml", "typer", "rich", "click", "llmgw_cli.config.model", "llmgw_cli.clientenv.mapping")

PROBE = """
import contextlib, io, json, os, sys
import llmgw_cli
if sys.argv[2]:
    llmgw_cli.__version__ = sys.argv[2]
from llmgw_cli.__main__ import main
if os.environ.get("PROBE_COLD"):  # the cold path itself (it fills the warm cache)
    from llmgw_cli.cli.fastpath import run as main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(json.loads(sys.argv[1]))
sys.stderr.write(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


@pytest.fixture
def home(llmgw_home: Path) -> Path:
    folder = llmgw_home / "config" / "profiles"
    folder.mkdir(parents=True)
    (folder / "corp.yaml").write_text(PROFILE)
    (folder / "other.yaml").write_text(OTHER)
    (llmgw_home / "config" / "current").write_text("corp\n")
    return llmgw_home


def warm_file(home: Path) -> Path:
    return home / "cache" / "envwarm"


def probe(
    args: list[str],
    extra: Mapping[str, str | None] | None = None,
    cwd: Path | None = None,
    version: str = "",
    cold: bool = False,
) -> tuple[int, str, bool]:
    """(exit code, stdout, whether the warm path answered)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), version],
        capture_output=True, text=True,
        env=env_with({**USER, **(extra or {}), "PROBE_COLD": "1" if cold else None}),
        cwd=cwd, timeout=120,
    )  # fmt: skip
    data = json.loads(done.stderr.splitlines()[-1])
    modules = data["modules"]
    warm = not any(m in modules for m in COLD)
    if warm:
        assert [m for m in modules if m in HEAVY or m.split(".")[0] in HEAVY] == []
    return int(data["code"]), str(data["out"]), warm


def cold_then_warm(
    home: Path,
    args: list[str],
    extra: Mapping[str, str | None] | None = None,
    cwd: Path | None = None,
) -> str:
    shutil.rmtree(home / "cache", ignore_errors=True)
    code, cold, _ = probe(args, extra, cwd, cold=True)
    assert code == 0
    code, warm, was_warm = probe(args, extra, cwd)
    assert code == 0 and was_warm, "the second run should be warm"
    assert warm == cold
    return warm


def record_of(out: str) -> dict[str, str]:
    """The variables a --json run sets (to load them as the next run's environment)."""
    return dict(json.loads(out)["set"])


SHELL_ARGS = [
    [],  # detected (shellingham on the cold path, remembered for this process chain)
    ["--shell", "bash"], ["--shell", "zsh"], ["--shell", "fish"], ["--shell", "powershell"],
    ["--shell", "dotenv"], ["--json"], ["--shell=sh"], ["--shell", "pwsh"],
    ["-p", "other", "--shell", "bash"], ["--profile=other", "--json"],
]  # fmt: skip


@pytest.mark.parametrize("args", SHELL_ARGS)
def test_cold_and_warm_match_for_every_shell(home: Path, args: list[str]) -> None:
    out = cold_then_warm(home, ["env", *args])
    assert KEY in out or "other.example" in out


@pytest.mark.parametrize("shell", ["bash", "fish", "json"])
def test_cold_and_warm_match_over_the_users_values_and_a_loaded_record(
    home: Path, shell: str
) -> None:
    first = cold_then_warm(home, ["env", "--json"], OWN)
    loaded = {**OWN, **record_of(first)}  # the shell after eval: llmgw's values and its record
    cold_then_warm(home, ["env", "--shell", shell], loaded)
    switched = cold_then_warm(home, ["env", "-p", "other", "--shell", shell], loaded)
    assert "other.example" in switched
    unset = cold_then_warm(home, ["env", "--unset", "--shell", shell], loaded)
    assert "users-model" in unset  # the user's own value is put back
    assert cold_then_warm(home, ["env", "--unset"], loaded)  # the shell detected
    assert "sk-users-own-key" not in first + switched + unset  # kept by reference


def test_a_damaged_record_in_the_environment_counts_as_none(home: Path) -> None:
    for junk in ("not-base64!", "e30", "W10", "eyJ2IjoxLCJzZXQiOlsiQVxuIl19"):
        cold_then_warm(home, ["env", "--shell", "bash"], {"LLMGW_ENV_STATE": junk})


def test_token_is_warm_too(home: Path) -> None:
    assert cold_then_warm(home, ["token"]) == KEY + "\n"
    assert cold_then_warm(home, ["token", "--profile", "other"]) == KEY + "\n"


def test_editing_the_profile_invalidates(home: Path) -> None:
    cold_then_warm(home, ["env", "--shell", "bash"])
    path = home / "config" / "profiles" / "corp.yaml"
    before = path.stat()
    path.write_text(PROFILE.replace("gw.example", "gw.exampl2"))  # same size, same mtime
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    code, out, warm = probe(["env", "--shell", "bash"])
    assert code == 0 and not warm and "gw.exampl2" in out
    assert probe(["env", "--shell", "bash"]) == (0, out, True)


def test_llmgw_use_switches_the_warm_answer(home: Path) -> None:
    cold_then_warm(home, ["env", "--shell", "bash"])
    assert run("profile", "use", "other").returncode == 0
    code, out, _ = probe(["env", "--shell", "bash"])
    assert code == 0 and "other.example" in out
    assert probe(["env", "--shell", "bash"]) == (0, out, True)


def test_a_project_file_appearing_wins(home: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    before = cold_then_warm(home, ["env", "--shell", "bash"], cwd=project / "sub")
    (project / ".llmgw-profile").write_text("other\n")
    after = cold_then_warm(home, ["env", "--shell", "bash"], cwd=project / "sub")
    assert "gw.example" in before and "other.example" in after
    (project / ".llmgw-profile").write_text("\n")  # empty: an error, from the cold path
    code, out, warm = probe(["env", "--shell", "bash"], cwd=project / "sub")
    assert (code, out, warm) == (2, "", False)


@pytest.mark.parametrize("var", ["LLMGW_PROFILE", "LLMGW_ACTIVE_PROFILE"])
def test_selection_variables_are_read_every_time(home: Path, var: str) -> None:
    cold_then_warm(home, ["env", "--shell", "bash"])
    code, out, _ = probe(["env", "--shell", "bash"], {var: "other"})  # other: not cached yet
    assert code == 0 and "other.example" in out
    assert probe(["env", "--shell", "bash"], {var: "other"}) == (0, out, True)
    assert "gw.example" in probe(["env", "--shell", "bash"])[1]  # corp again, still warm
    assert probe(["env", "--shell", "bash"], {var: "no such\n"})[2] is False


def test_another_version_misses(home: Path) -> None:
    out = cold_then_warm(home, ["env", "--shell", "bash"])
    assert probe(["env", "--shell", "bash"], version="99.0") == (0, out, False)
    assert probe(["env", "--shell", "bash"], version="99.0") == (0, out, True)  # refilled


def test_the_cache_is_private_and_holds_no_secret(home: Path) -> None:
    cold_then_warm(home, ["env", "--shell", "bash"], OWN)
    path = warm_file(home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    assert KEY.encode() not in raw and b"sk-users-own" not in raw
    assert b"env:CORP_KEY" in raw  # the reference only
    rotated = "sk-rotated-0123456789"
    assert probe(["token"], {"CORP_KEY": rotated}) == (0, rotated + "\n", True)


def test_a_missing_secret_is_the_cold_paths_error(home: Path) -> None:
    cold_then_warm(home, ["env", "--shell", "bash"])
    code, out, warm = probe(["env", "--shell", "bash"], {"CORP_KEY": None})
    assert (code, out, warm) == (2, "", False)


def test_a_corrupt_or_foreign_cache_file_is_ignored(home: Path) -> None:
    good = cold_then_warm(home, ["env", "--shell", "bash"])
    path = warm_file(home)
    data = marshal.loads(path.read_bytes())
    entry = data[5]["corp"]
    foreign = (*data[:4], "/elsewhere", data[5])  # another cache folder's file
    stale = (*data[:5], {"corp": (entry[0], (1, 2, 3, 4), *entry[2:])})
    malformed = (*data[:5], {"corp": (*entry[:5], 42, ())})
    for junk in (
        b"\x00junk",
        b"",
        marshal.dumps([1, 2]),
        *map(marshal.dumps, (foreign, stale, malformed)),
    ):
        path.write_bytes(junk)
        assert probe(["env", "--shell", "bash"]) == (0, good, False)
    assert probe(["env", "--shell", "bash"]) == (0, good, True)  # rewritten


def test_the_detected_shell_follows_shell(home: Path) -> None:
    """SHELL is shellingham's fallback and its answer for a login shell: part of the key."""
    for shell in ("/bin/zsh", "/usr/bin/fish", "/bin/bash"):
        out = cold_then_warm(home, ["env"], {"SHELL": shell})
        assert ("set -gx" in out) is (shell.endswith("fish") and "fish" in out)
