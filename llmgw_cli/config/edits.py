"""`llmgw profile set NAME KEY=VALUE…`: a non-interactive edit, validated like a file, atomic."""

from __future__ import annotations

from typing import Any

from llmgw_cli.config import model, yamlio
from llmgw_cli.config.manage import take_proxy_password
from llmgw_cli.config.model import Profile
from llmgw_cli.config.secretref import SecretRef
from llmgw_cli.config.secrets import Secrets, proxy_key
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import UsageError

_MAX_VALUE = 64 * 1024


def parse_value(text: str) -> Any:
    """A VALUE is read as YAML (so true, 3, [a, b] work); an empty VALUE removes the key."""
    if len(text) > _MAX_VALUE:
        raise UsageError(f"a value of {len(text)} characters is too long (at most {_MAX_VALUE})")
    if text == "":
        return None
    doc = yamlio.parse(text, "the value")
    return doc.data


def parse_assignment(text: str) -> tuple[list[str], Any]:
    key, sep, value = text.partition("=")
    parts = key.strip().split(".")
    if not sep or not all(parts):
        raise UsageError(
            f"{text!r} is not KEY=VALUE; write it like models.default=claude-sonnet-4-5 "
            "or claude_code.env.API_TIMEOUT_MS=600000"
        )
    if parts[0] == "name":
        raise UsageError("the name is the file's: use `llmgw profile rename OLD NEW`")
    return parts, parse_value(value)


def _assign(data: dict[str, Any], parts: list[str], value: Any) -> None:
    node = data
    for i, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            where = ".".join(parts[: i + 1])
            raise UsageError(f"{where} is not a mapping, so {'.'.join(parts)} cannot be set")
        node = child
    if value is None:
        node.pop(parts[-1], None)
    else:
        # claude_code.env values and header values are strings in the file.
        node[parts[-1]] = (
            str(value)
            if parts[0] in ("headers",)
            or parts[:2]
            == [
                "claude_code",
                "env",
            ]
            else value
        )


def apply(
    store: ProfileStore, name: str, assignments: list[str], secrets: Secrets | None = None
) -> tuple[Profile, bool]:
    """Set the keys, validate, save; returns the profile and whether a proxy password moved.
    With ``secrets``, a password given in ``proxy.https`` moves to the keychain (or a 0600
    file without one: ``proxy.secret``) first."""
    if not assignments:
        raise UsageError(f"give KEY=VALUE pairs: llmgw profile set {name} models.default=M")
    profile = store.load(name)
    data = profile.to_dict()
    for text in assignments:
        parts, value = parse_assignment(text)
        _assign(data, parts, value)
    doc = yamlio.Located(data=data, source=f"llmgw profile set {name}")
    updated = model.from_data(data, doc, name)
    password = take_proxy_password(updated) if secrets is not None else None
    if secrets is not None and password is not None:
        secrets.store(proxy_key(name), SecretRef.parse(updated.proxy.secret or ""), password)
    store.save(updated)  # atomic: temp file + os.replace
    return updated, password is not None
