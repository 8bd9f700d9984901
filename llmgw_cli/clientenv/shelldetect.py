"""The detected shell (``llmgw env`` without ``--shell``), remembered for the warm path.

shellingham costs more to import than a whole warm `llmgw env` (it loads subprocess for
its ``ps`` fallback). Its answer on Linux is a function of what it reads from /proc — each
process's parent pid (``stat``) and command line, from this process up to ten levels — and
of ``SHELL``. It looks at a process's arguments only when the command is rosetta, qemu-* or
a python running a script named xonsh; a chain holding any of those is never kept, so the
key is each process's pid, parent pid and command (``argv[0]``), never its arguments (they
may hold anything, secrets too). Our own pid changes every run and is left out.
The answers live in the warm cache (clientenv/warm.py's file). See docs/architecture.md,
"Arrows".
"""

from __future__ import annotations

import os
import sys

MAX_DEPTH = 10  # shellingham's
KEEP = 32  # shells remembered at most (one a terminal, roughly)


def _ppid(pid: str) -> str:
    import re  # the console script has imported it already

    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
        return str(re.findall(r"\(.+\)|\S+", fh.read())[3])  # shellingham's parse


def key() -> tuple[object, ...] | None:
    """What shellingham's answer depends on here; None where it is not known."""
    if sys.platform != "linux":
        return None
    pid = str(os.getpid())
    chain: list[tuple[str, str, bytes]] = []  # (pid, parent pid, argv[0])
    try:
        for _ in range(MAX_DEPTH):
            ppid = _ppid(pid)
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                command = fh.read().split(b"\0")[0]
                fh.seek(0)
                if b"xonsh" in fh.read():
                    return None
            name = os.path.basename(command).lower()
            if name == b"rosetta" or name.startswith(b"qemu-"):
                return None
            chain.append(("" if not chain else pid, ppid, command))
            if ppid == "0":
                break
            pid = ppid
    except (OSError, IndexError):
        return None
    return ("shell", tuple(chain), os.environ.get("SHELL"), sys.getfilesystemencoding())


def cached(entries: dict[object, object]) -> str | None:
    """The remembered answer for this process's chain, or None."""
    found = key()
    name = entries.get(found) if found is not None else None
    return name if isinstance(name, str) else None


def remember(entries: dict[object, object], name: str) -> bool:
    """Add ``name`` for this chain to ``entries`` (the oldest go past KEEP); True if new."""
    found = key()
    if found is None or entries.get(found) == name:
        return False
    shells = [k for k in entries if isinstance(k, tuple) and k[:1] == ("shell",)]
    for old in shells[: max(0, len(shells) - KEEP + 1)]:
        del entries[old]
    entries[found] = name
    return True
