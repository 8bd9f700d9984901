"""`llmgw --help` and `llmgw profile list` replayed from a cache, without Typer or rich.

Both are pure functions of what they read, and Typer + rich + the command modules cost
~10x python's start-up to import. The cold run records what it wrote (stdout and stderr,
in order, as text) and its exit code; the next run with the same key writes the same text.

The key (all of it compared on every run; any difference is a miss):
- the argv, exactly, from a short list (``REPLAYED``);
- llmgw's version, and the path, inode, size, mtime_ns and ctime_ns of every llmgw module
  and of each third-party package's ``__init__`` the cold run had loaded (an edit in a
  checkout, an upgrade of typer or rich);
- what the output depends on: for ``profile list`` the profiles folder (inode, mtime_ns and
  each ``*.yaml``'s identity) and the ``current`` file's identity;
- the terminal: whether fds 0-2 are terminals and their sizes, the streams' encodings
  (UTF-8 only) and the variables rich, Typer and click read (``TERMINAL_VARS``);
- the folders (the inputs clientenv/warm.py checks, in the same file).

The file is ``cache_dir()/outcache`` (marshal, 0600); a damaged or foreign one is ignored and
rewritten. Nothing secret is in these outputs (``profile list`` names secret references
only). See docs/architecture.md, "Arrows".
"""

from __future__ import annotations

import marshal
import os
import sys

from llmgw_cli import __version__
from llmgw_cli.clientenv import warm

TYPE_CHECKING = False  # not typing's: importing typing costs more than a replay
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

FORMAT = 1
FILE = "outcache"
COMPLETE_VAR = "_LLMGW_COMPLETE"  # cli/completion.py's
_MAX_FILE = 4 * 1024 * 1024
REPLAYED = (
    (), ("--help",), ("-h",), ("--version",), ("profile", "--help"),
    ("profile", "list"), ("profile", "ls"),
    ("profile", "list", "--json"), ("profile", "ls", "--json"),
)  # fmt: skip
TERMINAL_VARS = (
    "NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM", "COLUMNS", "LINES", "TTY_COMPATIBLE",
    "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES", "TERMINAL_WIDTH", "PY_COLORS",
    "_TYPER_FORCE_DISABLE_TERMINAL", "GITHUB_ACTIONS", "TYPER_USE_RICH", "UNICODE_VERSION",
    "DATABRICKS_RUNTIME_VERSION", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LANGUAGE",
    "LLMGW_DEBUG", "PYTHONIOENCODING",
)  # fmt: skip


def _identity(path: str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _tty(fd: int) -> tuple[int, int] | None:
    try:
        return tuple(os.get_terminal_size(fd)) if os.isatty(fd) else None  # type: ignore[return-value]
    except OSError:
        return None


def _utf8(stream: object) -> bool:
    encoding = str(getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
    return encoding == "utf8"


def terminal() -> tuple[object, ...] | None:
    """What the look of the output depends on; None when the streams are not UTF-8, or a
    shell asks for completions (their answer depends on its variables)."""
    if os.environ.get(COMPLETE_VAR) or not (_utf8(sys.stdout) and _utf8(sys.stderr)):
        return None
    get = os.environ.get
    return (_tty(0), _tty(1), _tty(2), *(get(n) for n in TERMINAL_VARS))


def world(argv: tuple[str, ...], config: str) -> tuple[object, ...]:
    """The identity of the files the output of ``argv`` is made of."""
    if argv[:1] != ("profile",) or "--help" in argv:
        return ()
    folder = os.path.join(config, "profiles")
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".yaml"))
    except OSError:
        names = []
    files = [(n, _identity(os.path.join(folder, n))) for n in names]
    return (_identity(folder), _identity(os.path.join(config, "current")), tuple(files))


def _read() -> tuple[str, str, dict[object, object]] | None:
    """(cache folder, config folder, entries) when the file is ours and current."""
    cache = warm.cache_guess()
    if cache is None:
        return None
    data = warm.read_marshal(os.path.join(cache, FILE), _MAX_FILE)
    if not (isinstance(data, tuple) and len(data) == 5):
        return None
    fmt, version, ins, config, entries = data
    if (fmt, version, ins) != (FORMAT, __version__, warm.inputs()):
        return None
    if not (isinstance(config, str) and isinstance(entries, dict)):
        return None
    return cache, config, entries


