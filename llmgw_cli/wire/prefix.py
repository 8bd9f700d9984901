"""The fingerprint of an Anthropic request's cacheable prefix: ``system`` and ``tools``.

Prompt caching reuses a prefix only when it is byte-identical from turn to turn; a proxy
(or a client) that changes one system block or the tool list busts the cache and the turn
pays full price (docs/clients.md). The fingerprint holds hashes only, never text:
one for the whole prefix, one per system block, one for the tool list.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def _h(value: Any) -> str:
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def fingerprint(body: Any) -> dict[str, Any] | None:
    """``{"hash", "system": [per block], "tools"}``, or None when there is no prefix."""
    if not isinstance(body, dict):
        return None
    system = body.get("system")
    tools = body.get("tools")
    if not system and not tools:
        return None
    blocks = system if isinstance(system, list) else ([system] if system else [])
    parts = [_h(b) for b in blocks]
    tools_h = _h(tools) if tools else None
    whole = hashlib.sha256("|".join([*parts, tools_h or ""]).encode()).hexdigest()[:16]
    return {"hash": whole, "system": parts, "tools": tools_h}


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs between two fingerprints: "system block N" (0-based), "tool list"."""
    if before.get("hash") == after.get("hash"):
        return []
    old, new = before.get("system") or [], after.get("system") or []
    out = [
        f"system block {i}"
        for i in range(max(len(old), len(new)))
        if (old[i] if i < len(old) else None) != (new[i] if i < len(new) else None)
    ]
    if before.get("tools") != after.get("tools"):
        out.append("tool list")
    return out
