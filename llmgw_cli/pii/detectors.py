r"""PII detectors: each finds (start, end) spans of one kind in a text.

Regular expressions only propose candidates; a checksum or a parser decides (Luhn and
card-network prefixes for cards, mod 97 and the country's length for IBANs, the ``ipaddress``
module for IPs, libphonenumber for phone numbers), because prompts sent by coding tools are
full of digits that merely look like PII: version strings, timestamps, ids, line numbers.

Speed: Python's ``re`` skips ahead to candidate positions only when a pattern begins with a
character or a class; one that begins with a lookbehind is tried at every position (3× as
slow over a 20 KB file read). So each "not preceded by" check sits after the first
character: ``\d(?<![\w-]\d)`` is ``(?<![\w-])\d`` with the skip-ahead kept.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

Span = tuple[int, int]

# --- email -------------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})"
    r"(?![\w-]|:[\w~/.])"  # `git@github.com:org/repo` is an ssh address, not an email
)
# `icon@2x.png`: retina asset names end in a file extension, not a top-level domain.
_FILE_EXTENSIONS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "tif", "tiff", "avif", "js"}
    | {"mjs", "ts", "tsx", "jsx", "css", "scss", "map", "json"}
)


def find_emails(text: str) -> Iterator[Span]:
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        if m.group(1).lower() not in _FILE_EXTENSIONS:
            yield m.start(), m.end()


# --- payment cards ------------------------------------------------------------------------
_CARD = re.compile(r"\d(?<![\w.,-]\d)(?:[ -]?\d){11,18}(?![\w]|[.,-]\d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_network_ok(d: str) -> bool:
    """The length fits the issuer the prefix names (Visa, Mastercard, Amex, …)."""
    n, two, four = len(d), int(d[:2]), int(d[:4])
    if d[0] == "4":
        return n in (13, 16, 19)
    if two in (34, 37):
        return n == 15
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16
    if two in (36, 38, 39) or 300 <= int(d[:3]) <= 305 or 3528 <= four <= 3589:
        return 14 <= n <= 19
    if d[0] == "6" or two in (50, 56, 57, 58):
        return 16 <= n <= 19
    return False


def find_cards(text: str) -> Iterator[Span]:
    for m in _CARD.finditer(text):
        raw = m.group()
        groups = re.split(r"[ -]", raw)
        if len(groups) > 1:
            seps = set(re.findall(r"[ -]", raw))
            # Printed cards group digits by 4 (or 4-6-5 for Amex) with one separator.
            if len(seps) > 1 or any(len(g) not in (4, 6) for g in groups[:-1]):
                continue
        digits = "".join(groups)
        if 13 <= len(digits) <= 19 and card_network_ok(digits) and luhn_ok(digits):
            yield m.start(), m.end()


# --- IBAN ---------------------------------------------------------------------------------
_IBAN_LENGTHS = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SC": 31,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
}
_IBAN = re.compile(r"([A-Z](?<![A-Za-z0-9][A-Z])[A-Z])(\d{2})((?: ?[A-Z0-9]){11,30})")


def iban_ok(compact: str) -> bool:
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def find_ibans(text: str) -> Iterator[Span]:
    for m in _IBAN.finditer(text):
        length = _IBAN_LENGTHS.get(m.group(1))
        if length is None:
            continue
        # Take exactly the country's length of characters; the regex may run on into a word.
        end, count = m.start(), 0
        while end < len(text) and count < length:
            if text[end] != " ":
                count += 1
            end += 1
        if count < length or (end < len(text) and text[end].isalnum()):
            continue
        compact = text[m.start() : end].replace(" ", "")
        if compact.isalnum() and compact.isascii() and iban_ok(compact):
            yield m.start(), end


# --- US social security numbers -----------------------------------------------------------
# Area 000, 666 and 900-999, group 00 and serial 0000 were never issued.
_SSN = re.compile(r"\d(?<![\w-]\d)\d{2}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w]|-\d)")


def find_ssns(text: str) -> Iterator[Span]:
    pos = 0
    while (m := _SSN.search(text, pos)) is not None:
        area = text[m.start() : m.start() + 3]
        if area in ("000", "666") or area[0] == "9":
            pos = m.start() + 1  # as a lookahead would: try the next position
            continue
        yield m.start(), m.end()
        pos = m.end()


# --- IP addresses -------------------------------------------------------------------------
_IPV4 = re.compile(r"\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\w)")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:]|\.\w)"
)
_IPV6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:")
# "version 1.2.3.4", 'version="1.2.3.4"', "v1.2.3.4", "pkg==1.2.3.4", "lib@1.2.3.4": dotted
# numbers after these words and pins are versions (but `HOST=10.0.0.5` is an address).
_VERSION_BEFORE = re.compile(
    r"(?i)(?:(?:\bv|\bversions?|\bver\.?|\brelease|\bbuild)[\"']?\s*[:=]?\s*[\"']?|==|>=|<=|~=|!=|\^|~|@)$"
)


def _ip_counts(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # Loopback, 0.0.0.0, multicast, link-local and reserved ranges (netmasks) identify no one.
    return not (
        addr.is_loopback
        or addr.is_unspecified
        or addr.is_multicast
        or addr.is_link_local
        or addr.is_reserved
    )


def find_ips(text: str) -> Iterator[Span]:
    if "." in text:
        for m in _IPV4.finditer(text):
            if _VERSION_BEFORE.search(text, max(0, m.start() - 16), m.start()):
                continue
            try:
                addr4 = ipaddress.IPv4Address(m.group())
            except ValueError:
                continue
            if _ip_counts(addr4):
                yield m.start(), m.end()
    if _IPV6_HINT.search(text):  # two colons at most four hex digits apart
        for m in _IPV6.finditer(text):
            value = m.group()
            if sum(1 for g in value.split(":") if g) < 3:  # `a::b`, `::1`, C++ `x::y`
                continue
            try:
                addr6 = ipaddress.IPv6Address(value)
            except ValueError:
                continue
            if _ip_counts(addr6):
                yield m.start(), m.end()


# --- phone numbers ------------------------------------------------------------------------
_PHONE_CANDIDATE = re.compile(  # (?<![\w.+-])\+?\(?\d…, checked after the first character
    r"(?:\+(?<![\w.+-]\+)\(?\d|\((?<![\w.+-]\()\d|\d(?<![\w.+-]\d))[\d ().-]{5,20}\d(?![\w])"
)


def find_phones(text: str, region: str = "US") -> Iterator[Span]:
    """libphonenumber decides; a cheap regex first skips text with no digit runs at all."""

    for cand in _PHONE_CANDIDATE.finditer(text):
        digits = sum(ch.isdigit() for ch in cand.group())
        if not 7 <= digits <= 15:
            continue
        # A little context lets libphonenumber reject time stamps and dates around it.
        lo, hi = max(0, cand.start() - 8), min(len(text), cand.end() + 8)
        for m_start, m_end in _phone_matches(text[lo:hi], region):
            start, end = lo + m_start, lo + m_end
            if start < cand.end() and end > cand.start():
                yield start, end


# libphonenumber's verdict on a window (~1-3 ms each): the same numbers, IDs and time
# stamps recur in a conversation's tool results, turn after turn. Bounded; cleared when full.
_PHONE_WINDOWS: dict[tuple[str, str], tuple[Span, ...]] = {}
_PHONE_WINDOWS_MAX = 16384


def _phone_matches(window: str, region: str) -> tuple[Span, ...]:
    key = (window, region)
    hit = _PHONE_WINDOWS.get(key)
    if hit is not None:
        return hit
    import phonenumbers

    found = tuple(
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(
            window, region, leniency=phonenumbers.Leniency.VALID
        )
    )
    if len(_PHONE_WINDOWS) >= _PHONE_WINDOWS_MAX:
        _PHONE_WINDOWS.clear()  # rare; a dict operation is atomic under the GIL
    _PHONE_WINDOWS[key] = found
    return found
