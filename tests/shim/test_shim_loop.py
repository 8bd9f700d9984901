"""`llmgw shim start --loop`: uvloop when installed, asyncio's loop on request."""

from __future__ import annotations

import asyncio
import importlib.util

import pytest

from llmgw_cli.errors import ConfigError
from llmgw_cli.shim.serve import loops

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None


def test_asyncio_opts_out() -> None:
    assert loops.factory("asyncio") is None


@pytest.mark.skipif(not HAS_UVLOOP, reason="uvloop not installed (the fast extra)")
def test_auto_and_uvloop_serve_on_uvloop() -> None:
    for choice in ("auto", "uvloop"):
        make = loops.factory(choice)
        assert make is not None
        loop = make()
        try:
            assert type(loop).__module__.startswith("uvloop")
            assert loop.run_until_complete(asyncio.sleep(0, "ran")) == "ran"
        finally:
            loop.close()


def test_unknown_loop_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="auto, uvloop, asyncio"):
        loops.factory("trio")
