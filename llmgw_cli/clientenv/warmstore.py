"""The cold path's side of the warm cache (clientenv/warm.py's file): what it learns, kept.

Imported only on the cold path (it may import pathlib and paths.py); clientenv/warm.py
reads what this writes. Never an error: a cache that cannot be written is a miss next time.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from llmgw_cli import __version__
from llmgw_cli.clientenv.warm import FILE, FORMAT, cache_guess, identity, inputs, read_cache

if TYPE_CHECKING:
    from llmgw_cli.clientenv.plancache import Compiled


def remember(name: str, profile_file: str, st: os.stat_result, compiled: Compiled) -> None:
    """Keep ``compiled`` for the warm path (``st``: the profile file's stat the plan was
    checked against or compiled after)."""
    cache = cache_guess()
    if cache is None:
        return
    try:
        plan_id = identity(os.path.join(cache, "envplan", name + ".json"))
    except OSError:
        return
    new = (
        profile_file, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns), plan_id,
        compiled.profile, compiled.secret_ref, tuple((k, v) for k, v in compiled.values),
        tuple(compiled.cleared),
    )  # fmt: skip

    def add(entries: dict[object, object]) -> bool:
        if entries.get(name) == new:
            return False
        entries[name] = new
        return True

    _update(cache, add)


def remember_shell(name: str) -> None:
    """Keep shellingham's answer for this process chain (clientenv/shelldetect.py)."""
    from llmgw_cli.clientenv import shelldetect

    cache = cache_guess()
    if cache is not None:
        _update(cache, lambda entries: shelldetect.remember(entries, name))


def _update(cache: str, change: Callable[[dict[object, object]], bool]) -> None:
    """Read, change and (when ``change`` says so) rewrite the cache file."""
    import contextlib
    from pathlib import Path

    from llmgw_cli import paths

    if cache != str(paths.cache_dir()):
        return  # the warm path would not look there
    config = str(paths.config_dir())
    found = read_cache(cache)
    entries = dict(found[1]) if found is not None and found[0] == config else {}
    if not change(entries) and found is not None:
        return
    data = marshal.dumps((FORMAT, __version__, inputs(), config, cache, entries))
    with contextlib.suppress(OSError):
        paths.write_atomic(Path(cache, FILE), data, mode=0o600)
