"""No secret on disk (except the opt-in file store), in --json output or in error messages."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.helpers.cli import run

ENV_SECRET = "sk-env-AAAA-secret-0001"
CMD_SECRET = "sk-cmd-BBBB-secret-0002"
KEYRING_SECRET = "sk-kc-CCCC-secret-0003"
FILE_SECRET = "sk-file-DDDD-secret-0004"
ALL = (ENV_SECRET, CMD_SECRET, KEYRING_SECRET, FILE_SECRET)


def every_file(home: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}


def test_no_secret_anywhere_but_the_opt_in_file(llmgw_home: Path, tmp_path: Path) -> None:
    env = {"ENV_KEY": ENV_SECRET}
    # The "password manager": a file outside LLMGW_HOME; the command names it, not the secret.
    vault = tmp_path / "vault.txt"
    vault.write_text(CMD_SECRET + "\n")
    outputs: list[str] = []

    def llmgw(*args: str, input: str | None = None, code: int = 0) -> str:
        done = run(*args, input=input, env=env)
        assert done.returncode == code, (args, done.stderr)
        outputs.append(done.stderr)
        return done.stdout

    llmgw("profile", "add", "by-env", "--endpoint", "https://a.example", "--secret-env", "ENV_KEY")
    llmgw(
        "profile",
        "add",
        "by-cmd",
        "--endpoint",
        "https://b.example",
        "--auth",
        "x-api-key",
        "--secret-cmd",
        f"cat {vault}",
    )
    # No keychain here: refused, and the secret read from stdin is stored nowhere.
    llmgw(
        "profile",
        "add",
        "by-keyring",
        "--endpoint",
        "https://c.example",
        "--secret-stdin",
        input=KEYRING_SECRET,
        code=2,
    )
    llmgw(
        "profile",
        "add",
        "by-file",
        "--endpoint",
        "https://d.example",
        "--secret-stdin",
        "--insecure-storage",
        input=FILE_SECRET,
    )

    # Everything that reads the secrets, with --json where there is one.
    json_outputs = [
        llmgw("profile", "list", "--json"),
        llmgw("profile", "current", "--json"),
        *(llmgw("profile", "show", n, "--json") for n in ("by-env", "by-cmd", "by-file")),
        *(
            llmgw("claude-settings", "--profile", n, "--print")
            for n in ("by-env", "by-cmd", "by-file")
        ),
        *(llmgw("profile", "export", n) for n in ("by-env", "by-cmd", "by-file")),
    ]
    for output in json_outputs:
        for secret in ALL:
            assert secret not in output
    shown = llmgw("profile", "show", "by-cmd", "--json")
    assert "…0002" in shown

    # The secrets do resolve (so the checks above are not vacuous).
    assert llmgw("token", "--profile", "by-env") == ENV_SECRET + "\n"
    assert llmgw("token", "--profile", "by-cmd") == CMD_SECRET + "\n"
    assert llmgw("token", "--profile", "by-file") == FILE_SECRET + "\n"

    # Errors never carry the secret, even when a failing helper prints it.
    llmgw(
        "profile",
        "add",
        "leaky",
        "--endpoint",
        "https://e.example",
        "--secret-cmd",
        f"cat {vault}; cat {vault} >&2; exit 1",
    )
    llmgw("env", "--profile", "leaky", "--shell", "bash", code=2)
    llmgw("token", "--profile", "leaky", code=2)
    llmgw("profile", "show", "leaky")
    llmgw("exec", "--profile", "leaky", "--", "true", code=2)
    for text in outputs:
        for secret in ALL:
            assert secret not in text

    files = every_file(llmgw_home)
    secret_file = llmgw_home / "config" / "secrets" / "by-file"
    assert files.pop(secret_file) == FILE_SECRET.encode()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert files, "the profiles were written"
    for path, data in files.items():
        for secret in ALL:
            assert secret.encode() not in data, path
    profiles = sorted(p for p in files if p.suffix == ".yaml")
    assert [p.stem for p in profiles] == ["by-cmd", "by-env", "by-file", "leaky"]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
