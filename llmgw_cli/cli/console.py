"""The one place that writes to the terminal for the CLI layer (rich; NO_COLOR honoured)."""

from __future__ import annotations

import errno
import json
import sys
from typing import Any, NoReturn

from rich.console import Console
from rich.markup import escape

from llmgw_cli.errors import debug as debug


# Results go to stdout; messages, warnings and progress go to stderr, so
# `eval "$(llmgw env)"` and `--json` pipes only ever see what they asked for.
# Messages often carry text from outside (an upstream's error, a file's content, a user id):
# info/warn/success print it as text, never as rich markup (docs/architecture.md).
class _Console(Console):
    def on_broken_pipe(self) -> None:
        # rich's own answer exits 1; `llmgw … | head` is no error: __main__ decides.
        raise BrokenPipeError(errno.EPIPE, "the reader of the output went away")


out = _Console(highlight=False, soft_wrap=True)
err = _Console(stderr=True, highlight=False, soft_wrap=True)


class _Plain:
    """``out.print`` that never interprets rich markup: for lines built from outside text."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        out.print(*objects, markup=False, **kwargs)


plain = _Plain()


def info(message: str) -> None:
    err.print(message, markup=False)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {escape(message)}", markup=True)


def success(message: str) -> None:
    err.print(f"[green]✓[/] {escape(message)}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def abort(message: str, code: int = 2) -> NoReturn:
    """One red line naming the fix, then exit."""
    from llmgw_cli.errors import LlmgwError

    error = LlmgwError(message)
    error.exit_code = code
    raise error
