"""Which profile applies: --profile > LLMGW_PROFILE > nearest .llmgw-profile > global current."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from llmgw_cli.config.model import Profile
from llmgw_cli.config.store import ProfileStore, check_name
from llmgw_cli.errors import ConfigError, ProfileNotFound

PROFILE_ENV = "LLMGW_PROFILE"
LOCAL_FILE = ".llmgw-profile"


@dataclass(frozen=True)
class Selection:
    name: str
    source: str  # flag | env | local | global
    detail: str  # human wording of where it came from


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


def select(store: ProfileStore, flag: str | None = None, cwd: Path | None = None) -> Selection:
    if flag:
        return Selection(check_name(flag), "flag", "--profile")
    env = os.environ.get(PROFILE_ENV, "").strip()
    if env:
        try:
            return Selection(check_name(env), "env", f"{PROFILE_ENV} environment variable")
        except ConfigError as exc:
            raise ConfigError(f"{PROFILE_ENV}: {exc.message}") from exc
    local = find_local(cwd if cwd is not None else Path.cwd())
    if local is not None:
        return Selection(read_local(local), "local", str(local))
    current = store.current()
    if current:
        return Selection(current, "global", f"global current ({store.current_file})")
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
        raise ConfigError(f"{exc.message} (selected by {selection.detail})") from exc
