"""Profiles on disk: one 0600 YAML file per profile, plus the name of the current one."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from llmgw_cli import paths
from llmgw_cli.config.names import NAME_RE
from llmgw_cli.errors import ConfigError, ProfileNotFound

if TYPE_CHECKING:
    from llmgw_cli.config.model import Profile

SUFFIX = ".yaml"


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise ConfigError(
            f"{name!r} is not a valid profile name; "
            "use letters, digits, '.', '_' or '-' (at most 64)"
        )
    return name


def forget_plan(name: str) -> None:
    """Drop a removed profile's cached environment plan (an edited one just goes stale),
    and the warm paths' caches (refilled by the next run)."""
    for path in (paths.envplan_file(name), *(paths.cache_dir() / n for n in paths.WARM_CACHES)):
        with contextlib.suppress(OSError):
            path.unlink()


class ProfileStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else paths.profiles_dir()

    @property
    def current_file(self) -> Path:
        return self.root.parent / "current"

    def path(self, name: str) -> Path:
        return self.root / f"{check_name(name)}{SUFFIX}"

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        # Only valid names: `profile edit` keeps its draft here as .NAME.edit.yaml.
        found = (p.name[: -len(SUFFIX)] for p in self.root.glob(f"*{SUFFIX}"))
        return sorted(n for n in found if NAME_RE.match(n))

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def load(self, name: str) -> Profile:
        path = self.path(name)
        if not path.is_file():
            raise ProfileNotFound(name, known=tuple(self.names()))
        from llmgw_cli.config import model, yamlio  # off the warm `llmgw env` path

        doc = yamlio.read(path)
        return model.from_data(doc.data, doc, name)

    def save(self, profile: Profile) -> Path:
        from llmgw_cli.config import yamlio

        path = self.path(profile.name)
        paths.write_atomic(path, yamlio.dump(profile.to_dict()), mode=0o600)
        return path

    def delete(self, name: str) -> None:
        path = self.path(name)
        if not path.is_file():
            raise ProfileNotFound(name)
        path.unlink()
        forget_plan(name)
        if self.current() == name:
            self.current_file.unlink()

    def rename(self, old: str, new: str) -> Profile:
        profile = self.load(old)
        if self.exists(new):
            raise ConfigError(
                f"a profile named {new!r} exists; remove it first or pick another name"
            )
        profile.name = check_name(new)
        self.save(profile)
        self.path(old).unlink()
        forget_plan(old)
        if self.current() == old:
            self.set_current(new)
        return profile

    def current(self) -> str | None:
        with contextlib.suppress(FileNotFoundError):
            name = self.current_file.read_text(encoding="utf-8").strip()
            return name or None
        return None

    def set_current(self, name: str) -> None:
        if not self.exists(name):
            raise ProfileNotFound(name)
        paths.write_atomic(self.current_file, name + "\n", mode=0o600)

    def clear_current(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.current_file)
