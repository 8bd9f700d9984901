"""`llmgw env` and `llmgw token` without Typer.

Typer and click cost ~50 ms to import, more than the whole command should take inside
`eval "$(llmgw env)"`. This parser knows only those two commands' options; anything else
(`--help`, a typo) returns None and the full Typer CLI handles it, with the same core.
"""

from __future__ import annotations

import shlex
import sys

from llmgw_cli.clientenv.build import EnvRequest


def parse(args: list[str]) -> EnvRequest | None:
    from llmgw_cli.clientenv.warm import parse as parse_plain

    req = parse_plain(args)
    return None if req is None else EnvRequest(req[0], req[1], req[2], req[3])


def run(args: list[str]) -> int | None:
    req = parse(args)
    if req is None:
        return None
    if req.shell is not None:
        from llmgw_cli.clientenv.shells import BY_NAME

        if req.shell not in BY_NAME:
            return None  # let Typer report the bad choice
    if args[0] == "token":
        from llmgw_cli.clientenv.build import token

        sys.stdout.write(token(req.profile) + "\n")
        return 0
    write_env(req)
    return 0


def write_env(req: EnvRequest) -> None:
    """Print the shell code; on a terminal (not inside eval), say how to load it on stderr."""
    from llmgw_cli.clientenv import shells
    from llmgw_cli.clientenv.build import env_script

    shell = req.shell or shells.detect()
    sys.stdout.write(env_script(EnvRequest(req.profile, shell, req.unset, req.shim)))
    if sys.stdout.isatty() and shells.lookup(shell).load_hint is not None:
        args = f" --profile {shlex.quote(req.profile)}" if req.profile else ""
        args += " --unset" if req.unset else ""
        args += " --shim" if req.shim else ""
        sys.stderr.write(f"# to load it: {shells.hint(shell, args)}\n")
