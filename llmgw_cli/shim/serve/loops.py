"""Which event loop the shim serves on: uvloop when installed, else asyncio's own.

uvloop (the ``fast`` extra) runs the shim's own path faster (benchmarks/shim_overhead.py
measures both). ``auto`` (the default) takes it when it is importable; ``--loop uvloop``
insists, and says how to install it when missing; ``--loop asyncio`` opts out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from llmgw_cli.errors import ConfigError

LOOPS = ("auto", "uvloop", "asyncio")


def factory(loop: str = "auto") -> Callable[[], asyncio.AbstractEventLoop] | None:
    """A loop factory for ``asyncio.Runner``; None means asyncio's default loop."""
    if loop not in LOOPS:
        raise ConfigError(f"--loop: must be one of {', '.join(LOOPS)} (got {loop!r})")
    if loop == "asyncio":
        return None
    try:
        import uvloop
    except ImportError as exc:
        if loop == "uvloop":
            raise ConfigError(
                "--loop uvloop: uvloop is not installed; pip install 'llmgw[fast]' "
                "or start with --loop asyncio"
            ) from exc
        return None
    return uvloop.new_event_loop


def name(loop: asyncio.AbstractEventLoop) -> str:
    """``uvloop`` or ``asyncio``: what the shim's start-up line says it serves on."""
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def run(main: Callable[[], Coroutine[Any, Any, None]], loop: str = "auto") -> None:
    """Run ``main()`` to completion on a new loop of the kind ``loop`` names."""
    make = factory(loop)
    if make is None:
        asyncio.run(main())
        return
    ev = make()
    asyncio.set_event_loop(ev)
    try:
        ev.run_until_complete(main())
        ev.run_until_complete(ev.shutdown_asyncgens())
    finally:
        asyncio.set_event_loop(None)
        ev.close()
