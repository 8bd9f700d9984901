"""PII plugin: scan what the user sent; block the request or redact it before forwarding.

Config (``plugins.pii``)::

    mode: block          # block → 400; redact → matches replaced by [EMAIL], [CARD], … upstream
    detectors: [email, phone, credit_card, iban, ssn, ip, secret]
    phone_region: US     # how national-format phone numbers are read (+CC numbers always are)
    cache_mb: 64         # MB of text whose verdict is remembered (by BLAKE2 digest)
    cache_size: null     # optionally also a cap on the number of texts remembered

Only user message text and tool results are scanned (``wire.text``). Redact mode never
rewrites ``system[0]``, tool definitions or thinking blocks (nor the beta-paired fields):
it inspects thinking blocks, and PII there blocks the request with the place named
(docs/clients.md). The block answer is
``Reject(400, "security_violation", …, extra={"error": "PII detected in prompt", "kinds": …})``,
which ``Reject.body`` renders inside the client's API error format, e.g. for Anthropic
``{"type": "error", "error": {"type": "security_violation", "message": "…",
"error": "PII detected in prompt", "kinds": ["email"]}}``. Logs name the kinds, never values.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any, ClassVar

from llmgw_cli.errors import ConfigError
from llmgw_cli.pii.scan import ALL_KINDS, Finding, Scanner, redact_spans
from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.common import carries_prompt, choice, number, section
from llmgw_cli.shim.plugins.contract import BadBody, Exchange, Reject
from llmgw_cli.wire.resume import Turns
from llmgw_cli.wire.text import (
    Slot,
    input_texts,
    message_protected,
    message_texts,
    protected_texts,
    user_texts,
)

log = logging.getLogger("llmgw.shim.pii")
DEFAULTS: dict[str, Any] = {
    "enabled": False,
    "mode": "block",
    "detectors": list(ALL_KINDS),
    "phone_region": "US",
    "cache_mb": 64,
    "cache_size": None,
}
# A body this large is scanned in a worker thread: hashing and scanning it may take more
# than a millisecond, and the event loop serves every other request meanwhile.
OFF_LOOP_BYTES = 64 * 1024
# A conversation this long is resumed from its previous turn (``wire.resume``): the messages
# found clean before are not walked again, only those it added or changed.
RESUME_MESSAGES = 32
Hits = list[tuple[Slot, tuple[Finding, ...]]]
SEED_ERROR = "PII detected in prompt"


class PIIPlugin:
    name: ClassVar[str] = "pii"
    needs_usage: ClassVar[bool] = False

    def __init__(self, config: Any, state_dir: Path, prices: PriceTable) -> None:
        cfg = section(config, "pii", DEFAULTS)
        self.mode = choice(cfg["mode"], "plugins.pii.mode", ("block", "redact"))
        self.fail_closed = self.mode == "block"  # a body it cannot scan is not waved through
        kinds = cfg["detectors"]
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            raise ConfigError(
                f"plugins.pii.detectors: must be a list drawn from {', '.join(ALL_KINDS)}"
            )
        unknown = sorted(set(kinds) - set(ALL_KINDS))
        if unknown:
            raise ConfigError(
                f"plugins.pii.detectors: unknown detector {unknown[0]!r};"
                f" known: {', '.join(ALL_KINDS)}"
            )
        region = cfg["phone_region"]
        if not isinstance(region, str) or len(region) != 2:
            raise ConfigError(
                "plugins.pii.phone_region: must be a two-letter country code such as US or DE"
            )
        size = number(cfg["cache_size"], "plugins.pii.cache_size", True)
        mb = number(cfg["cache_mb"], "plugins.pii.cache_mb") or 0.0
        self.scanner = Scanner(
            kinds, region.upper(), None if size is None else int(size), int(mb * 1024 * 1024)
        )
        # Which messages were clean, with and without their thinking blocks inspected.
        self._turns: dict[bool, Turns[bool]] = {True: Turns(), False: Turns()}
        # The first scan would otherwise pay for loading libphonenumber (~0.1-0.5 s).
        threading.Thread(target=self.scanner.warm, name="llmgw-pii-warm", daemon=True).start()

    async def on_request(self, exchange: Exchange) -> None:
        if not carries_prompt(exchange):
            return
        try:
            body = exchange.json()
        except BadBody:
            return
        # Redact mode inspects without modifying where a rewrite breaks Claude Code: PII in
        # a thinking block blocks the request.
        protected = self.mode == "redact" and exchange.client_format == "anthropic"
        if len(exchange.body) >= OFF_LOOP_BYTES:
            hits = await asyncio.to_thread(self._findings, body, protected)
        else:
            hits = self._findings(body, protected)
        if not hits:
            return
        kinds = sorted({f.kind for _, found in hits for f in found})
        exchange.notes["pii"] = kinds
        log.warning("pii: %s in request %s (%s)", ", ".join(kinds), exchange.request_id, self.mode)
        if self.mode == "block":
            raise Reject(
                400,
                "security_violation",
                f"{SEED_ERROR} ({', '.join(kinds)}): remove it and resend, "
                "or ask the shim's operator to set plugins.pii.mode: redact",
                headers={"x-should-retry": "false"},
                extra={"error": SEED_ERROR, "kinds": kinds},
            )
        for slot, found in hits:
            slot.set(redact_spans(slot.text, found))
        exchange.replace_json(body)

    def _findings(self, body: Any, protected: bool) -> Hits:
        """The user texts with PII (``_hits``), after refusing PII in a thinking block when
        ``protected``; a long conversation's messages found clean last turn are skipped."""
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or len(messages) < RESUME_MESSAGES:
            if protected:
                self._refuse_protected(body)
            return self._hits(body)
        turns = self._turns[protected]
        turn = turns.start(messages)
        known = turn.known
        scan = self.scanner.scan
        hits: Hits = []
        clean: list[bool] = []
        for i, message in enumerate(messages):
            if i < len(known) and known[i]:
                clean.append(True)
                continue
            if protected:
                for where, text in message_protected(i, message):
                    self._refuse(where, scan(text))
            before = len(hits)
            hits += [(slot, found) for slot in message_texts(message) if (found := scan(slot.text))]
            clean.append(len(hits) == before)
        hits += [(slot, found) for slot in input_texts(body) if (found := scan(slot.text))]
        turns.finish(turn, clean)
        return hits

    def _hits(self, body: Any) -> Hits:
        scan = self.scanner.scan
        return [(slot, found) for slot in user_texts(body) if (found := scan(slot.text))]

    def _refuse_protected(self, body: Any) -> None:
        for where, text in protected_texts(body):
            self._refuse(where, self.scanner.scan(text))

    @staticmethod
    def _refuse(where: str, found: tuple[Finding, ...]) -> None:
        """Refuse a request with PII where redacting it would break the conversation."""
        if not found:
            return
        kinds = sorted({f.kind for f in found})
        raise Reject(
            400,
            "security_violation",
            f"{SEED_ERROR} ({', '.join(kinds)}) in {where}: redacting it would break "
            "the conversation (thinking signatures, tool and beta pairs, the prompt "
            "cache), so the shim will not; remove it there and resend",
            headers={"x-should-retry": "false"},
            extra={"error": SEED_ERROR, "kinds": kinds, "where": where},
        )

    async def on_complete(self, exchange: Exchange) -> None:
        return None

    async def close(self) -> None:
        return None
