"""`llmgw env`, `exec`, `token`, `claude-settings` and `codex-config`: hand a profile to
client tools."""

from __future__ import annotations

import os
import sys

import typer

from llmgw_cli.cli import console
from llmgw_cli.cli.completion import profile_option, shell_names
from llmgw_cli.clientenv import shells
from llmgw_cli.clientenv.build import EnvRequest
from llmgw_cli.errors import CommandNotExecutable, CommandNotFound, UsageError


def register(app: typer.Typer) -> None:
    app.command("env")(env)
    app.command("exec", context_settings={"allow_interspersed_args": False})(exec_)
    app.command("token")(token)
    app.command("claude-settings")(claude_settings)
    app.command("codex-config")(codex_config)


def env(
    profile: str = profile_option(),
    shell: str = typer.Option(
        None,
        "--shell",
        help=f"{shells.choices_text()} (default: detected).",
        autocompletion=shell_names,
    ),
    unset: bool = typer.Option(False, "--unset", help="Unset every variable llmgw manages."),
    shim: bool = typer.Option(
        False, "--shim", help="Point clients at the running shim with its local token."
    ),
    json_out: bool = typer.Option(False, "--json", help="Same as --shell json."),
) -> None:
    """Print the shell code that sets the profile's environment: eval "$(llmgw env)"."""
    from llmgw_cli.cli.fastpath import write_env
    from llmgw_cli.clientenv.shells import lookup

    if json_out:
        if shell not in (None, "json"):
            raise UsageError(f"--json and --shell {shell} disagree; pass one of them")
        shell = "json"

    if shell is not None:
        lookup(shell)  # an unknown shell is a usage error naming the choices
    write_env(EnvRequest(profile, shell, unset, shim))


def exec_(
    command: list[str] = typer.Argument(
        ..., metavar="COMMAND [ARGS]...", help="The command and its arguments, after --."
    ),
    profile: str = profile_option(),
    shim: bool = typer.Option(
        False,
        "--shim",
        help="Go through the running shim when it serves the profile, else a private one.",
    ),
) -> None:
    """Run COMMAND with the profile's environment; its exit code is passed through.

    Knows Claude Code (an OpenAI-only profile goes through a private, translating shim) and
    Codex (its provider block is passed with -c). 127: COMMAND not found; 126: not executable.

    Example: llmgw exec --profile corp -- claude -p "hello"
    """
    from llmgw_cli.clientenv.launch import decide

    if not command:
        raise UsageError("name a command: llmgw exec --profile corp -- claude -p 'hi'")
    from llmgw_cli.clientenv import codex_config

    if codex_config.is_codex(command):
        from llmgw_cli.cli.codexexec import exec_codex

        raise typer.Exit(exec_codex(profile, command, shim))
    launch = decide(profile, shim, command, dict(os.environ))
    if launch.notice:
        sys.stderr.write(launch.notice + "\n")
    if launch.private_for is not None:
        from llmgw_cli.shim.serve.private import run_with_private_shim

        raise typer.Exit(run_with_private_shim(launch.private_for, launch.command or command))
    assert launch.env is not None and launch.command is not None
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(launch.command[0], launch.command, launch.env)
    except FileNotFoundError as exc:
        raise CommandNotFound(f"command not found: {command[0]}; check its name and PATH") from exc
    except PermissionError as exc:
        raise CommandNotExecutable(f"cannot run {command[0]}: permission denied") from exc


def token(
    profile: str = profile_option(),
) -> None:
    """Print the profile's secret (for Claude Code's apiKeyHelper)."""
    from llmgw_cli.clientenv.build import token as get_token

    sys.stdout.write(get_token(profile) + "\n")


def claude_settings(
    profile: str = profile_option(),
    scope: str = typer.Option(
        "user",
        "--scope",
        metavar="SCOPE",
        help="user (~/.claude/settings.json), project (.claude/settings.json) or local "
        "(.claude/settings.local.json).",
        show_default=True,
    ),
    print_only: bool = typer.Option(
        False, "--print", help="Print the merged settings instead of writing them."
    ),
) -> None:
    """Merge the profile into Claude Code's settings.json (apiKeyHelper, never the secret).

    The helper is run once first (it must print one line and exit 0); the old file is kept
    as settings.json.bak.N.

    Example: llmgw claude-settings --profile corp --scope user
    """
    from llmgw_cli.clientenv import claude_settings as cs
    from llmgw_cli.clientenv import helpercheck
    from llmgw_cli.clientenv.build import selected
    from llmgw_cli.config import checks

    _, prof = selected(profile)
    has_password = prof.proxy.secret or checks.shown_url(prof.proxy.https) != prof.proxy.https
    if scope == "project" and has_password:
        raise UsageError(
            f"profile {prof.name}'s proxy needs a password, and project settings "
            "(.claude/settings.json) are usually committed; use --scope local or --scope user"
        )
    from llmgw_cli.config.secrets import Secrets

    Secrets().fill_proxy(prof)  # Claude Code reads HTTPS_PROXY only: the password goes with it
    path = cs.settings_path(scope)
    data = cs.merged(cs.load(path), prof)
    if print_only:
        console.print_json(data)
        return
    helper = data.get("apiKeyHelper")
    if prof.auth.type != "none" and isinstance(helper, str):
        helpercheck.check(helper, dict(os.environ))
    backup = cs.write(path, data)
    console.success(f"wrote {path}" + (f" (backup: {backup})" if backup else ""))
    if isinstance(helper, str):
        console.info(f"Claude Code now uses profile {prof.name}; its key comes from `{helper}`")
    else:
        console.info(f"Claude Code now uses profile {prof.name} (auth none)")


def codex_config(
    profile: str = profile_option(),
    print_only: bool = typer.Option(
        False, "--print", help="Print the merged config.toml instead of writing it."
    ),
    use: bool = typer.Option(
        False, "--use", help="Also set model_provider, so plain `codex` uses this profile."
    ),
) -> None:
    """Merge the profile into Codex's config.toml as a model provider (never the secret)."""
    from llmgw_cli.cli.codexexec import write_codex_config

    write_codex_config(profile, print_only, use)
