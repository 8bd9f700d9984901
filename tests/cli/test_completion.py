"""`llmgw completion bash|zsh|fish`: committed scripts are current and complete in real shells."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from llmgw_cli.config.model import Auth, Profile
from llmgw_cli.config.store import ProfileStore
from scripts.gen_completions import FILES, FOLDER
from tests.helpers.cli import LLMGW, env_with, run


def shell_env() -> dict[str, str]:
    """The environment the shells run in: our console script first on PATH."""
    return env_with(
        {"PATH": f"{Path(LLMGW).parent}{os.pathsep}{os.environ['PATH']}", "TERM": "dumb"}
    )


@pytest.fixture(autouse=True)
def profiles() -> None:
    store = ProfileStore()  # under the test's LLMGW_HOME, which the shells inherit
    for name in ("corp", "cloud", "local"):
        store.save(Profile(name=name, endpoint="https://x.example", auth=Auth("none")))


@pytest.mark.parametrize("shell", sorted(FILES))
def test_committed_scripts_are_current(shell: str) -> None:
    done = run("completion", shell)
    assert done.returncode == 0, done.stderr
    committed = (FOLDER / FILES[shell]).read_text(encoding="utf-8")
    assert done.stdout == committed, "run: python scripts/gen_completions.py"


def test_unknown_shell() -> None:
    done = run("completion", "tcsh")
    assert done.returncode == 2
    assert "use one of bash, zsh, fish" in done.stderr
    assert done.stdout == ""


CASES = [
    ("llmgw pro", ["profile"]),
    (
        "llmgw profile ",
        [
            "add",
            "current",
            "edit",
            "export",
            "import",
            "list",
            "ls",
            "remove",
            "rename",
            "rm",
            "set",
            "show",
            "use",
        ],
    ),
    ("llmgw profile show c", ["cloud", "corp"]),
    ("llmgw env --profile l", ["local"]),
    ("llmgw env --shell ", ["bash", "dotenv", "fish", "json", "powershell", "zsh"]),
    ("llmgw env --sh", ["--shell", "--shim"]),
    ("llmgw secret ", ["list", "remove", "rm", "set"]),
    ("llmgw completion ", ["bash", "fish", "zsh"]),
    ("llmgw doctor --check t", ["tcp", "tls", "tool_regex"]),
]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(("line", "expected"), CASES)
def test_bash(line: str, expected: list[str]) -> None:
    words = line.split(" ")  # a trailing space leaves an empty word being completed
    program = (
        f"source {FOLDER / FILES['bash']}\n"
        "spec=$(complete -p llmgw) || exit 9\n"
        'COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()\n'
        "_llmgw_completion llmgw\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program, "bash", *words],
        capture_output=True,
        text=True,
        env=shell_env(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == expected, done.stderr


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
@pytest.mark.parametrize(("line", "expected"), CASES)
def test_fish(line: str, expected: list[str], tmp_path: Path) -> None:
    program = f"source {FOLDER / FILES['fish']}; complete -C {line!r}"
    done = subprocess.run(
        ["fish", "--no-config", "-c", program],
        capture_output=True,
        text=True,
        env=shell_env() | {"HOME": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # fish prints "value<TAB>help"
    assert sorted(row.split("\t")[0] for row in done.stdout.splitlines()) == expected, done.stderr


ZSH_CASES = [
    ("llmgw pro\t", "llmgw profile "),  # a unique match is inserted into the line
    ("llmgw profile show c\t", "cloud  corp"),  # several are listed
    ("llmgw env --shell \t", "bash        dotenv      fish        json        powershell  zsh"),
    ("llmgw env --profile l\t", "llmgw env --profile local "),
]


def zsh_complete(setup: list[str], typed: str, want: str, home: Path, timeout: float = 30) -> str:
    """Type into an interactive zsh on a pseudo-terminal: real ZLE, real compsys."""
    env = shell_env() | {"HOME": str(home), "PS1": "> ", "ZDOTDIR": str(home)}
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execvpe("zsh", ["zsh", "-f", "-i"], env)
    output = b""

    def read_until(marker: bytes) -> bytes:
        nonlocal output
        deadline = time.monotonic() + timeout
        start = len(output)
        while marker not in output[start:] and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    output += os.read(fd, 65536)
                except OSError:
                    break
        return output[start:]

    try:
        for line in setup:
            os.write(fd, line.encode() + b"\n")
        os.write(fd, b"echo READY$((40+2))\n")  # the echo of the typed line is not READY42
        assert b"READY42" in read_until(b"READY42"), output.decode(errors="replace")
        os.write(fd, typed.encode())
        return read_until(want.encode()).decode(errors="replace")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
@pytest.mark.parametrize("install", ["source", "fpath"])
@pytest.mark.parametrize(("typed", "want"), ZSH_CASES)
def test_zsh(install: str, typed: str, want: str, tmp_path: Path) -> None:
    dump = tmp_path / "zcompdump"
    if install == "source":  # source <(llmgw completion zsh) in .zshrc
        setup = [
            f"autoload -U compinit && compinit -u -d {dump}",
            f"source {FOLDER / FILES['zsh']}",
        ]
    else:  # _llmgw in a folder on $fpath, the usual install
        setup = [f"fpath=({FOLDER} $fpath)", f"autoload -U compinit && compinit -u -d {dump}"]
    seen = zsh_complete(setup, typed, want, tmp_path)
    assert want in seen, seen
