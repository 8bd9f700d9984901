"""`llmgw env`, `token`, `profile …` and `--help` stay off the heavy imports (design.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from llmgw_cli.config.model import Auth, Profile
from llmgw_cli.config.store import ProfileStore
from tests.helpers.cli import env_with

# Never on these paths: each costs 100+ ms, or drags in the shim.
HEAVY = (
    "aiohttp",
    "httpx",
    "tiktoken",
    "psutil",
    "prometheus_client",
    "llmgw_cli.shim",
    "llmgw_cli.mock",
    "llmgw_cli.bench",
    "llmgw_cli.doctor",
)
# The fast path for env/token does not even load the CLI framework (shellingham, which
# detects the shell when --shell is absent, is small and reads /proc).
FRAMEWORK = ("typer", "click", "rich", "keyring")

PROBE = """
import contextlib, io, json, sys
from llmgw_cli.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(json.loads(sys.argv[1]))
sys.stderr.write(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def loaded(args: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        env=env_with({"CORP_KEY": "sk-test-123456789"}),
        timeout=120,
    )
    data = json.loads(done.stderr.splitlines()[-1])
    assert data["code"] == 0, done.stderr
    return list(data["modules"])


def hits(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


@pytest.fixture(autouse=True)
def corp() -> None:
    store = ProfileStore()
    store.save(
        Profile(name="corp", endpoint="https://gw.example", auth=Auth("bearer", "env:CORP_KEY"))
    )
    store.set_current("corp")


@pytest.mark.parametrize(
    "args",
    [
        ["env", "--shell", "bash"],
        ["env"],
        ["env", "--json"],
        ["env", "--unset", "--shell", "fish"],
        ["token"],
        ["token", "--profile", "corp"],
    ],
)
def test_fast_path_imports_neither_heavy_modules_nor_the_cli_framework(args: list[str]) -> None:
    modules = loaded(args)
    assert hits(modules, HEAVY) == []
    assert hits(modules, FRAMEWORK) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["profile", "list"],
        ["profile", "show"],
        ["profile", "current"],
        ["env", "--help"],
        ["profile", "--help"],
    ],
)
def test_typer_commands_do_not_import_heavy_modules(args: list[str]) -> None:
    assert hits(loaded(args), HEAVY) == []
