"""Which profile applies (README.md, "Profiles": the selection order).

--profile > LLMGW_PROFILE (the user's) > nearest .llmgw-profile walking up > LLMGW_ACTIVE_PROFILE
(the profile this shell loaded with `eval "$(llmgw env)"`) > the global current profile.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from llmgw_cli.config.store import ProfileStore, check_name
from llmgw_cli.errors import ConfigError, ProfileNotFound

if TYPE_CHECKING:
    from llmgw_cli.config.model import Profile

PROFILE_ENV = "LLMGW_PROFILE"
ACTIVE_ENV = "LLMGW_ACTIVE_PROFILE"
LOCAL_FILE = ".llmgw-profile"


@dataclass(frozen=True)
class Selection:
    name: str
    source: str  # flag | env | local | active | global
    detail: str  # human wording of where it came from
    passed_over: tuple[Selection, ...] = field(default=(), compare=False)


def find_local(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / LOCAL_FILE
        if candidate.is_file():
            return candidate
    return None


def read_local(path: Path) -> str:
    name = path.read_text(encoding="utf-8").strip()
    if not name:
        raise ConfigError(f"{path} is empty; write a profile name in it or delete it")
    try:
        return check_name(name)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc.message}") from exc


def _from_env(var: str, source: str, detail: str) -> Selection | None:
    value = os.environ.get(var, "").strip()
    if not value:
        return None
    try:
        return Selection(check_name(value), source, detail)
    except ConfigError as exc:
        raise ConfigError(f"{var}: {exc.message}") from exc


def _sources(
    store: ProfileStore, flag: str | None, cwd: Path | None
) -> list[Callable[[], Selection | None]]:
    """Each source that may name a profile, in order of precedence; evaluated on demand."""

    def from_flag() -> Selection | None:
        return Selection(check_name(flag), "flag", "--profile") if flag else None

    def from_local() -> Selection | None:
        local = find_local(cwd if cwd is not None else Path.cwd())
        return Selection(read_local(local), "local", str(local)) if local else None

    def from_global() -> Selection | None:
        current = store.current()
        detail = f"global current ({store.current_file})"
        return Selection(current, "global", detail) if current else None

    return [
        from_flag,
        lambda: _from_env(PROFILE_ENV, "env", f"{PROFILE_ENV} environment variable"),
        from_local,
        lambda: _from_env(ACTIVE_ENV, "active", f"{ACTIVE_ENV} (loaded by `llmgw env`)"),
        from_global,
    ]


def select(store: ProfileStore, flag: str | None = None, cwd: Path | None = None) -> Selection:
    """The winning source; the ones below it are listed as passed over (never fatal)."""
    sources = _sources(store, flag, cwd)
    for i, source in enumerate(sources):
        winner = source()
        if winner is None:
            continue
        over: list[Selection] = []
        for rest in sources[i + 1 :]:
            try:
                found = rest()
            except ConfigError as exc:
                found = Selection("?", "invalid", exc.message)
            if found is not None:
                over.append(found)
        return Selection(winner.name, winner.source, winner.detail, tuple(over))
    raise ConfigError(
        "no profile selected: pass --profile NAME, or run `llmgw profile use NAME` "
        "(see `llmgw profile list`)"
    )


def load_selected(
    store: ProfileStore, flag: str | None = None, cwd: Path | None = None
) -> tuple[Selection, Profile]:
    """The selected profile, loaded; a missing profile names where the selection came from."""
    selection = select(store, flag, cwd)
    try:
        return selection, store.load(selection.name)
    except ProfileNotFound as exc:
        if selection.source == "flag":
            raise
        raise ProfileNotFound(
            selection.name, f" (selected by {selection.detail})", tuple(store.names())
        ) from exc
