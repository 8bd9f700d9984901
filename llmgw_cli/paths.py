"""Where llmgw keeps its files. ``LLMGW_HOME`` puts all of them under one folder."""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

HOME_ENV = "LLMGW_HOME"
APP = "llmgw"


def _home() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    home = _home()
    if home is not None:
        return home / "config"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP))


def state_dir() -> Path:
    home = _home()
    if home is not None:
        return home / "state"
    import platformdirs

    return Path(platformdirs.user_state_dir(APP))


def runtime_dir() -> Path:
    home = _home()
    if home is not None:
        return home / "run"
    import platformdirs

    # user_runtime_dir is /run/user/UID on Linux, which may not exist in containers.
    path = Path(platformdirs.user_runtime_dir(APP))
    if not path.parent.exists():
        path = state_dir() / "run"
    return path


def cache_dir() -> Path:
    home = _home()
    if home is not None:
        return home / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP))


def envplan_file(profile: str) -> Path:
    """The compiled environment plan of a profile (clientenv/plancache.py; never a secret)."""
    return cache_dir() / "envplan" / f"{profile}.json"


# The warm paths' caches in cache_dir() (clientenv/warm.py, cli/outcache.py; they do not
# import this module, so the names are repeated there): removing a profile drops them.
WARM_CACHES = ("envwarm", "outcache")


def profiles_dir() -> Path:
    return config_dir() / "profiles"


def secrets_dir() -> Path:
    return config_dir() / "secrets"


def templates_dir() -> Path:
    """Shipped profile templates: inside the wheel, or ``profiles/`` in a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "_templates"
    return packaged if packaged.is_dir() else here.parent / "profiles"


def ensure_dir(path: Path, private: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o755)
    return path


# write_atomic's temp files: ``.NAME.PID-RANDOM.tmp`` (and ``.NAME.RANDOM.tmp`` before the
# writer's pid was in the name). A process killed between mkstemp and os.replace leaves
# one behind; the next write to the folder removes it once its writer is dead, or it is
# older than any write takes (a reused pid).
_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.(?:(?P<pid>\d+)-)?[a-z0-9_]{8}\.tmp$")
STALE_TEMP_S = 3600.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep_temps(folder: Path, now: float | None = None) -> list[str]:
    """Remove left-over temp files of interrupted atomic writes in ``folder`` (ours only)."""
    removed: list[str] = []
    now = time.time() if now is None else now
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            found = _TEMP_RE.match(entry.name) if entry.name.endswith(".tmp") else None
            if found is None or not entry.is_file(follow_symlinks=False):
                continue
            pid = found.group("pid")
            with contextlib.suppress(OSError):
                old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_S
                if old or (pid is not None and not _alive(int(pid))):
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed


def write_atomic(path: Path, data: str | bytes, mode: int = 0o600) -> None:
    """Write to a temp file in the same folder, then rename: readers see old or new, never half."""
    ensure_dir(path.parent)
    sweep_temps(path.parent)
    import tempfile  # here: not on the read-only hot paths

    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent
    )
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
