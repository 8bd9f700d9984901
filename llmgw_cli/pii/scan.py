"""Run the detectors over a text, resolve overlaps, redact; verdicts cached by content hash.

A coding assistant resends the whole conversation on every turn, so the same tool result
is scanned again and again; an LRU keyed by a BLAKE2 digest of the text makes a repeat
cost one hash. It is bounded by the bytes of text it covers (``cache_bytes``, each entry
charged its text's length plus ``ENTRY_COST``), not by a count of entries: a multi-MB
conversation of thousands of pieces stays covered whole, turn after turn. Only spans and
kinds are kept, never the matched values.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from llmgw_cli.pii import detectors
from llmgw_cli.pii.credentials import find_secrets

# Config name → redaction label; listed from the strongest verdict down: where two
# detectors claim the same characters (a phone number inside a card number) the first wins.
LABELS = {
    "secret": "SECRET",
    "credit_card": "CARD",
    "iban": "IBAN",
    "ssn": "SSN",
    "email": "EMAIL",
    "ip": "IP",
    "phone": "PHONE",
}
ALL_KINDS = tuple(LABELS)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    start: int
    end: int


# What one remembered verdict costs in memory, charged on top of its text's length.
ENTRY_COST = 256
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024


class Scanner:
    def __init__(
        self,
        kinds: Iterable[str] = ALL_KINDS,
        region: str = "US",
        cache_size: int | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        self.kinds = tuple(k for k in ALL_KINDS if k in set(kinds))
        self.region = region
        self.cache_size = cache_size  # an optional cap on entries, on top of the bytes
        self.cache_bytes = cache_bytes
        self._bytes = 0
        self._cache: OrderedDict[bytes, tuple[tuple[Finding, ...], int]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def warm(self) -> None:
        """Load the detectors' data (libphonenumber's metadata) before the first request."""
        self._scan("call +1 202 555 0147 or (415) 555-2671, mail a@example.com, ip 10.0.0.1")

    def _finder(self, kind: str) -> Callable[[str], Iterator[tuple[int, int]]]:
        if kind == "phone":
            return lambda text: detectors.find_phones(text, self.region)
        return {
            "secret": find_secrets,
            "credit_card": detectors.find_cards,
            "iban": detectors.find_ibans,
            "ssn": detectors.find_ssns,
            "email": detectors.find_emails,
            "ip": detectors.find_ips,
        }[kind]

    def scan(self, text: str) -> tuple[Finding, ...]:
        if not text:
            return ()
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return hit[0]
        found = self._scan(text)
        cost = len(text) + ENTRY_COST
        with self._lock:
            self.misses += 1
            if key not in self._cache:
                self._cache[key] = (found, cost)
                self._bytes += cost
            cap = self.cache_size
            while self._cache and (
                self._bytes > self.cache_bytes or (cap is not None and len(self._cache) > cap)
            ):
                _, (_, old) = self._cache.popitem(last=False)
                self._bytes -= old
        return found

    def _scan(self, text: str) -> tuple[Finding, ...]:
        taken: list[Finding] = []
        for kind in self.kinds:  # strongest first
            for start, end in self._finder(kind)(text):
                if all(end <= f.start or start >= f.end for f in taken):
                    taken.append(Finding(kind, start, end))
        return tuple(sorted(taken, key=lambda f: f.start))

    def redact(self, text: str) -> tuple[str, tuple[Finding, ...]]:
        """The text with every finding replaced by its label, e.g. ``[EMAIL]``."""
        found = self.scan(text)
        return redact_spans(text, found), found


def redact_spans(text: str, found: Iterable[Finding]) -> str:
    parts: list[str] = []
    last = 0
    for f in found:
        parts.append(text[last : f.start])
        parts.append(f"[{LABELS[f.kind]}]")
        last = f.end
    parts.append(text[last:])
    return "".join(parts)
