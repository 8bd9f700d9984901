"""`llmgw completion bash|zsh|fish`: print the shell completion script.

The scripts (committed in completions/) call ``llmgw`` back with ``_LLMGW_COMPLETE`` set;
``cli.app.run`` then calls :func:`enable` so Typer's completion classes answer.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from llmgw_cli.errors import UsageError

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_LLMGW_COMPLETE"


def register(app: typer.Typer) -> None:
    app.command("completion")(completion)


def enable() -> None:
    """Register Typer's bash/zsh/fish completion classes with its vendored click.

    Typer does this only for apps built with ``add_completion=True`` (which adds the
    --install-completion options we do not want), so without it every answer is
    "Shell bash not supported".
    """
    from typer._completion_classes import completion_init

    completion_init()


# Typer's zsh script only calls compdef, so installed the usual way (as _llmgw in a folder
# on $fpath) the first TAB of every shell completes nothing. This one also answers when
# autoloaded (click's approach); sourced, it registers itself.
ZSH_SCRIPT = f"""#compdef llmgw

_llmgw_completion() {{
  eval $(env _TYPER_COMPLETE_ARGS="${{words[1,$CURRENT]}}" {COMPLETE_VAR}=complete_zsh llmgw)
}}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _llmgw_completion "$@"
else
  compdef _llmgw_completion llmgw
fi
"""


def script(shell: str) -> str:
    """The completion script, the same text that is committed in completions/."""
    from typer._completion_shared import get_completion_script

    if shell not in SHELLS:
        raise UsageError(f"no completion for {shell!r}; use one of {', '.join(SHELLS)}")
    if shell == "zsh":
        return ZSH_SCRIPT
    return get_completion_script(prog_name="llmgw", complete_var=COMPLETE_VAR, shell=shell) + "\n"


def profile_names(incomplete: str) -> list[str]:
    """Profile names for completing --profile and NAME arguments (a folder listing, no YAML)."""
    from llmgw_cli.config.store import ProfileStore

    return [n for n in ProfileStore().names() if n.startswith(incomplete)]


def profile_option(help_text: str = "Profile (default: the selected one).") -> Any:
    """The `--profile/-p NAME` option every command shares, with name completion."""
    return typer.Option(
        None,
        "--profile",
        "-p",
        metavar="NAME",
        help=help_text,
        autocompletion=profile_names,
    )


def shell_names(incomplete: str) -> list[str]:
    from llmgw_cli.clientenv.shells import SHELLS as ENV_SHELLS

    return [s for s in ENV_SHELLS if s.startswith(incomplete)]


def completion_shells(incomplete: str) -> list[str]:
    return [s for s in SHELLS if s.startswith(incomplete)]


def completion(
    shell: str = typer.Argument(..., help="bash, zsh or fish.", autocompletion=completion_shells),
) -> None:
    """Print the completion script.

    bash: source <(llmgw completion bash); zsh: source <(llmgw completion zsh);
    fish: llmgw completion fish | source. Or install the files in completions/.
    """
    sys.stdout.write(script(shell))
