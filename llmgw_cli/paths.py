"""Where llmgw keeps its files. ``LLMGW_HOME`` puts all of them under one folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
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


def write_atomic(path: Path, data: str | bytes, mode: int = 0o600) -> None:
    """Write to a temp file in the same folder, then rename: readers see old or new, never half."""
    ensure_dir(path.parent)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
