"""The ``llmgw`` Typer application; each command group lives in its own module."""

from __future__ import annotations

import errno
import importlib
import os
import sys

import typer

from llmgw_cli import __version__

# Each module defines ``register(app)``. Keep imports inside them light: --help loads all.
COMMAND_MODULES = (
    "profile",
    "secret",
    "envcmd",
    "doctor",
    "bench",
    "shim",
    "mock",
    "demo",
    "usage",
    "tokens",
    "statusline",
    "export",
    "completion",
)

ABOUT = (
    "Endpoint manager and local shim for Claude Code and OpenAI-style tools behind LLM gateways."
)

app = typer.Typer(
    name="llmgw",
    help=ABOUT,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmgw {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Endpoint manager and local shim for Claude Code and OpenAI-style tools."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"llmgw_cli.cli.{_name}").register(app)


def _whole_short_help(command: object) -> None:
    """Command lists show each command's whole first line, never cut with "…"."""
    for sub in (getattr(command, "commands", None) or {}).values():
        text = (sub.help or "").strip()
        if not sub.short_help and text:
            sub.short_help = text.split("\n\n")[0].replace("\n", " ")
        _whole_short_help(sub)


def run(args: list[str]) -> int:
    """Run the CLI; usage errors exit 2, ours are raised to ``__main__``."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
    from typer._click.utils import PacifyFlushWrapper

    from llmgw_cli.cli.completion import COMPLETE_VAR, enable

    if os.environ.get(COMPLETE_VAR):
        enable()  # a shell asks for completions: the scripts in completions/ call us so
    command = typer.main.get_command(app)
    if not os.environ.get(COMPLETE_VAR):  # fish wraps long completion descriptions
        _whole_short_help(command)
        if "-h" in args or "--help" in args:
            from llmgw_cli.cli.examples import add_examples

            add_examples(command)
    try:
        result = command.main(
            args, prog_name="llmgw", complete_var=COMPLETE_VAR, standalone_mode=False
        )
    except SystemExit as exc:  # completion answers end with sys.exit
        if isinstance(sys.stdout, PacifyFlushWrapper):
            # Typer's answer to EPIPE (wrap stdout, exit 1); `llmgw … | head` is no error:
            # __main__ handles it in one place.
            raise BrokenPipeError(errno.EPIPE, "the reader of stdout went away") from exc
        return exc.code if isinstance(exc.code, int) else 0
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except NoArgsIsHelpError as exc:
        exc.show()
        return 0 if not args else 2
    except ClickException as exc:
        exc.show()
        return int(exc.exit_code)
    except typer.Abort:
        return 130
    return int(result) if isinstance(result, int) else 0
