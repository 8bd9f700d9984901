"""The one place that writes to the terminal for the CLI layer (rich; NO_COLOR honoured)."""

from __future__ import annotations

import errno
import io
import json
import sys
from typing import IO, Any, NoReturn, cast

from rich.console import Console
from rich.markup import escape

from llmgw_cli.errors import debug as debug

# Wide enough that nothing is wrapped or cut when stdout is a pipe or a file.
PIPE_WIDTH = 10_000


class _Pipe(io.TextIOBase):
    """stdout when it is not a terminal: whole lines, without the padding tables add."""

    def __init__(self) -> None:
        self._pending = ""

    def write(self, text: str) -> int:
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        for line in lines:
            sys.stdout.write(line.rstrip() + "\n")
        if lines:
            sys.stdout.flush()  # keep the order with stderr, as a plain print would
        return len(text)

    def flush(self) -> None:
        if self._pending.strip():
            sys.stdout.write(self._pending)
            self._pending = ""
        sys.stdout.flush()

    def isatty(self) -> bool:
        return False


def _stdout_console() -> Console:
    if sys.stdout.isatty():
        return _Console(highlight=False, soft_wrap=True)
    pipe = cast("IO[str]", _Pipe())
    return _Console(highlight=False, soft_wrap=True, file=pipe, width=PIPE_WIDTH)


# Results go to stdout; messages, warnings and progress go to stderr, so
# `eval "$(llmgw env)"` and `--json` pipes only ever see what they asked for.
# Messages often carry text from outside (an upstream's error, a file's content, a user id):
# info/warn/success print it as text, never as rich markup (docs/architecture.md).
class _Console(Console):
    def on_broken_pipe(self) -> None:
        # rich's own answer exits 1; `llmgw … | head` is no error: __main__ decides.
        raise BrokenPipeError(errno.EPIPE, "the reader of the output went away")


out = _stdout_console()
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
