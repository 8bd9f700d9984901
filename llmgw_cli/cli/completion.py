"""`llmgw completion bash|zsh|fish`: print the shell completion script."""

from __future__ import annotations

import sys

import typer

from llmgw_cli.errors import UsageError

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_LLMGW_COMPLETE"


def register(app: typer.Typer) -> None:
    app.command("completion")(completion)


def script(shell: str) -> str:
    """The completion script, the same text that is committed in completions/."""
    # Typer vendors click; its scripts drive Typer's own completion classes.
    from typer._completion_shared import get_completion_script

    if shell not in SHELLS:
        raise UsageError(f"no completion for {shell!r}; use one of {', '.join(SHELLS)}")
    return get_completion_script(prog_name="llmgw", complete_var=COMPLETE_VAR, shell=shell)


def completion(shell: str = typer.Argument(..., help="bash, zsh or fish.")) -> None:
    """Print the completion script. bash: source <(llmgw completion bash)."""
    sys.stdout.write(script(shell))
