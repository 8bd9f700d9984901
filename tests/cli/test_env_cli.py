"""`llmgw env`, `exec` and `token` through the console script (fast path and Typer path)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import LLMGW, env_with, run

SECRET = "sk-env-cli-secret-'$`\"-9911"


@pytest.fixture
def corp() -> None:
    done = run(
        "profile",
        "add",
        "corp",
        "--endpoint",
        "https://gw.example",
        "--secret-env",
        "CORP_KEY",
        "--header",
        "X-Department: Eng",
        "--model",
        "m1",
        "--format",
        "anthropic",
        "--format",
        "openai",
    )
    assert done.returncode == 0, done.stderr


ENV = {"CORP_KEY": SECRET}


@pytest.mark.usefixtures("corp")
@pytest.mark.parametrize("flag", [["--shell", "json"], ["--json"], ["--shell=json"]])
def test_json_shape(flag: list[str]) -> None:
    done = run("env", *flag, env=ENV)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"set", "unset"}
    assert data["set"].pop("LLMGW_ENV_STATE")
    assert data["set"] == {
        "ANTHROPIC_BASE_URL": "https://gw.example",
        "ANTHROPIC_AUTH_TOKEN": SECRET,
        "ANTHROPIC_CUSTOM_HEADERS": "X-Department: Eng",
        "OPENAI_BASE_URL": "https://gw.example/v1",
        "OPENAI_API_BASE": "https://gw.example/v1",
        "OPENAI_API_KEY": SECRET,
        "ANTHROPIC_MODEL": "m1",
        "LLMGW_ACTIVE_PROFILE": "corp",
    }
    assert data["unset"] == ["ANTHROPIC_API_KEY"]  # never both auth variables
    assert done.stderr == ""


@pytest.mark.usefixtures("corp")
def test_dotenv_shape() -> None:
    done = run("env", "--shell", "dotenv", env=ENV)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == 'ANTHROPIC_BASE_URL="https://gw.example"'
    assert 'ANTHROPIC_CUSTOM_HEADERS="X-Department: Eng"' in lines
    assert all("=" in line and not line.startswith(("unset", "export")) for line in lines)


@pytest.mark.usefixtures("corp")
def test_powershell_shape() -> None:
    done = run("env", "--shell", "powershell", env=ENV)
    assert done.returncode == 0
    assert "Remove-Item Env:ANTHROPIC_API_KEY -ErrorAction SilentlyContinue\n" in done.stdout
    assert "$Env:ANTHROPIC_BASE_URL = 'https://gw.example'\n" in done.stdout
    assert "$Env:ANTHROPIC_AUTH_TOKEN = 'sk-env-cli-secret-''$`\"-9911'\n" in done.stdout


@pytest.mark.usefixtures("corp")
def test_fast_path_and_typer_path_agree() -> None:
    fast = run("env", "--shell", "bash", env=ENV)
    # --shell given twice is not something the fast parser takes: Typer handles it.
    slow = run("env", "--shell", "fish", "--shell", "bash", env=ENV)
    assert fast.returncode == slow.returncode == 0, slow.stderr
    assert fast.stdout == slow.stdout
    assert "export ANTHROPIC_BASE_URL=https://gw.example\n" in fast.stdout


@pytest.mark.usefixtures("corp")
def test_unset() -> None:
    loaded = json.loads(run("env", "--json", env=ENV).stdout)["set"]
    done = run("env", "--unset", "--shell", "bash", env=loaded)
    assert done.returncode == 0
    assert "unset ANTHROPIC_BASE_URL\n" in done.stdout
    assert done.stdout.endswith("unset LLMGW_ENV_STATE\nunset LLMGW_ACTIVE_PROFILE\n")
    nothing = run("env", "--unset", "--shell", "fish")  # no record: nothing of the user's goes
    assert nothing.stdout == ""


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--profile", "ghost", "--shell", "bash"], {}, "no profile named 'ghost'"),
        (
            ["--profile", "corp", "--shell", "bash"],
            {"CORP_KEY": None},
            "$CORP_KEY, which is not set",
        ),
        (["--profile", "corp", "--shell", "tcsh"], ENV, "unknown shell 'tcsh'"),
        (["--profile", "corp", "--json", "--shell", "fish"], ENV, "disagree"),
        (["--profile", "bad name", "--shell", "bash"], ENV, "not a valid profile name"),
        (["--shell", "bash"], {"LLMGW_PROFILE": "ghost"}, "selected by LLMGW_PROFILE"),
        (["--shim", "--shell", "bash"], ENV, "no shim is running"),
        (["--profile"], ENV, "requires an argument"),
    ],
)
@pytest.mark.usefixtures("corp")
def test_errors_print_nothing_on_stdout(
    args: list[str], env: dict[str, str | None], message: str
) -> None:
    done = run("env", *args, env=env)
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr
    assert SECRET not in done.stderr


def test_invalid_profile_file_prints_nothing(llmgw_home: Path) -> None:
    folder = llmgw_home / "config" / "profiles"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text(
        "endpoint: https://gw.example\nauth: {type: none}\nheders: {}\n"
    )
    done = run("env", "--profile", "bad", "--shell", "bash")
    assert (done.returncode, done.stdout) == (2, "")
    assert f"{folder / 'bad.yaml'}:3: heders: unknown key; did you mean 'headers'?" in done.stderr


@pytest.mark.usefixtures("corp")
def test_token() -> None:
    assert run("token", env=ENV).stdout == SECRET + "\n"
    assert run("token", "--profile=corp", env=ENV).stdout == SECRET + "\n"
    run("profile", "add", "open", "--endpoint", "http://localhost:1", "--auth", "none")
    none = run("token", "--profile", "open")
    assert none.returncode == 2 and none.stdout == ""
    assert "auth none" in none.stderr


PRINT_ENV = (
    "import json, os; print(json.dumps({k: v for k, v in os.environ.items() "
    "if k.startswith(('ANTHROPIC_', 'OPENAI_', 'LLMGW_', 'CLAUDE_', 'KEEP_'))}))"
)


@pytest.mark.usefixtures("corp")
def test_exec_applies_the_environment_and_unsets_stale_variables() -> None:
    stale = {
        **ENV,
        "ANTHROPIC_API_KEY": "stale",
        "KEEP_ME": "yes",
        "API_TIMEOUT_MS": "1",  # the user's own: the profile does not set it
    }
    done = run(
        "exec",
        "--profile",
        "corp",
        "--",
        sys.executable,
        "-c",
        PRINT_ENV + "; import os; print(os.environ.get('API_TIMEOUT_MS'))",
        env=stale,
    )
    assert done.returncode == 0, done.stderr
    child_line, timeout_line = done.stdout.splitlines()
    child = json.loads(child_line)
    expected = json.loads(run("env", "--profile", "corp", "--json", env=ENV).stdout)["set"]
    assert child.pop("KEEP_ME") == "yes"
    # The test run's own settings pass through untouched; llmgw does not manage them.
    for own in ("LLMGW_HOME", "LLMGW_CLAUDE_BIN", "LLMGW_CODEX_BIN"):
        assert child.pop(own, None) == os.environ.get(own)
    assert child.pop("LLMGW_ENV_STATE") and expected.pop("LLMGW_ENV_STATE")
    assert child == expected  # ANTHROPIC_API_KEY is gone: never both auth variables
    assert timeout_line == "1"


@pytest.mark.usefixtures("corp")
@pytest.mark.parametrize("code", [0, 3, 42])
def test_exec_passes_the_exit_code_through(code: int) -> None:
    done = run("exec", "--", "sh", "-c", f"echo out; echo err >&2; exit {code}", env=ENV)
    assert (done.returncode, done.stdout, done.stderr) == (code, "out\n", "err\n")


@pytest.mark.usefixtures("corp")
def test_exec_arguments_after_the_command_are_not_ours() -> None:
    done = run(
        "exec", "--", "sh", "-c", 'printf "%s|" "$@"', "x", "--profile", "nope", "--help", env=ENV
    )
    assert (done.returncode, done.stdout) == (0, "--profile|nope|--help|")


@pytest.mark.usefixtures("corp")
def test_exec_errors(tmp_path: Path) -> None:
    missing = run("exec", "--", "no-such-command-xyz", env=ENV)
    assert missing.returncode == 127
    assert "command not found: no-such-command-xyz" in missing.stderr
    plain = tmp_path / "not-executable"
    plain.write_text("echo hi\n")
    plain.chmod(0o644)
    assert run("exec", "--", str(plain), env=ENV).returncode == 126
    assert run("exec", "--", "not-executable", env={**ENV, "PATH": str(tmp_path)}).returncode == 126
    nosecret = run("exec", "--", "true", env={"CORP_KEY": None})
    assert nosecret.returncode == 2 and "CORP_KEY" in nosecret.stderr
    assert run("exec", env=ENV).returncode == 2


@pytest.mark.usefixtures("corp")
@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["--shell", "bash"], '# to load it: eval "$(llmgw env)"\n'),
        (
            ["--profile", "corp", "--shell", "zsh"],
            '# to load it: eval "$(llmgw env --profile corp)"\n',
        ),
        (["--shell", "fish", "--unset"], "# to load it: llmgw env --unset | source\n"),
        (
            ["--shell", "fish", "--shell", "bash"],
            '# to load it: eval "$(llmgw env)"\n',
        ),  # Typer path
        (["--json"], ""),
    ],
)
def test_hint_on_a_terminal_only(args: list[str], hint: str) -> None:
    primary, replica = pty.openpty()
    try:
        done = subprocess.run(
            [LLMGW, "env", *args],
            stdout=replica,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env_with(ENV),
            text=True,
            timeout=60,
        )
    finally:
        os.close(replica)
        os.close(primary)
    assert done.returncode == 0
    assert done.stderr == hint
    piped = run("env", *args, env=ENV)
    assert piped.stderr == ""
