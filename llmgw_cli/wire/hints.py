"""Claude Code's request hints: which kind of request this is (docs/clients.md).

With ``CLAUDE_CODE_GATEWAY_HINT_HEADERS=1`` Claude Code names each request's class in
``x-claude-code-request-class`` (and a subagent's type in ``x-claude-code-agent-type``).
Without them (older versions, the switch off) ``classify`` falls back to a heuristic and
says so in the signal it returns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

CLASSES = ("main", "subagent", "workflow", "compaction", "auxiliary")
CLASS_HEADER = "x-claude-code-request-class"
AGENT_HEADER = "x-claude-code-agent-type"
SESSION_HEADER = "x-claude-code-session-id"
_COMPACTION = re.compile(r"create a detailed summary of the conversation", re.IGNORECASE)


def classify(headers: Mapping[str, str], model: str, prompt: str) -> tuple[str, str]:
    """(request class, the signal that decided it)."""
    hint = headers.get(CLASS_HEADER)
    if hint:
        return hint.strip().lower(), CLASS_HEADER
    if _COMPACTION.search(prompt):
        return "compaction", "heuristic: compaction prompt"
    if "haiku" in model.lower():
        return "auxiliary", "heuristic: haiku model"
    return "main", "heuristic: no hint header"
