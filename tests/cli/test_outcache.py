"""`--help` and `profile list` replayed (cli/outcache.py): the cold path's bytes, or a miss.

The reference is cli/app.run itself (Typer and rich writing to the real streams); the
console script's first run records, its second replays without importing Typer or rich.
"""

from __future__ import annotations

import json
import marshal
import os
import stat
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers.cli import env_with, run

PROFILE = "version: 1\nname: {name}\nendpoint: https://{name}.example\nauth: {{type: none}}\n"
COLD = """
import sys, json
from llmgw_cli.cli.app import run
code = run(json.loads(sys.argv[1]))
sys.stdout.flush()
sys.exit(code)
"""
MAIN = """
import sys, json
from llmgw_cli.__main__ import main
code = main(json.loads(sys.argv[1]))
sys.stdout.flush()
sys.stderr.write("\\n" + json.dumps(sorted(sys.modules)))
sys.exit(code)
"""
FRAMEWORK = ("typer", "rich", "click", "yaml")
Result = tuple[int, str, str]


@pytest.fixture
def home(llmgw_home: Path) -> Path:
    folder = llmgw_home / "config" / "profiles"
    folder.mkdir(parents=True)
    for name in ("corp", "local"):
        (folder / f"{name}.yaml").write_text(PROFILE.format(name=name))
    (llmgw_home / "config" / "current").write_text("corp\n")
    return llmgw_home


def python(program: str, args: list[str], env: Mapping[str, str | None] | None) -> Result:
    done = subprocess.run(
        [sys.executable, "-c", program, json.dumps(args)],
        capture_output=True, text=True, env=env_with(env), timeout=120,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def cold(args: list[str], env: Mapping[str, str | None] | None = None) -> Result:
    return python(COLD, args, env)


def main(args: list[str], env: Mapping[str, str | None] | None = None) -> tuple[Result, bool]:
    """The result through __main__, and whether it was replayed (no Typer, rich, yaml)."""
    code, out, err = python(MAIN, args, env)
    err, _, modules = err.rpartition("\n")
    loaded = json.loads(modules)
    replayed = not any(m.split(".")[0] in FRAMEWORK for m in loaded)
    return (code, out, err), replayed


def same_warm(args: list[str], env: Mapping[str, str | None] | None = None) -> Result:
    expected = cold(args, env)
    first, _ = main(args, env)
    second, replayed = main(args, env)
    assert first == expected and second == expected
    assert replayed, "the second run should be replayed"
    return expected


@pytest.mark.parametrize(
    "args",
    [[], ["--help"], ["-h"], ["--version"], ["profile", "--help"], ["profile", "list"],
     ["profile", "ls"], ["profile", "list", "--json"]],
)  # fmt: skip
def test_replayed_output_is_the_cold_output(home: Path, args: list[str]) -> None:
    code, out, err = same_warm(args)
    assert code == 0 and (out or err)  # no arguments: the help goes to stderr


def test_the_look_is_part_of_the_key(home: Path) -> None:
    plain = same_warm(["profile", "list"])
    coloured = same_warm(["profile", "list"], {"NO_COLOR": None, "FORCE_COLOR": "1"})
    assert "\x1b[" in coloured[1] + coloured[2] or coloured == plain
    assert main(["profile", "list"])[0] == plain
    same_warm(["--help"], {"COLUMNS": "50"})
    assert main(["--help"])[0] == cold(["--help"])


def test_profile_list_follows_the_files(home: Path) -> None:
    same_warm(["profile", "list"])
    path = home / "config" / "profiles" / "corp.yaml"
    before = path.stat()
    path.write_text(PROFILE.format(name="corp").replace("corp.example", "cOrp.example"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    assert "cOrp.example" in same_warm(["profile", "list"])[1]
    assert run("profile", "use", "local").returncode == 0
    assert json.loads(same_warm(["profile", "list", "--json"])[1])["current"] == "local"
    (home / "config" / "profiles" / "new.yaml").write_text(PROFILE.format(name="new"))
    assert "new.example" in same_warm(["profile", "list"])[1]
    (home / "config" / "profiles" / "bad.yaml").write_text("version: [\n")
    _, out, err = same_warm(["profile", "list"])
    assert "invalid" in out and err  # the warning on stderr is replayed too
    assert run("profile", "remove", "new", "--yes").returncode == 0
    assert "new.example" not in same_warm(["profile", "list"])[1]


def cache_file(home: Path) -> Path:
    return home / "cache" / "outcache"


def test_the_cache_is_private_and_damage_is_ignored(home: Path) -> None:
    good = same_warm(["profile", "list"])
    path = cache_file(home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = marshal.loads(path.read_bytes())
    entry = data[4][("profile", "list")]
    wrong_code = (*entry[:2], (("/nonexistent.py", None),), *entry[3:])
    forged = (*entry[:2], (), *entry[3:])  # no module identities: never trusted
    for junk in (
        b"\x00junk", marshal.dumps(()), marshal.dumps(("other", *data[1:])),
        marshal.dumps((data[0], "99.0", *data[2:])),
        *(marshal.dumps((*data[:4], {("profile", "list"): e})) for e in (wrong_code, forged)),
    ):  # fmt: skip
        path.write_bytes(junk)
        result, replayed = main(["profile", "list"])
        assert result == good and not replayed
    assert main(["profile", "list"]) == (good, True)  # rewritten by the last miss


def test_completion_is_never_replayed(home: Path) -> None:
    same_warm([])
    env = {"_LLMGW_COMPLETE": "complete_bash", "COMP_WORDS": "llmgw pro", "COMP_CWORD": "1"}
    result, replayed = main([], env)
    assert not replayed and result == cold([], env)
