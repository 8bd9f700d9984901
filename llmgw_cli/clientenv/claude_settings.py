"""`llmgw claude-settings`: merge a profile into a Claude Code settings.json.

Only non-secret variables go in; the key comes from ``apiKeyHelper`` (`llmgw token`) at run
time, so the secret never lands in a settings file. The helper names the absolute path of
the llmgw that wrote it (and ``LLMGW_HOME`` when set): Claude Code started from an IDE or a
clean environment has neither llmgw on PATH nor the user's variables. Other keys are kept;
each run leaves a numbered backup; a symlinked settings.json stays a link.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

from llmgw_cli import paths
from llmgw_cli.clientenv import mapping
from llmgw_cli.config.model import Profile
from llmgw_cli.errors import ConfigError, UsageError

SCOPES = ("user", "project", "local")
EXTRA_VARS = "LLMGW_EXTRA_VARS"  # the profile's claude_code.env names, dropped on the next merge
_BACKUP = re.compile(r"\.bak\.(\d+)$")


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


def llmgw_command() -> list[str]:
    """How to run the llmgw that runs now, with no help from PATH."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name.startswith("llmgw") and os.access(argv0, os.X_OK):
        return [str(argv0.absolute())]
    found = shutil.which("llmgw")
    if found:
        return [str(Path(found).absolute())]
    return [sys.executable, "-m", "llmgw_cli"]


def helper_command(profile: str) -> str:
    prefix = ""
    home = os.environ.get("LLMGW_HOME")
    if home:
        prefix = f"LLMGW_HOME={shlex.quote(str(Path(home).absolute()))} "
    cmd = [*llmgw_command(), "token", "--profile", profile]
    return prefix + " ".join(shlex.quote(part) for part in cmd)


def _previous_extras(env: dict[str, str]) -> list[str]:
    from llmgw_cli.config.model import ENV_NAME_RE

    return [n for n in env.get(EXTRA_VARS, "").split(",") if ENV_NAME_RE.match(n)]


def merged(existing: dict[str, Any], profile: Profile, helper: str | None = None) -> dict[str, Any]:
    split = mapping.profile_split(profile, secret=None)
    values = split.values
    old = {str(k): str(v) for k, v in dict(existing.get("env") or {}).items()}
    stale = {*mapping.MANAGED, *mapping.SECRET_VARS, "LLMGW_PROFILE", EXTRA_VARS}
    stale |= set(_previous_extras(old))
    env = {k: v for k, v in old.items() if k not in stale}
    no_auth = profile.auth.type == "none"
    env.update(
        {
            k: v
            for k, v in values.items()
            if k not in mapping.SECRET_VARS or (no_auth and v == mapping.PLACEHOLDER_TOKEN)
        }
    )
    extras = sorted(k for k in profile.claude_code.env if k not in mapping.MANAGED)
    if extras:
        env[EXTRA_VARS] = ",".join(extras)
    env["LLMGW_ACTIVE_PROFILE"] = profile.name
    out = dict(existing)
    out["env"] = env
    if not no_auth:
        out["apiKeyHelper"] = helper or helper_command(profile.name)
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


def next_backup(path: Path) -> Path:
    numbers = [
        int(m.group(1))
        for p in path.parent.glob(path.name + ".bak.*")
        if (m := _BACKUP.search(p.name))
    ]
    return path.with_name(f"{path.name}.bak.{max(numbers, default=0) + 1}")


def write(path: Path, data: dict[str, Any]) -> Path | None:
    """Write settings atomically after a numbered backup; returns the backup's path.

    Through a symlink the target file is replaced, so the link stays a link.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    backup = None
    if target.exists():
        backup = next_backup(path)
        shutil.copy2(target, backup)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o600
    paths.write_atomic(target, json.dumps(data, indent=2, ensure_ascii=False) + "\n", mode=mode)
    return backup
