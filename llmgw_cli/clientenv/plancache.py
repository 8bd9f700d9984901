"""A compiled cache of each profile's variables, so a warm `llmgw env` skips yaml and the model.

``cache_dir()/envplan/NAME.json`` (0600, written atomically) holds what is a pure function of
the profile file: the variables it sets in order, those it clears, the profile's name and its
``auth.secret`` *reference*. The variables that carry the secret are stored as ``null`` and
filled in at run time, so the file never holds a secret. Everything that depends on the shell's
environment (``LLMGW_ENV_STATE``, the user's own values, ``--unset``, ``--shim``) runs as
without the cache (``envstate.switch``).

An entry is used only when its key matches: the cache format, llmgw's version, the selected
name, the profile file's path and its inode, size, mtime_ns and ctime_ns (so `profile set`,
`profile edit` or a text editor invalidate it). A stale, damaged or foreign file is ignored and
rewritten. A profile whose variables depend on more than its file (TLS paths, resolved against
HOME and the file system) is never cached. See docs/architecture.md, "Arrows".
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmgw_cli import __version__, paths
from llmgw_cli.clientenv.plan import ProfileEnv

if TYPE_CHECKING:
    from llmgw_cli.config.model import Profile

FORMAT = 1
_MAX_FILE = 256 * 1024  # our own file, but still bounded before it is parsed


@dataclass
class Compiled:
    """A profile's variables with the secret left out (``None`` where it goes)."""

    profile: str
    secret_ref: str | None  # the reference (env:VAR, keyring, …), never the value
    values: list[tuple[str, str | None]] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)

    def split(self, secret: str | None) -> ProfileEnv:
        if secret is None and any(v is None for _, v in self.values):
            raise ValueError("this plan needs its secret")
        return ProfileEnv(
            values={k: (secret if v is None else v) for k, v in self.values},  # type: ignore[misc]
            cleared=list(self.cleared),
        )


def cache_file(name: str) -> Path:
    return paths.envplan_file(name)


def _key(name: str, profile_file: Path, st: os.stat_result) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "llmgw": __version__,
        "name": name,
        "path": str(profile_file),
        "ino": st.st_ino,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
    }


def stat(profile_file: Path) -> os.stat_result | None:
    try:
        return profile_file.stat()
    except OSError:
        return None


def needs_secret(profile: Profile) -> bool:
    return profile.auth.type != "none" and profile.auth.secret is not None


def compile_profile(profile: Profile) -> Compiled | None:
    """The cacheable form of ``profile``'s variables, or None when they are not cacheable."""
    from llmgw_cli.clientenv import mapping

    tls = profile.tls
    if tls.ca_bundle or tls.client_cert or tls.client_key:
        return None
    if profile.proxy.secret is not None:  # HTTPS_PROXY carries a secret read at run time
        return None
    import secrets as random

    ref = profile.auth.secret if needs_secret(profile) else None
    marker = f"llmgw-secret-{random.token_hex(16)}" if ref is not None else None
    split = mapping.profile_split(profile, marker)
    values: list[tuple[str, str | None]] = []
    for k, v in split.values.items():
        if marker is not None and marker in v:
            if v != marker:
                return None  # the secret inside a longer value: not cached
            values.append((k, None))
        else:
            values.append((k, v))
    return Compiled(profile.name, ref, values, list(split.cleared))


def _parse(data: object, key: dict[str, Any]) -> Compiled | None:
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    plan = data.get("plan")
    if not isinstance(plan, dict):
        return None
    name, ref = plan.get("profile"), plan.get("secret_ref")
    values, cleared = plan.get("values"), plan.get("cleared")
    if not isinstance(name, str) or not (ref is None or isinstance(ref, str)):
        return None
    if not isinstance(values, list) or not isinstance(cleared, list):
        return None
    pairs: list[tuple[str, str | None]] = []
    for item in values:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            return None
        if not (item[1] is None or isinstance(item[1], str)):
            return None
        pairs.append((item[0], item[1]))
    if not all(isinstance(n, str) for n in cleared):
        return None
    if ref is None and any(v is None for _, v in pairs):
        return None
    return Compiled(name, ref, pairs, list(cleared))


def load(name: str, profile_file: Path, st: os.stat_result | None) -> Compiled | None:
    """The cached plan for ``name`` if it matches the file as it is now (``st``); None
    otherwise."""
    if st is None:
        return None
    try:
        with open(cache_file(name), "rb") as fh:
            raw = fh.read(_MAX_FILE + 1)
        if len(raw) > _MAX_FILE:
            return None
        data = json.loads(raw)
    except (OSError, ValueError):
        return None
    return _parse(data, _key(name, profile_file, st))


def save(name: str, profile_file: Path, st: os.stat_result, compiled: Compiled) -> None:
    """Write the entry; a cache that cannot be written is no error (the next run recompiles)."""
    plan = {
        "profile": compiled.profile,
        "secret_ref": compiled.secret_ref,
        "values": [list(pair) for pair in compiled.values],
        "cleared": compiled.cleared,
    }
    text = json.dumps({"key": _key(name, profile_file, st), "plan": plan}, ensure_ascii=False)
    with contextlib.suppress(OSError):
        paths.write_atomic(cache_file(name), text, mode=0o600)
