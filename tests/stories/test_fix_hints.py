"""Every fix llmgw prints for the ten most common failures, followed as a user would.

Each case provokes a failure with real components (a mock or fake gateway, real TLS with a
private CA, a closed port), collects the commands named in the message (each in
backquotes), checks every one parses — shell syntax and llmgw's own argument parser —
then runs it with its placeholders (URL, MODEL, YOUR_KEY, /path/ca.pem) filled in, and shows
the failure is gone.
"""

from __future__ import annotations

import json
import re
import shlex
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
import typer
from typer.core import TyperGroup

from llmgw_cli.cli.app import app
from tests.doctor.servers import Gateway, gateway
from tests.helpers.mockserver import mock_thread
from tests.stories.kit import bash, llmgw, user_env

pytestmark = pytest.mark.e2e

KEY = "right-key-0123456789"
# Commands that start a server run until stopped: they are only parsed, never run here.
PARSE_ONLY = ("llmgw mock", "llmgw shim start", "llmgw demo")
_BACKQUOTED = re.compile(r"`([^`]+)`")


def commands(text: str) -> list[str]:
    """The commands a message tells the user to run (llmgw …, export …)."""
    return [c for c in _BACKQUOTED.findall(text) if c.startswith(("llmgw ", "export "))]


def parses(command: str) -> None:
    """Valid shell, and for llmgw: every word accepted by its argument parser."""
    check = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True)
    assert check.returncode == 0, (command, check.stderr)
    words = shlex.split(command)
    if words[0] != "llmgw":
        return
    cmd = typer.main.get_command(app)
    args, ctx = words[1:], None
    while True:
        ctx = cmd.make_context(words[0], list(args), parent=ctx)
        if not isinstance(cmd, TyperGroup):
            return
        rest = [*getattr(ctx, "protected_args", getattr(ctx, "_protected_args", [])), *ctx.args]
        name, sub, args = cmd.resolve_command(ctx, rest)
        assert sub is not None, (command, name)
        cmd = sub


def doctor(env: dict[str, str], *checks: str, profile: str = "corp") -> dict[str, dict[str, str]]:
    flags = [f"--check={c}" for c in checks]
    done = llmgw("doctor", "--profile", profile, "--json", *flags, env=env, check=False)
    assert done.returncode in (0, 1), done.stderr
    return {c["id"]: c for c in json.loads(done.stdout)["results"][0]["checks"]}


@dataclass
class Case:
    name: str
    provoke: Callable[[dict[str, str], ExitStack], tuple[str, dict[str, str]]]
    fixed: Callable[[dict[str, str]], None]


def follow(text: str, fills: dict[str, str], env: dict[str, str]) -> list[str]:
    found = commands(text)
    assert found, f"no command in: {text}"
    for command in found:
        parses(command)
        if command.startswith(PARSE_ONLY):
            continue
        for placeholder, value in fills.items():
            command = command.replace(placeholder, value)
        done = bash(command, env)
        assert done.returncode == 0, (command, done.stderr)
    return found


# --- the catalogue ---------------------------------------------------------------------


