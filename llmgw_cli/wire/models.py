"""The Anthropic ``GET /v1/models`` page, as Claude Code's model discovery reads it.

Claude Code (``CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1``) asks for
``/v1/models?limit=1000`` with a 3 s timeout, keeps only ids containing "claude" or
"anthropic" and shows each one's ``display_name`` in ``/model`` (docs/clients.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

CREATED = "2025-01-01T00:00:00Z"  # the shim does not know when a model was released
KEPT_BY_CLAUDE_CODE = ("claude", "anthropic")


def kept_by_claude_code(model_id: str) -> bool:
    low = model_id.lower()
    return any(word in low for word in KEPT_BY_CLAUDE_CODE)


def page(models: Sequence[str], display_names: Mapping[str, str], limit: int) -> dict[str, Any]:
    """One page of ``models`` (ordered, unique) with their display names."""
    shown = list(models)[: max(1, limit)]
    data = [
        {
            "type": "model",
            "id": mid,
            "display_name": display_names.get(mid, mid),
            "created_at": CREATED,
        }
        for mid in shown
    ]
    return {
        "data": data,
        "has_more": len(models) > len(shown),
        "first_id": shown[0] if shown else None,
        "last_id": shown[-1] if shown else None,
    }
