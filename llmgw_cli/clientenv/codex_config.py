"""`llmgw codex-config` and `llmgw exec -- codex`: a profile as a Codex CLI model provider.

Codex reads neither ``OPENAI_BASE_URL`` nor a profile's headers from the environment; it
takes a provider block in ``$CODEX_HOME/config.toml`` (or ``-c`` overrides)::

    model_provider = "llmgw-corp"          # only with --use
    [model_providers."llmgw-corp"]
    name = "llmgw corp"
    base_url = "http://127.0.0.1:8787/v1"  # the shim, unless the profile serves responses
    env_key = "OPENAI_API_KEY"             # the variable Codex reads the key from
    wire_api = "responses"

The block never holds a secret. A profile that serves the Responses API itself is named
directly (its ``headers`` as ``http_headers``) and the key is the one ``llmgw env`` exports
as ``OPENAI_API_KEY``; any other profile is reached through the shim, which translates,
and ``OPENAI_API_KEY`` is then the shim's local token (``llmgw env --shim``).

The file is merged as text so the user's comments and layout survive: only this provider's
table (and, on request, the top-level ``model_provider`` line) is replaced; the result is
parsed before it is written, a numbered backup (``config.toml.bak.N``) is kept, and the
write is atomic (docs/architecture.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmgw_cli import paths
from llmgw_cli.config.model import Profile
from llmgw_cli.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ENV_KEY = "OPENAI_API_KEY"
DEFAULT_SHIM_URL = "http://127.0.0.1:8787"
_TABLE = re.compile(r"^\s*\[")


@dataclass(frozen=True)
class Provider:
    """One ``[model_providers.X]`` block."""

    id: str
    name: str
    base_url: str
    env_key: str = ENV_KEY
    http_headers: tuple[tuple[str, str], ...] = ()
    through_shim: bool = False

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "base_url": self.base_url,
            "env_key": self.env_key,
            "wire_api": "responses",
        }
        if self.http_headers:
            out["http_headers"] = dict(self.http_headers)
        return out

    def overrides(self, use: bool = True) -> list[str]:
        """The same block as Codex ``-c key=value`` arguments (values in TOML)."""
        out = [f"model_provider={_toml(self.id)}"] if use else []
        for key, value in self.fields().items():
            out.append(f"model_providers.{self.id}.{key}={_toml(value)}")
        return out


def parse(text: str) -> dict[str, Any]:
    """A TOML document (raises ``tomllib.TOMLDecodeError``)."""
    data: dict[str, Any] = tomllib.loads(text)
    return data


def serves_responses(profile: Profile) -> bool:
    return "responses" in profile.formats


def provider_for(profile: Profile, shim_url: str | None = None) -> Provider:
    """Direct when the profile serves the Responses API, else through the shim."""
    pid = "llmgw-" + re.sub(r"[^A-Za-z0-9_-]", "-", profile.name)
    if serves_responses(profile):
        root = profile.root.rstrip("/")
        base = root if root.endswith("/v1") else root + "/v1"
        headers = tuple(sorted(profile.headers.items()))
        return Provider(pid, f"llmgw {profile.name}", base, http_headers=headers)
    root = (shim_url or DEFAULT_SHIM_URL).rstrip("/")
    return Provider(pid, f"llmgw {profile.name} (shim)", root + "/v1", through_shim=True)


def codex_home(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    home = env.get("CODEX_HOME")
    return Path(home) if home else Path.home() / ".codex"


def _toml(value: Any) -> str:
    """A TOML value: strings as basic strings (JSON's escapes are TOML's), tables inline."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def _header(line: str, pid: str) -> bool:
    """Is ``line`` the header of this provider's table (bare, or quoted either way)?"""
    name = re.escape(pid)
    pattern = rf"^\s*\[\s*model_providers\s*\.\s*(\"{name}\"|'{name}'|{name})\s*\]\s*(#.*)?$"
    return re.match(pattern, line) is not None


def merged_text(text: str, provider: Provider, use: bool = False) -> str:
    """``text`` (a config.toml) with this provider's table replaced or added."""
    lines = text.splitlines()
    kept: list[str] = []
    skipping = False
    for line in lines:
        if _TABLE.match(line):
            skipping = _header(line, provider.id)
            if skipping:
                continue
        if not skipping:
            kept.append(line)
    if use:
        kept = _set_top_level(kept, "model_provider", _toml(provider.id))
    while kept and not kept[-1].strip():
        kept.pop()
    block = [f"[model_providers.{_toml(provider.id)}]"]
    block += [f"{k} = {_toml(v)}" for k, v in provider.fields().items()]
    out = "\n".join([*kept, *([""] if kept else []), *block]) + "\n"
    _check(out, provider, use)
    return out


def _set_top_level(lines: list[str], key: str, value: str) -> list[str]:
    first_table = next((i for i, line in enumerate(lines) if _TABLE.match(line)), len(lines))
    assign = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(first_table):
        if assign.match(lines[i]):
            return [*lines[:i], f"{key} = {value}", *lines[i + 1 :]]
    gap = [""] if first_table < len(lines) else []
    return [*lines[:first_table], f"{key} = {value}", *gap, *lines[first_table:]]


def _check(text: str, provider: Provider, use: bool) -> None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"merging into Codex's config.toml would not give valid TOML ({exc}); "
            f"remove the `{provider.id}` provider from it by hand and run again"
        ) from exc
    block = data.get("model_providers", {}).get(provider.id)
    if block != provider.fields() or (use and data.get("model_provider") != provider.id):
        raise ConfigError(
            f"Codex's config.toml defines provider `{provider.id}` in a form llmgw cannot "
            "replace (an inline table?); remove it by hand and run again"
        )


def load_text(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        text = path.read_text(encoding="utf-8")
        tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"cannot read {path} as TOML ({exc}); fix or move it, then run again"
        ) from exc
    return text


def write(path: Path, text: str) -> Path | None:
    """Write atomically, after keeping the old file as the next ``config.toml.bak.N``."""
    backup = None
    if path.exists():
        n = 1
        while path.with_name(f"{path.name}.bak.{n}").exists():
            n += 1
        backup = path.with_name(f"{path.name}.bak.{n}")
        shutil.copy2(path, backup)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    paths.write_atomic(path, text, mode=mode)
    return backup


def with_overrides(command: list[str], provider: Provider, model: str | None) -> list[str]:
    """``codex …`` with the provider's ``-c`` overrides (and the profile's model unless the
    command names one) right after the program name, where Codex reads global options."""
    extra: list[str] = []
    for item in provider.overrides():
        extra += ["-c", item]
    if model and not any(a in ("-m", "--model") or a.startswith("--model=") for a in command):
        extra += ["-c", f"model={_toml(model)}"]
    return [command[0], *extra, *command[1:]]


def is_codex(command: list[str]) -> bool:
    return bool(command) and Path(command[0]).name in ("codex", "codex.js")
