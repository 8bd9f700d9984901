"""``llmgw doctor --fix``: write the ``claude_code:`` switches the probes showed necessary
into the profile — atomically, after a backup, with a diff — then re-run the checks that
asked for them to prove the fix (docs/architecture.md, "doctor/").

A check asks for a switch with ``detail["profile_fix"] = {key: value}``; only keys of the
profile's ``claude_code`` section are written, and the result is validated like any profile.
"""

from __future__ import annotations

import dataclasses
import difflib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmgw_cli.config import model, yamlio
from llmgw_cli.config.model import ClaudeCode
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.doctor.result import ProfileReport
from llmgw_cli.errors import ConfigError

_KEYS = frozenset(f.name for f in dataclasses.fields(ClaudeCode) if f.name != "env")


@dataclass
class Written:
    profile: str
    path: Path
    backup: Path
    switches: dict[str, Any]
    diff: str
    checks: list[str]  # the checks that asked for them: re-run these


def needed(report: ProfileReport) -> tuple[dict[str, Any], list[str]]:
    """The switches failing or warning checks ask for, and which checks asked."""
    switches: dict[str, Any] = {}
    asked: list[str] = []
    for result in report.checks:
        wanted = result.detail.get("profile_fix")
        if result.status in ("fail", "warn") and isinstance(wanted, dict):
            unknown = set(wanted) - _KEYS
            if unknown:
                raise ConfigError(f"check {result.id} asked for unknown claude_code keys {unknown}")
            switches.update(wanted)
            asked.append(result.id)
    return switches, asked


def write(store: ProfileStore, name: str, switches: dict[str, Any], checks: list[str]) -> Written:
    """Set ``switches`` in profile ``name``: backup, validate, atomic write, diff."""
    path = store.path(name)
    before = path.read_text(encoding="utf-8")
    profile = store.load(name)
    for key, value in switches.items():
        setattr(profile.claude_code, key, value)
    text = yamlio.dump(profile.to_dict())
    model.from_text(text, str(path), name)  # the result must load, or nothing is written
    stamp = time.strftime("%Y%m%dT%H%M%S")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    shutil.copy2(path, backup)
    backup.chmod(0o600)
    store.save(profile)
    after = path.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"{path.name} (before)",
            f"{path.name} (after)",
        )
    )
    return Written(name, path, backup, switches, diff, checks)


def merged(report: ProfileReport, rerun: ProfileReport) -> ProfileReport:
    """``report`` with the re-run checks' results in place of the first ones."""
    again = {c.id: c for c in rerun.checks}
    out = dataclasses.replace(report, checks=[again.get(c.id, c) for c in report.checks])
    return out
