"""`llmgw env`, `exec`, `token` and `claude-settings`: hand a profile to client tools."""

from __future__ import annotations

import os
import sys

import typer

from llmgw_cli.cli import console
from llmgw_cli.cli.completion import profile_option, shell_names
from llmgw_cli.clientenv import shells
from llmgw_cli.clientenv.build import EnvRequest
from llmgw_cli.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("env")(env)
    app.command("exec", context_settings={"allow_interspersed_args": False})(exec_)
    app.command("token")(token)
    app.command("claude-settings")(claude_settings)


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
    command: list[str] = typer.Argument(..., help="The command and its arguments, after --."),
    profile: str = profile_option(),
    shim: bool = typer.Option(
        False, "--shim", help="Go through the running shim, or a private one for this command."
    ),
) -> None:
    """Run COMMAND with the profile's environment; its exit code is passed through."""
    from llmgw_cli.clientenv import mapping
    from llmgw_cli.clientenv.build import plan_for

    if not command:
        raise UsageError("name a command: llmgw exec --profile corp -- claude -p 'hi'")
    chain: list[str] = []
    if shim:
        from llmgw_cli import shimstate

        state = shimstate.read()
        if state is None:
            from llmgw_cli.shim.serve.private import run_with_private_shim

            raise typer.Exit(run_with_private_shim(profile, command))
        chain = list(state.chain)
    plan, name = plan_for(EnvRequest(profile=profile, shim=shim))
    env = mapping.apply(plan, dict(os.environ))
    if shim:  # no chain member's secret variable reaches the child, only the local token
        from llmgw_cli.config.store import ProfileStore

        store = ProfileStore()
        for member in dict.fromkeys([*([name] if name else []), *chain]):
            if store.exists(member):
                env = mapping.without_secret_source(env, store.load(member))
    sys.stdout.flush()
    try:
        os.execvpe(command[0], command, env)
    except FileNotFoundError as exc:
        raise UsageError(f"command not found: {command[0]}; check its name and your PATH") from exc
    except PermissionError as exc:
        raise UsageError(f"cannot run {command[0]}: permission denied") from exc


def token(
    profile: str = profile_option(),
) -> None:
    """Print the profile's secret (for Claude Code's apiKeyHelper)."""
    from llmgw_cli.clientenv.build import token as get_token

    sys.stdout.write(get_token(profile) + "\n")


def claude_settings(
    profile: str = profile_option(),
    scope: str = typer.Option(
        "user", "--scope", help="user (~/.claude), project (.claude/settings.json) or local."
    ),
    print_only: bool = typer.Option(
        False, "--print", help="Print the merged settings instead of writing them."
    ),
) -> None:
    """Merge the profile into Claude Code's settings.json (apiKeyHelper, never the secret)."""
    from llmgw_cli.clientenv import claude_settings as cs
    from llmgw_cli.clientenv.build import selected
    from llmgw_cli.config import checks

    _, prof = selected(profile)
    if scope == "project" and checks.shown_url(prof.proxy.https) != prof.proxy.https:
        raise UsageError(
            f"profile {prof.name}'s proxy URL holds a password, and project settings "
            "(.claude/settings.json) are usually committed; use --scope local or --scope user"
        )
    path = cs.settings_path(scope)
    data = cs.merged(cs.load(path), prof)
    if print_only:
        console.print_json(data)
        return
    backup = cs.write(path, data)
    console.success(f"wrote {path}" + (f" (backup: {backup})" if backup else ""))
    console.info(
        f"Claude Code now uses profile {prof.name}; "
        f"its key comes from `llmgw token --profile {prof.name}`"
    )
