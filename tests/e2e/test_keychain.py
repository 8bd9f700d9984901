"""A real keychain (gnome-keyring's Secret Service on a private D-Bus), and the no-keychain path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from llmgw_cli.config.secrets import NO_KEYCHAIN_HELP
from tests.helpers.cli import LLMGW, NO_KEYCHAIN, env_with, run

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).with_name("keychain.sh")
SECRET = "sk-keychain-'$`\"\\ é *-5150"
SECRET2 = "sk-rotated-secret-6262"
PROXY_PW = "pr0xy k@y:chain-7373"
PROXY_PW_URL = "pr0xy%20k%40y%3Achain-7373"


def all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


@pytest.mark.skipif(
    shutil.which("dbus-run-session") is None or shutil.which("gnome-keyring-daemon") is None,
    reason="needs dbus-run-session and gnome-keyring-daemon (apt-get install dbus gnome-keyring)",
)
def test_real_keychain_round_trip(tmp_path: Path, llmgw_home: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    home = tmp_path / "home"  # the keyring files live here, not in the real home
    home.mkdir()
    env = env_with(
        {
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "PATH": f"{Path(LLMGW).parent}{os.pathsep}{os.environ['PATH']}",
            "PYTHON": sys.executable,
            "SECRET": SECRET,
            "SECRET2": SECRET2,
            "PROXY_PW_URL": PROXY_PW_URL,
            "PYTHON_KEYRING_BACKEND": None,  # let keyring find the Secret Service
            "DBUS_SESSION_BUS_ADDRESS": None,
        }
    )
    done = subprocess.run(
        ["dbus-run-session", "--", "bash", str(SCRIPT), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (done.stdout, done.stderr, _read(out, "daemon", "out"))

    def step(name: str) -> tuple[int, str, str]:
        return int(_read(out, name, "rc")), _read(out, name, "out"), _read(out, name, "err")

    code, stdout, err = step("add")
    assert code == 0, err
    assert SECRET not in err

    assert step("token") == (0, SECRET + "\n", "")
    code, stdout, _ = step("show")
    assert code == 0
    assert "…5150" in stdout and "system keychain" in stdout
    assert SECRET not in stdout
    shown = json.loads(step("show_json")[1])
    assert shown["secret"]["ref"] == "keyring"
    assert shown["secret"]["masked"] == "…5150"
    assert shown["secret"]["where"] == "system keychain (service 'llmgw', account 'kc')"
    assert json.loads(step("env")[1])["set"]["ANTHROPIC_AUTH_TOKEN"] == SECRET
    assert step("peek_kc")[1] == SECRET

    assert step("rename")[0] == 0
    assert step("peek_after_rename_old")[1] == "<absent>"
    assert step("peek_after_rename_new")[1] == SECRET
    assert step("token_renamed")[1] == SECRET + "\n"

    assert step("secret_set")[0] == 0
    assert step("token_new")[1] == SECRET2 + "\n"

    code, _, err = step("remove")
    assert code == 0 and "and its secret" in err
    assert step("peek_after_remove")[1] == "<absent>"
    # A proxy password given in --proxy goes to the keychain (account kp@proxy), not the file.
    code, _, err = step("proxy_add")
    assert code == 0, err
    assert "account 'kp@proxy'" in err and PROXY_PW_URL not in err
    proxy_env = json.loads(step("proxy_env")[1])["set"]
    assert proxy_env["HTTPS_PROXY"] == f"http://alice:{PROXY_PW_URL}@proxy.example:3128"
    assert step("peek_kp_proxy")[1] == PROXY_PW
    assert step("proxy_remove")[0] == 0
    assert step("peek_kp_proxy_after")[1] == "<absent>"

    assert step("files")[1] == ""  # nothing left under LLMGW_HOME

    # The secret is in the keychain's own (encrypted) store, never in llmgw's files.
    for secret in (SECRET, SECRET2, PROXY_PW, PROXY_PW_URL):
        assert secret.encode() not in all_bytes(llmgw_home)
        assert secret.encode() not in all_bytes(home)


def _read(out: Path, name: str, kind: str) -> str:
    path = out / f"{name}.{kind}"
    return path.read_text() if path.exists() else ""


@pytest.mark.parametrize(
    "keychain_env",
    [
        {"PYTHON_KEYRING_BACKEND": NO_KEYCHAIN},
        # A headless machine as it comes: no session bus to find a Secret Service on.
        {"PYTHON_KEYRING_BACKEND": None, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"},
    ],
    ids=["fail-backend", "no-session-bus"],
)
def test_no_keychain_refuses_and_keeps_the_secret_nowhere(
    llmgw_home: Path, keychain_env: dict[str, str | None]
) -> None:
    done = run(
        "profile",
        "add",
        "kc",
        "--endpoint",
        "https://x.example",
        "--secret-stdin",
        input=SECRET,
        env=keychain_env,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert NO_KEYCHAIN_HELP in done.stderr
    for option in ("--secret-env", "--secret-cmd", "--insecure-storage"):
        assert option in done.stderr
    assert SECRET not in done.stderr
    assert not (llmgw_home / "config" / "profiles" / "kc.yaml").exists()
    assert SECRET.encode() not in all_bytes(llmgw_home)
    assert [p for p in llmgw_home.rglob("*") if p.is_file()] == []

    # `secret set` on a keyring profile says the same, and stores nothing.
    assert (
        run(
            "profile", "add", "later", "--endpoint", "https://x.example", env=keychain_env
        ).returncode
        == 0
    )
    refused = run("secret", "set", "later", "--stdin", input=SECRET, env=keychain_env)
    assert refused.returncode == 2
    assert "--insecure-storage" in refused.stderr
    assert SECRET.encode() not in all_bytes(llmgw_home)
    token = run("token", "--profile", "later", env=keychain_env)
    assert token.returncode == 2 and token.stdout == ""
    assert "no system keychain" in token.stderr
