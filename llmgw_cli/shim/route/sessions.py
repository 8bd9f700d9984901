"""Session stickiness: a Claude Code session stays on the member of its first turn.

Claude Code names its session in ``x-claude-code-session-id``; the prompt cache of that
session lives on the member that served it, so each later request of the session (per
route: a rule may send subagents elsewhere) goes to that member first. When it fails and
another member answers, the session moves there and the move is counted
(docs/clients.md). At most ``LIMIT`` sessions are remembered, the oldest forgotten.
"""

from __future__ import annotations

from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.wire.hints import SESSION_HEADER

NOTE = "llmgw.session"  # (session key) on the exchange, for ``finished``
LIMIT = 10_000
Target = tuple[str, str | None]


class Sessions:
    __slots__ = ("_home", "moved")

    def __init__(self) -> None:
        self._home: dict[tuple[str, str], str] = {}  # (session id, route) -> member name
        self.moved = 0

    def place(self, exchange: Exchange, route: str, targets: list[Target]) -> list[Target]:
        """``targets`` with the session's member first (unchanged without a session)."""
        sid = exchange.headers.get(SESSION_HEADER)
        if not sid:
            return targets
        key = (sid[:200], route)
        exchange.notes[NOTE] = key
        home = self._home.get(key)
        if home is None or not targets or targets[0][0] == home:
            return targets
        for i, target in enumerate(targets):
            if target[0] == home:
                return [target, *targets[:i], *targets[i + 1 :]]
        return targets

    def finished(self, exchange: Exchange) -> None:
        key = exchange.notes.get(NOTE)
        if not isinstance(key, tuple) or exchange.profile is None:
            return
        if exchange.status is None or exchange.status >= 400:
            return
        home = self._home.get(key)
        if home == exchange.profile:
            return
        if home is not None:
            self.moved += 1
            exchange.notes["session_moved"] = f"{home} -> {exchange.profile}"
            del self._home[key]
        elif len(self._home) >= LIMIT:
            del self._home[next(iter(self._home))]
        self._home[key] = exchange.profile

    def public(self) -> dict[str, int]:
        return {"tracked": len(self._home), "moved": self.moved}
