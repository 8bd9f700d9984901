"""The warm `llmgw env` and `llmgw token`: the shell's hot path, at python's own start-up.

`eval "$(llmgw env)"` runs in prompt hooks and every new shell. This module imports only
``os``, ``sys`` and ``marshal`` (and binascii and json's C scanner through envswitch.py;
``json`` itself for ``--shell json`` only), and prints the same bytes as the cold path, by
the same functions (envswitch.py, shellforms.py), or returns None and leaves the command
to it (clientenv/build.py), which is always right and fills this module's cache (through
warmstore.py). Without ``--shell`` the shell shellingham found for this process chain
before is used (shelldetect.py); none known is a miss.

The cache, ``cache_dir()/envwarm`` (marshal, 0600, never a secret), holds for each profile
what plancache.py compiled (the variables, the secret's *reference*), keyed by the profile
file's path, inode, size, mtime_ns and ctime_ns and by the plan cache file's identity; and,
for the whole file, by llmgw's version and the variables the folders come from (LLMGW_HOME,
HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME, the platform), with the config and cache folders
``paths.py`` computed from them. The profile is selected anew on every run (the order of
config/selection.py, reading every source as it does). Anything unusual (a source it cannot
read, an invalid name, a secret not in ``env:VAR``, ``--shim``, a terminal on stdout, a
damaged or foreign cache file, any exception) is a miss. See docs/architecture.md, "Arrows".
"""

from __future__ import annotations

import marshal
import os
import sys

from llmgw_cli import __version__
from llmgw_cli.clientenv import envswitch, shellforms

TYPE_CHECKING = False  # not typing's: importing typing costs more than this whole module
if TYPE_CHECKING:
    Request = tuple[str | None, str | None, bool, bool]  # (--profile, --shell, --unset, --shim)

FORMAT = 1
FILE = "envwarm"
_MAX_FILE = 1024 * 1024
_NOT_A_FILE = (2, 20, 9, 40)  # ENOENT, ENOTDIR, EBADF, ELOOP: Path.is_file's "no"
_NAME_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_NAME_CHARS = _NAME_FIRST | frozenset("_.-")
_VALUE_OPTS = {"--profile": 0, "-p": 0, "--shell": 1}
_FLAG_OPTS = {"--unset": 2, "--shim": 3}


class Miss(Exception):
    """The warm path does not answer this one; the cold path does."""


def valid_name(name: str) -> bool:
    """config/names.py's NAME_RE, whole string."""
    if not 0 < len(name) <= 64 or name[0] not in _NAME_FIRST:
        return False
    return all(c in _NAME_CHARS for c in name)


