"""Which profile applies (docs/architecture.md, "Selection order").

--profile > LLMGW_PROFILE (the user's) > nearest .llmgw-profile walking up > LLMGW_ACTIVE_PROFILE
(the profile this shell loaded with `eval "$(llmgw env)"`) > the global current profile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from llmgw_cli.config.model import Profile
from llmgw_cli.config.store import ProfileStore, check_name
from llmgw_cli.errors import ConfigError, ProfileNotFound

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


def candidates(
    store: ProfileStore, flag: str | None = None, cwd: Path | None = None
) -> list[Selection]:
    """Every source that names a profile here, in order of precedence."""
    found: list[Selection | None] = [
        Selection(check_name(flag), "flag", "--profile") if flag else None,
        _from_env(PROFILE_ENV, "env", f"{PROFILE_ENV} environment variable"),
    ]
    local = find_local(cwd if cwd is not None else Path.cwd())
    if local is not None:
        found.append(Selection(read_local(local), "local", str(local)))
    found.append(
        _from_env(ACTIVE_ENV, "active", f"{ACTIVE_ENV} (loaded in this shell by `llmgw env`)")
    )
    current = store.current()
    if current:
        found.append(Selection(current, "global", f"global current ({store.current_file})"))
    return [s for s in found if s is not None]


def select(store: ProfileStore, flag: str | None = None, cwd: Path | None = None) -> Selection:
    found = candidates(store, flag, cwd)
    if not found:
        raise ConfigError(
            "no profile selected: pass --profile NAME, or run `llmgw profile use NAME` "
            "(see `llmgw profile list`)"
        )
    first = found[0]
    return Selection(first.name, first.source, first.detail, tuple(found[1:]))


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