def missing_secret(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    llmgw("profile", "add", "corp", "--endpoint", "https://gw.example", env=env)
    llmgw("profile", "set", "corp", "auth.secret=file", env=env)
    done = llmgw("env", "--profile", "corp", env=env, check=False)
    assert done.returncode == 2
    env["_STDIN"] = KEY
    return done.stderr, {"llmgw secret set corp": f"printf %s {KEY} | llmgw secret set corp"}


def token_works(env: dict[str, str]) -> None:
    assert llmgw("token", "--profile", "corp", env=env).stdout == KEY + "\n"


def env_var_unset(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    llmgw("profile", "add", "corp", "--endpoint", "https://gw.example", "--secret-env",
          "CORP_KEY", env=env)  # fmt: skip
    done = llmgw("token", "--profile", "corp", env=env, check=False)
    assert done.returncode == 2
    # An export only lasts in the shell that runs it: follow it, then use it there.
    return done.stderr, {"YOUR_KEY": KEY + " && llmgw token --profile corp"}


def exported_key_works(env: dict[str, str]) -> None:
    done = bash(f"export CORP_KEY={KEY} && llmgw token --profile corp", env)
    assert done.stdout == KEY + "\n", done.stderr


def wrong_header(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    url = stack.enter_context(gateway(Gateway(only_header="x-api-key", key=KEY)))
    llmgw("profile", "add", "corp", "--endpoint", url, "--secret-env", "CORP_KEY", env=env)
    env["CORP_KEY"] = KEY
    return doctor(env, "auth")["auth"]["fix"], {}


def auth_ok(env: dict[str, str]) -> None:
    assert doctor(env, "auth")["auth"]["status"] == "ok"


def v1_suffix(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    url = stack.enter_context(mock_thread())
    done = llmgw("profile", "add", "corp", "--endpoint", url + "/v1", "--auth", "none", env=env)
    assert "/v1/v1/messages" in done.stderr  # the warning explains what it changed, and why
    # Nothing to run: the endpoint is already stored without /v1. Doctor's fix for a
    # hand-written /v1 profile is to set it without:
    return f"`llmgw profile set corp endpoint={url}`", {}


def messages_ok(env: dict[str, str]) -> None:
    assert doctor(env, "messages")["messages"]["status"] == "ok"


def unknown_model(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    models = "claude-sonnet-4-5,claude-opus-4-1"
    url = stack.enter_context(mock_thread(models=models.split(","), strict_models=True))
    llmgw("profile", "add", "corp", "--endpoint", url, "--auth", "none", "--model",
          "claude-sonet-4-5", env=env)  # fmt: skip
    return doctor(env, "models")["models"]["fix"], {}


def models_ok(env: dict[str, str]) -> None:
    assert doctor(env, "models", "messages")["messages"]["status"] == "ok"


def rejected_betas(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    url = stack.enter_context(mock_thread(reject_betas=True))
    llmgw("profile", "add", "corp", "--endpoint", url, "--auth", "none", env=env)
    return doctor(env, "betas")["betas"]["fix"], {}


def betas_ok(env: dict[str, str]) -> None:
    assert doctor(env, "betas")["betas"]["status"] == "ok"


@contextmanager
def private_ca_gateway(folder: Path) -> Iterator[tuple[str, Path]]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    pem = folder / "corp-ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    with gateway(Gateway(), context) as url:
        yield url, pem


def private_ca(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    url, pem = stack.enter_context(private_ca_gateway(Path(env["HOME"])))
    llmgw("profile", "add", "corp", "--endpoint", url, "--auth", "none", env=env)
    return doctor(env, "tls")["tls"]["fix"], {"/path/ca.pem": str(pem)}


def tls_ok(env: dict[str, str]) -> None:
    assert doctor(env, "tls")["tls"]["status"] == "ok"


def refused(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llmgw("profile", "add", "corp", "--endpoint", f"http://127.0.0.1:{port}", "--auth", "none",
          env=env)  # fmt: skip
    fix = doctor(env, "tcp")["tcp"]["fix"]
    return fix, {"URL": stack.enter_context(mock_thread())}


def tcp_ok(env: dict[str, str]) -> None:
    assert doctor(env, "tcp")["tcp"]["status"] == "ok"


def export_without_model(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    llmgw("profile", "add", "corp", "--endpoint", "https://gw.example", "--auth", "none", env=env)
    done = llmgw("export", "litellm", "--profile", "corp", env=env, check=False)
    return done.stderr, {"MODEL": "claude-sonnet-4-5"}


def exported(env: dict[str, str]) -> None:
    done = llmgw("export", "litellm", "--profile", "corp", env=env)
    assert "claude-sonnet-4-5" in done.stdout


def unknown_profile(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    llmgw("profile", "add", "corp", "--endpoint", "https://gw.example", "--auth", "none", env=env)
    done = llmgw("env", "--profile", "crop", env=env, check=False)
    assert done.returncode == 2 and "did you mean 'corp'?" in done.stderr
    return done.stderr, {"URL": "https://gw2.example", "llmgw profile list": "true"}


def crop_exists(env: dict[str, str]) -> None:
    assert "https://gw2.example" in llmgw("profile", "show", "crop", env=env).stdout


def unknown_check(env: dict[str, str], stack: ExitStack) -> tuple[str, dict[str, str]]:
    llmgw("profile", "add", "corp", "--endpoint", "https://gw.example", "--auth", "none", env=env)
    done = llmgw("doctor", "--check", "tsl", env=env, check=False)
    assert done.returncode == 2 and "did you mean 'tls'?" in done.stderr
    return done.stderr, {}


def checks_listed(env: dict[str, str]) -> None:
    assert "tls" in llmgw("doctor", "--list-checks", env=env).stdout


CASES = [
    Case("missing secret", missing_secret, token_works),
    Case("env var unset", env_var_unset, exported_key_works),
    Case("wrong auth header", wrong_header, auth_ok),
    Case("/v1 suffix", v1_suffix, messages_ok),
    Case("unknown model", unknown_model, models_ok),
    Case("rejected betas", rejected_betas, betas_ok),
    Case("private CA", private_ca, tls_ok),
    Case("connection refused", refused, tcp_ok),
    Case("export without model", export_without_model, exported),
    Case("unknown profile", unknown_profile, crop_exists),
    Case("unknown check id", unknown_check, checks_listed),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_printed_fix_works_when_followed(case: Case, tmp_path: Path) -> None:
    env = user_env(tmp_path)
    with ExitStack() as stack:
        text, fills = case.provoke(env, stack)
        env.pop("_STDIN", None)
        follow(text, fills, env)
        case.fixed(env)