def parse(args: list[str]) -> Request | None:
    """``env``/``token`` options; None for anything else (Typer then parses and reports)."""
    req: list[str | bool | None] = [None, None, False, False]
    env = args[0] == "env"
    values = _VALUE_OPTS if env else {"--profile": 0, "-p": 0}
    rest = args[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        key, eq, value = arg.partition("=")
        if key in values:
            if not eq:
                if i + 1 >= len(rest):
                    return None
                i += 1
                value = rest[i]
            if not value or req[values[key]] is not None:
                return None
            req[values[key]] = value
        elif env and arg in _FLAG_OPTS:
            req[_FLAG_OPTS[arg]] = True
        elif arg == "--json" and env and req[1] in (None, "json"):
            req[1] = "json"  # `--json` is `--shell json`
        else:
            return None
        i += 1
    return (req[0], req[1], bool(req[2]), bool(req[3]))  # type: ignore[return-value]


def inputs() -> tuple[str | None, ...]:
    """What paths.py's folders are computed from."""
    get = os.environ.get
    names = ("LLMGW_HOME", "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
    return (sys.platform, *(get(n) for n in names))


def cache_guess() -> str | None:
    """Where paths.cache_dir() is, without platformdirs; the cache file says if it is right.

    Windows asks the shell API for the folder: no guess there, always the cold path."""
    home = os.environ.get("LLMGW_HOME")
    if home:
        return os.path.join(os.path.expanduser(home), "cache")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/llmgw")
    if sys.platform == "win32":
        return None
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return os.path.join(xdg or os.path.expanduser("~/.cache"), "llmgw")


def read_marshal(path: str, limit: int) -> object | None:
    """A cache file's marshalled value; None when missing, damaged or over ``limit`` bytes."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
        return marshal.loads(raw) if len(raw) <= limit else None
    except (OSError, ValueError, EOFError, TypeError):
        return None


def read_cache(cache: str) -> tuple[str, dict[object, object]] | None:
    """(config folder, entries by profile name) if the file is ours and current."""
    data = read_marshal(os.path.join(cache, FILE), _MAX_FILE)
    if not (isinstance(data, tuple) and len(data) == 6):
        return None
    fmt, version, ins, config, cache_dir, entries = data
    if (fmt, version, ins, cache_dir) != (FORMAT, __version__, inputs(), cache):
        return None
    if not isinstance(config, str) or not isinstance(entries, dict):
        return None
    return config, entries


def _read_text(path: str, missing_ok: bool) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8").strip()
    except FileNotFoundError:
        if missing_ok:
            return None
        raise Miss from None
    except (OSError, ValueError):
        raise Miss from None


def _find_local() -> str | None:
    """The nearest .llmgw-profile walking up from the working directory, as selection does."""
    try:
        folder = os.getcwd()
    except OSError:
        raise Miss from None
    while True:
        candidate = os.path.join(folder, ".llmgw-profile")
        try:
            st = os.stat(candidate)
            if st.st_mode & 0o170000 == 0o100000:
                return candidate
        except OSError as exc:
            if exc.errno not in _NOT_A_FILE:
                raise Miss from None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _from_env(var: str) -> str | None:
    value = os.environ.get(var, "").strip()
    return value or None


def select(flag: str | None, config: str) -> str:
    """The winning profile name. Every source is read, as config/selection.py reads those
    below the winner too; one that is invalid or unreadable is a miss (the cold path says
    what is wrong, or lists it as passed over)."""
    local = _find_local()
    found = [
        flag,
        _from_env("LLMGW_PROFILE"),
        _read_text(local, missing_ok=False) if local else None,
        _from_env("LLMGW_ACTIVE_PROFILE"),
    ]
    for name in found:
        if name is not None and not valid_name(name):
            raise Miss  # ConfigError, fatal or passed over: the cold path's business
    current = _read_text(os.path.join(config, "current"), missing_ok=True)
    winner = next((n for n in [*found, current] if n), None)
    if winner is None or not valid_name(winner):
        raise Miss
    return winner


def identity(path: str) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def entry(name: str, config: str, cache: str, entries: dict[object, object]) -> tuple[object, ...]:
    """The cached plan of ``name`` if it matches the files as they are now."""
    found = entries.get(name)
    if not (isinstance(found, tuple) and len(found) == 7):
        raise Miss
    path = os.path.join(config, "profiles", name + ".yaml")
    plan_file = os.path.join(cache, "envplan", name + ".json")
    if found[:3] != (path, identity(path), identity(plan_file)):
        raise Miss
    return found[3:]


def secret_of(ref: object) -> str | None:
    """An ``env:VAR`` secret, read now; any other kind of reference is the cold path's."""
    if ref is None:
        return None
    if not isinstance(ref, str):
        raise Miss
    kind, sep, var = ref.strip().partition(":")
    if kind != "env" or not sep or not envswitch.env_name(var):
        raise Miss
    value = os.environ.get(var)
    if not value:
        raise Miss  # the cold path names the variable to set
    return value


def wanted(plan: tuple[object, ...]) -> tuple[str, str | None, dict[str, str], list[str]]:
    """(profile, secret, variables, cleared) of a cached plan."""
    profile, ref, values, cleared = plan
    if not (isinstance(profile, str) and isinstance(values, tuple) and isinstance(cleared, tuple)):
        raise Miss
    secret = secret_of(ref)
    out: dict[str, str] = {}
    for k, v in values:
        if not isinstance(k, str) or not (isinstance(v, str) or (v is None and secret)):
            raise Miss
        out[k] = secret if v is None else v  # type: ignore[assignment]
    if not all(isinstance(n, str) for n in cleared):
        raise Miss
    return profile, secret, out, list(cleared)


def answer(args: list[str]) -> str | None:
    """What `llmgw env|token ARGS` prints, or None: a miss."""
    req = parse(args)
    if req is None or req[3] or (args[0] == "env" and sys.stdout.isatty()):
        return None  # --shim; on a terminal, the cold path adds how to load the output
    flag, shell, unset, _ = req
    try:
        cache = cache_guess()
        found = read_cache(cache) if cache is not None else None
        if args[0] == "env":
            form = shellforms.BY_NAME.get(shell or _detected(found))
            if form is None:
                return None
            if unset:  # no profile: the record in the environment only
                plan = envswitch.restore_all(os.environ)
            else:
                profile, _, values, cleared = _selected(flag, cache, found)
                plan = envswitch.switch(values, cleared, profile, os.environ)
            text = form.render(*plan)
            return text + "\n" if text else ""
        secret = _selected(flag, cache, found)[1]
        return None if secret is None else secret + "\n"
    except Exception:  # Miss, or anything else: the cold path answers (or says what failed)
        return None


def _detected(found: tuple[str, dict[object, object]] | None) -> str:
    from llmgw_cli.clientenv import shelldetect

    name = shelldetect.cached(found[1]) if found is not None else None
    if name is None:
        raise Miss  # the cold path asks shellingham, and remembers
    return name


def _selected(
    flag: str | None, cache: str | None, found: tuple[str, dict[object, object]] | None
) -> tuple[str, str | None, dict[str, str], list[str]]:
    if found is None or cache is None:
        raise Miss
    config, entries = found
    return wanted(entry(select(flag, config), config, cache, entries))
