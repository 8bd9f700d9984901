"""``llmgw statusline``: one line for Claude Code's statusLine setting.

    {"statusLine": {"type": "command", "command": "llmgw statusline"}}

Claude Code pipes a JSON description of the session on stdin; its workspace folder is
used to find the profile (a `.llmgw-profile` there wins). Never fails: a status line that
errors would only print noise under the prompt.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("statusline")
    def statusline_cmd() -> None:
        """Print `profile · p50 TTFT · today's cost` for Claude Code's status line."""
        from llmgw_cli.statusline import main

        main()
