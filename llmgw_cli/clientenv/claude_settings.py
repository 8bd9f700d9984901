"""`llmgw claude-settings`: merge a profile into a Claude Code settings.json.

Only non-secret variables go in; the key comes from ``apiKeyHelper`` (`llmgw token`) at run
time, so the secret never lands in a settings file. Other keys are kept; a backup is made.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from llmgw_cli import paths
from llmgw_cli.clientenv import mapping
from llmgw_cli.config.model import Profile
from llmgw_cli.errors import ConfigError, UsageError

SCOPES = ("user", "project", "local")


def settings_path(scope: str, cwd: Path | None = None) -> Path:
    cwd = cwd or Path.cwd()
    if scope == "user":
        base = os.environ.get("CLAUDE_CONFIG_DIR")
        return (Path(base) if base else Path.home() / ".claude") / "settings.json"
    if scope == "project":
        return cwd / ".claude" / "settings.json"
    if scope == "local":
        return cwd / ".claude" / "settings.local.json"
    raise UsageError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}")


def merged(existing: dict[str, Any], profile: Profile) -> dict[str, Any]:
    values = mapping.profile_env(profile, secret=None)
    old = {str(k): str(v) for k, v in dict(existing.get("env") or {}).items()}
    # LLMGW_EXTRA_VARS is written too, so the next merge drops this profile's extras.
    stale = {*mapping.MANAGED, *mapping.SECRET_VARS, *mapping.previous_extras(old)}
    env = {k: v for k, v in old.items() if k not in stale}
    env.update({k: v for k, v in values.items() if k not in mapping.SECRET_VARS})
    out = dict(existing)
    out["env"] = env
    if profile.auth.type != "none":
        out["apiKeyHelper"] = f"llmgw token --profile {profile.name}"
    else:
        out.pop("apiKeyHelper", None)
    return out


def load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except ValueError as exc:
        raise ConfigError(
            f"{path} is not valid JSON ({exc}); fix or move it, then run again"
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path} does not hold a JSON object; fix or move it, then run again")
    return data


def write(path: Path, data: dict[str, Any]) -> Path | None:
    """Write settings atomically after backing up the old file; returns the backup's path."""
    backup = None
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        shutil.copy2(path, backup)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    paths.write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", mode=mode)
    return backup
