"""The switch from one environment to the next, on plain dicts and lists, with no imports.

clientenv/envstate.py (the cold path, with its dataclasses) and clientenv/warm.py (the warm
`llmgw env`) both call these functions, so both print the same bytes by construction. The
record's format is described in envstate.py. ``json`` is imported only to *read* a record
that is there; writing one is done here (the same bytes as ``json.dumps(..., separators=(",",
":"), ensure_ascii=False)``, shown by tests/clientenv/test_envswitch.py).
"""

from __future__ import annotations

import binascii

TYPE_CHECKING = False  # not typing's: on the warm path (clientenv/warm.py)
if TYPE_CHECKING:
    from collections.abc import Mapping

    # (profile, set, was, saved): the record as plain values
    Record = tuple[str | None, list[str], dict[str, str], list[str]]
    # (set, unset, save, restore): an EnvPlan as plain values
    Plan = tuple[dict[str, str], list[str], list[str], list[str]]

STATE_VAR = "LLMGW_ENV_STATE"
ACTIVE_VAR = "LLMGW_ACTIVE_PROFILE"
MAX_RECORD = 256 * 1024  # an outside input: bounded before it is decoded
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSW", "CREDENTIAL", "HEADERS")
_NOT_SECRET = frozenset({"CLAUDE_CODE_CLIENT_KEY", "CLAUDE_CODE_SKIP_BEDROCK_AUTH"})
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _LETTERS | frozenset("0123456789")
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def env_name(name: str) -> bool:
    """``[A-Za-z_][A-Za-z0-9_]*`` and nothing after it (not even a newline)."""
    if not name or name[0] not in _LETTERS:
        return False
    return all(c in _NAME_CHARS for c in name)


def _has_userinfo(value: str) -> bool:
    """``://[^/@\\s]*@`` found in ``value``: a URL with a user (and maybe a password)."""
    start = value.find("://")
    while start >= 0:
        for c in value[start + 3 :]:
            if c == "@":
                return True
            if c == "/" or c.isspace():
                break
        start = value.find("://", start + 1)
    return False


def _has_secret_word(name: str) -> bool:
    if name.isascii():
        upper = name.upper()
        return any(word in upper for word in _SECRET_WORDS)
    import re  # re.IGNORECASE folds a few other letters onto ASCII ones (K, ſ): the exact rule

    return re.search("|".join(_SECRET_WORDS), name, re.IGNORECASE) is not None


def secret_like(name: str, value: str) -> bool:
    if _has_userinfo(value):
        return True
    return name not in _NOT_SECRET and _has_secret_word(name)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r"}
_ESCAPES["\t"] = "\\t"


def _json_str(text: str) -> str:
    if all(c >= " " and c not in '"\\' for c in text):
        return '"' + text + '"'
    out = [_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if c < " " else c) for c in text]
    return '"' + "".join(out) + '"'


def _json_names(names: list[str]) -> str:
    return "[" + ",".join(_json_str(n) for n in names) + "]"


def encode(profile: str | None, set_: list[str], was: dict[str, str], saved: list[str]) -> str:
    """base64url(JSON) of the record, without padding."""
    pairs = ",".join(_json_str(k) + ":" + _json_str(v) for k, v in was.items())
    p = "null" if profile is None else _json_str(profile)
    text = (
        f'{{"v":1,"p":{p},"set":{_json_names(set_)},"was":{{{pairs}}},'
        f'"saved":{_json_names(saved)}}}'
    )
    raw = binascii.b2a_base64(text.encode(), newline=False).translate(_TO_URLSAFE)
    return raw.decode().rstrip("=")


def _names(value: object) -> list[str]:
    # Names end up in shell code that is eval'ed: anything but a plain name is dropped.
    if not isinstance(value, list):
        return []
    return [n for n in value if isinstance(n, str) and env_name(n)]


def _b64decode(text: str) -> bytes:
    # base64.urlsafe_b64decode: ASCII only, then the non-strict standard decoder
    return binascii.a2b_base64(text.encode("ascii").translate(_FROM_URLSAFE))


class _Context:
    """What json's C scanner reads from a JSONDecoder: json.loads' defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # NaN, Infinity, -Infinity: the same floats json gives


def json_loads(raw: bytes) -> object:
    """``json.loads(raw)`` for an object in UTF-8 (what a record is), without importing
    json (its regexes cost more than the rest of a warm run); anything else goes to json."""
    scanner = None
    if raw[:2] == b'{"':  # json.detect_encoding says utf-8 for these
        try:
            from _json import make_scanner

            scanner = make_scanner(_Context())  # type: ignore[arg-type]
        except ImportError:
            pass
    if scanner is None:
        import json

        return json.loads(raw)
    text = raw.decode("utf-8", "surrogatepass")  # as json.loads decodes bytes
    try:
        data, end = scanner(text, 0)
    except StopIteration as exc:
        raise ValueError("Expecting value") from exc
    if text[end:].strip(" \t\n\r"):
        raise ValueError("Extra data")  # json's whitespace is these four
    return data


def decode(text: str | None) -> Record:
    """The record in the environment; a damaged or foreign one counts as none."""
    none: Record = (None, [], {}, [])
    if not text or len(text) > MAX_RECORD:
        return none
    try:
        data = json_loads(_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        return none
    if not isinstance(data, dict) or data.get("v") != 1:
        return none
    was = data.get("was")
    profile = data.get("p")
    return (
        profile if isinstance(profile, str) else None,
        _names(data.get("set")),
        {
            k: v
            for k, v in (was.items() if isinstance(was, dict) else [])
            if isinstance(k, str) and env_name(k) and isinstance(v, str)
        },
        _names(data.get("saved")),
    )


def _undo(plan: Plan, name: str, old: Record) -> None:
    """Put back what the user had under ``name`` before llmgw set it."""
    if name in old[2]:
        plan[0][name] = old[2][name]
    elif name in old[3]:
        plan[3].append(name)
    else:
        plan[1].append(name)


def _keep_users(
    name: str, old: Record, new: Record, plan: Plan, environ: Mapping[str, str]
) -> None:
    """Record the user's value of a name llmgw is about to set or clear."""
    if name in old[1]:  # llmgw's own value now: the user's is in the old record
        if name in old[2]:
            new[2][name] = old[2][name]
        elif name in old[3]:
            new[3].append(name)
        return
    value = environ.get(name)
    if value is None:
        return
    if secret_like(name, value):
        new[3].append(name)
        plan[2].append(name)
    else:
        new[2][name] = value


def switch(
    values: dict[str, str], cleared: list[str], profile: str, environ: Mapping[str, str]
) -> Plan:
    """From whatever llmgw set before (if anything) to ``values``, keeping the user's own."""
    old = decode(environ.get(STATE_VAR))
    plan: Plan = ({}, [], [], [])
    gone = [n for n in cleared if n not in values]
    touched = [*values, *gone]
    new: Record = (profile, touched, {}, [])
    for name in touched:
        _keep_users(name, old, new, plan, environ)
    for name in old[1]:
        if name not in touched:
            _undo(plan, name, old)
    plan[1].extend(gone)
    plan[0].update(values)
    plan[0][STATE_VAR] = encode(*new)
    plan[0][ACTIVE_VAR] = profile
    return plan


def restore_all(environ: Mapping[str, str]) -> Plan:
    """``llmgw env --unset``: undo everything the record says llmgw set."""
    old = decode(environ.get(STATE_VAR))
    plan: Plan = ({}, [], [], [])
    for name in old[1]:
        _undo(plan, name, old)
    plan[1].extend(n for n in (STATE_VAR, ACTIVE_VAR) if n in environ)
    return plan
