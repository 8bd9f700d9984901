"""`llmgw profile edit`: edit a copy; keep it only if it validates, so nothing is lost."""

from __future__ import annotations

import os
import shlex
import subprocess

from llmgw_cli import paths
from llmgw_cli.cli import console
from llmgw_cli.config import model
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import ConfigError, UsageError


def edit_profile(store: ProfileStore, name: str) -> None:
    store.load(name)
    path = store.path(name)
    original = path.read_text(encoding="utf-8")
    draft = path.with_name(f".{name}.edit.yaml")
    paths.write_atomic(draft, original, mode=0o600)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        code = subprocess.call([*shlex.split(editor), str(draft)])
    except FileNotFoundError as exc:
        raise UsageError(
            f"editor {editor!r} not found; set $EDITOR (e.g. export EDITOR=nano)"
        ) from exc
    if code != 0:
        raise UsageError(
            f"the editor exited with {code}; the profile is unchanged (draft kept at {draft})"
        )
    text = draft.read_text(encoding="utf-8")
    if text == original:
        draft.unlink()
        console.info("no change")
        return
    try:
        profile = model.from_text(text, str(draft), name)
    except ConfigError as exc:
        raise ConfigError(
            f"{exc.message} — the profile is unchanged; fix the draft and run "
            f"`llmgw profile import {draft} --force`"
        ) from exc
    store.save(profile)
    draft.unlink()
    for note in profile.warnings:
        console.warn(note)
    console.success(f"profile {name} updated")
