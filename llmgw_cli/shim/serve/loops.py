"""Which event loop the shim serves on: uvloop when it is installed, else asyncio's own.

uvloop (the ``fast`` extra) runs the shim's own path ~10% faster (docs/architecture.md,
benchmarks/run_all.py). ``llmgw shim start --loop asyncio`` opts out; ``--loop uvloop``
insists, and says how to install it when it is missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

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
