"""The compiled cache of a profile's environment plan (clientenv/plancache.py)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from llmgw_cli import paths
from tests.helpers.cli import env_with, run

KEY = "sk-cache-test-0123456789abcdef"
PROFILE = (
    "version: 1\nname: corp\nendpoint: https://gw.example\nformats: [anthropic, openai]\n"
    "auth: {type: bearer, secret: 'env:CORP_KEY'}\n"
    "headers: {X-Department: Engineering}\nmodels: {default: claude-sonnet-4-5}\n"
)
# The user had values of their own before: the restore/record logic runs on top of the cache.
USER = {"CORP_KEY": KEY, "OPENAI_API_KEY": "sk-users-own", "ANTHROPIC_MODEL": "users-model"}

PROBE = """
import contextlib, io, json, sys
from llmgw_cli.__main__ import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(json.loads(sys.argv[1]))
sys.stderr.write(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


@pytest.fixture
def profile_file(llmgw_home: Path) -> Path:
    folder = llmgw_home / "config" / "profiles"
    folder.mkdir(parents=True)
    path = folder / "corp.yaml"
    path.write_text(PROFILE)
    (llmgw_home / "config" / "current").write_text("corp\n")
    return path


def cache_file() -> Path:
    return paths.envplan_file("corp")


def env(*args: str, extra: dict[str, str] | None = None) -> str:
    done = run("env", *args, env={**USER, **(extra or {})})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--shell", "bash"],
        ["--shell", "zsh"],
        ["--shell", "fish"],
        ["--json"],
        ["--profile", "corp", "--shell", "bash"],
    ],
)
def test_cold_and_warm_output_is_byte_identical(profile_file: Path, args: list[str]) -> None:
    assert not cache_file().exists()
    cold = env(*args)
    assert cache_file().is_file()
    warm = env(*args)
    assert warm == cold
    assert "https://gw.example" in warm and KEY in warm


def test_unset_and_a_second_switch_match_with_a_warm_cache(profile_file: Path) -> None:
    first = env("--json")
    state = json.loads(first)["set"]["LLMGW_ENV_STATE"]
    loaded = {**USER, "LLMGW_ENV_STATE": state, "LLMGW_ACTIVE_PROFILE": "corp"}
    cold_switch = env("--shell", "bash", extra=loaded)
    cold_unset = env("--unset", "--shell", "bash", extra=loaded)
    cache_file().unlink()
    cold_again = env("--shell", "bash", extra=loaded)  # recompiled from the file
    assert cache_file().is_file()
    assert env("--shell", "bash", extra=loaded) == cold_switch == cold_again
    assert env("--unset", "--shell", "bash", extra=loaded) == cold_unset
    assert "users-model" in cold_unset  # the user's own value is put back


def test_cache_file_is_private_and_holds_no_secret(profile_file: Path) -> None:
    env("--shell", "bash")
    mode = stat.S_IMODE(cache_file().stat().st_mode)
    assert mode == 0o600
    text = cache_file().read_text()
    assert KEY not in text and "sk-users-own" not in text
    assert "env:CORP_KEY" in text  # the reference only


def test_the_secret_is_read_at_run_time(profile_file: Path) -> None:
    env("--shell", "bash")
    other = "sk-rotated-key-987654321"
    out = env("--shell", "bash", extra={"CORP_KEY": other})
    assert other in out and KEY not in out
    assert run("token", env={"CORP_KEY": other}).stdout == other + "\n"
    missing = run("env", "--shell", "bash", env={"CORP_KEY": None})
    assert missing.returncode != 0 and "CORP_KEY" in missing.stderr


def test_editing_the_profile_file_invalidates(profile_file: Path) -> None:
    assert "gw.example" in env("--shell", "bash")
    # Same size, same mtime: only the inode and ctime tell (an editor that writes in place
    # keeps the inode; one that renames changes it).
    before = profile_file.stat()
    profile_file.write_text(PROFILE.replace("gw.example", "gw.exampl2"))
    os.utime(profile_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert profile_file.stat().st_size == before.st_size
    out = env("--shell", "bash")
    assert "gw.exampl2" in out and "gw.example\n" not in out
    assert run("profile", "set", "corp", "endpoint=https://other.example").returncode == 0
    assert "https://other.example" in env("--shell", "bash")


def test_a_corrupt_or_foreign_cache_file_is_ignored_and_rewritten(profile_file: Path) -> None:
    good = env("--shell", "bash")
    for junk in (b"\x00not json{", b'{"key": {}, "plan": {}}', b"[]"):
        cache_file().write_bytes(junk)
        assert env("--shell", "bash") == good
        assert json.loads(cache_file().read_text())["plan"]["profile"] == "corp"
    # Another profile's entry copied over this one's: its key names another file.
    data = json.loads(cache_file().read_text())
    data["key"]["path"] = "/elsewhere/corp.yaml"
    data["plan"]["values"][0][1] = "https://evil.example"
    cache_file().write_text(json.dumps(data))
    assert env("--shell", "bash") == good


def test_removing_a_profile_removes_its_cache(profile_file: Path) -> None:
    env("--shell", "bash")
    assert run("profile", "remove", "corp", "--yes").returncode == 0
    assert not cache_file().exists()


def probe(args: list[str]) -> tuple[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        env=env_with(USER),
        timeout=120,
    )
    data = json.loads(done.stderr.splitlines()[-1])
    assert data["code"] == 0, done.stderr
    return str(data["out"]), list(data["modules"])


@pytest.mark.parametrize("args", [["env", "--shell", "bash"], ["env", "--json"], ["token"]])
def test_a_warm_cache_imports_neither_yaml_nor_the_model(
    profile_file: Path, args: list[str]
) -> None:
    cold_out, cold = probe(args)
    assert "yaml" in cold and "llmgw_cli.config.model" in cold  # the probe can tell
    warm_out, warm = probe(args)
    assert warm_out == cold_out
    heavy = (
        "yaml",
        "llmgw_cli.config.model",
        "llmgw_cli.config.schema",
        "llmgw_cli.clientenv.mapping",
    )
    assert [m for m in warm if m in heavy or m.startswith("yaml.")] == []
