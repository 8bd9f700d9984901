"""Entry point. ``llmgw env``, ``llmgw token`` and ``llmgw statusline`` take a fast path that
never imports typer: they run inside every shell prompt, `eval` and Claude Code status line
refresh, so start-up time matters (docs/architecture.md, "Arrows"). A warm ``env``/``token``
is answered by clientenv/warm.py from its cache, importing almost nothing."""

from __future__ import annotations

import os
import sys


def report(exc: BaseException, code: int) -> int:
    """Print an LlmgwError as one red line on stderr; the traceback only with LLMGW_DEBUG=1."""
    if os.environ.get("LLMGW_DEBUG", "") not in ("", "0"):
        import traceback

        traceback.print_exception(exc)
    message = getattr(exc, "message", str(exc))
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    line = f"llmgw: error: {message}"
    sys.stderr.write(f"\x1b[31m{line}\x1b[0m\n" if colour else line + "\n")
    return code


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows up here, not at exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # errors.py is imported only now: the warm paths never need it
        from llmgw_cli.errors import LlmgwError

        if isinstance(exc, LlmgwError):
            return report(exc, exc.exit_code)
        # a bug: say so in one line; the traceback with LLMGW_DEBUG=1
        exc.message = (  # type: ignore[attr-defined]
            f"unexpected {type(exc).__name__}: {exc}; rerun with LLMGW_DEBUG=1 for the "
            "traceback and report it"
        )
        return report(exc, 1)


def _dispatch(args: list[str]) -> int:
    if args[:1] in (["env"], ["token"]):
        from llmgw_cli.clientenv import warm

        text = warm.answer(args)  # None: not warm; the fast path below answers
        if text is not None:
            sys.stdout.write(text)
            return 0
        from llmgw_cli.cli import fastpath

        code = fastpath.run(args)
        if code is not None:
            return code
    if args == ["statusline"]:
        from llmgw_cli.statusline import main as statusline

        return statusline()
    from llmgw_cli.cli import outcache

    code = outcache.replay(args)  # `--help`, `profile list`: the recorded output, if current
    if code is not None:
        return code
    from llmgw_cli.cli.app import run

    return outcache.record(args, run) if tuple(args) in outcache.REPLAYED else run(args)


def _reader_gone() -> int:
    """`llmgw … | head`: the reader went away; not our error. As Python's docs on SIGPIPE
    recommend, point stdout at devnull so the flush at interpreter exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 0


if __name__ == "__main__":
    sys.exit(main())
