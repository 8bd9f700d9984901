"""The one place that writes to the terminal for the CLI layer (rich; NO_COLOR honoured)."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

from rich.console import Console

from llmgw_cli.errors import debug as debug

# Results go to stdout; messages, warnings and progress go to stderr, so
# `eval "$(llmgw env)"` and `--json` pipes only ever see what they asked for.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    err.print(message)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {message}", markup=True)


def success(message: str) -> None:
    err.print(f"[green]✓[/] {message}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def abort(message: str, code: int = 2) -> NoReturn:
    """One red line naming the fix, then exit."""
    from llmgw_cli.errors import LlmgwError

    error = LlmgwError(message)
    error.exit_code = code
    raise error