def _code_unchanged(code: object) -> bool:
    if not isinstance(code, tuple) or not code:
        return False
    return all(isinstance(p, tuple) and p[1] is not None and _identity(p[0]) == p[1] for p in code)


def replay(args: list[str]) -> int | None:
    """Write the recorded output of ``args`` and return its exit code; None: a miss."""
    argv = tuple(args)
    if argv not in REPLAYED:
        return None
    look = terminal()
    found = _read() if look is not None else None
    if found is None:
        return None
    _, config, entries = found
    entry = entries.get(argv)
    if not (isinstance(entry, tuple) and len(entry) == 5):
        return None
    look_then, world_then, code, chunks, status = entry
    if look_then != look or world_then != world(argv, config) or not _code_unchanged(code):
        return None
    if not (isinstance(chunks, tuple) and isinstance(status, int)):
        return None
    if not all(isinstance(c, tuple) and len(c) == 2 and isinstance(c[1], str) for c in chunks):
        return None
    for fd, text in chunks:
        (sys.stdout if fd == 1 else sys.stderr).write(text)
    return status


class _Recorder:
    """A text stream that keeps what is written (in order, with its fd); the rest is the
    real stream's (isatty, fileno, encoding), so rich and click choose as they would."""

    def __init__(self, real: TextIO, fd: int, chunks: list[tuple[int, str]]) -> None:
        self._real, self._fd, self._chunks = real, fd, chunks

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # as a text stream: click tests for a binary one so
            raise TypeError("write() argument must be str")
        self._chunks.append((self._fd, text))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self._real.isatty()

    def fileno(self) -> int:
        return self._real.fileno()

    @property
    def encoding(self) -> str:
        return self._real.encoding

    @property
    def errors(self) -> str | None:
        return self._real.errors


def _code() -> tuple[tuple[str, object], ...]:
    """The files of llmgw's loaded modules and of each third-party package's top."""
    files = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        top = "." not in name and name not in sys.stdlib_module_names and name != "__main__"
        if isinstance(path, str) and (name.startswith("llmgw_cli") or top):
            files.append((path, _identity(path)))
    return tuple(sorted(files))


def record(args: list[str], run: Callable[[list[str]], int]) -> int:
    """The cold run of ``args`` (``run``: cli/app.run), kept for ``replay``."""
    from llmgw_cli import paths
    from llmgw_cli.errors import LlmgwError

    argv, look, cache = tuple(args), terminal(), warm.cache_guess()
    if look is None or cache is None or cache != str(paths.cache_dir()):
        return run(args)
    config = str(paths.config_dir())
    before = world(argv, config)
    chunks: list[tuple[int, str]] = []
    real = sys.stdout, sys.stderr
    from typing import cast  # the cold path: Typer has imported typing already

    sys.stdout = cast("TextIO", _Recorder(real[0], 1, chunks))
    sys.stderr = cast("TextIO", _Recorder(real[1], 2, chunks))
    try:
        status = run(args)
    except LlmgwError:
        sys.stdout, sys.stderr = real
        _write(chunks)
        raise
    except Exception:  # not expected: run it again, on the real streams, uncached
        sys.stdout, sys.stderr = real
        return run(args)
    finally:
        sys.stdout, sys.stderr = real
    _write(chunks)
    _save(cache, config, argv, (look, before, _code(), tuple(chunks), status))
    return status


def _write(chunks: list[tuple[int, str]]) -> None:
    for fd, text in chunks:
        (sys.stdout if fd == 1 else sys.stderr).write(text)


def _save(cache: str, config: str, argv: tuple[str, ...], entry: tuple[object, ...]) -> None:
    import contextlib
    from pathlib import Path

    from llmgw_cli import paths

    found = _read()
    entries = dict(found[2]) if found is not None and found[:2] == (cache, config) else {}
    entries[argv] = entry
    data = marshal.dumps((FORMAT, __version__, warm.inputs(), config, entries))
    with contextlib.suppress(OSError, ValueError):
        paths.write_atomic(Path(cache, FILE), data, mode=0o600)
