"""Layer 1: the profile itself and its secret."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from llmgw_cli.config.model import PLAIN_PROXY_PASSWORD
from llmgw_cli.config.secretref import SecretRef, mask
from llmgw_cli.config.secrets import secret_fix
from llmgw_cli.doctor.context import Context
from llmgw_cli.doctor.registry import check
from llmgw_cli.doctor.result import Outcome, fail, ok, skip, warn
from llmgw_cli.errors import LlmgwError


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@check("config", layer="config", title="profile valid, who selected it, endpoint sanity")
def config(ctx: Context) -> Outcome:
    p = ctx.profile
    parts = urlsplit(p.root)
    detail = {
        "endpoint": p.root,
        "formats": p.formats,
        "auth": p.auth.type,
        "selected_by": ctx.selected_by,
    }
    summary = f"{p.name}: {'+'.join(p.formats)} at {p.root}, selected by {ctx.selected_by}"
    edit = f"llmgw profile edit {p.name}"
    for key in ("ca_bundle", "client_cert", "client_key"):
        path = getattr(p.tls, key)
        if path and not os.path.isfile(os.path.expanduser(path)):
            return fail(f"tls.{key} {path} does not exist", f"fix the path ({edit})", detail)
    problems: list[tuple[str, str]] = [
        (
            note,
            f"llmgw secret set {p.name} --proxy"
            if note.startswith(PLAIN_PROXY_PASSWORD)
            else f"save the profile without /v1 ({edit})",
        )
        for note in p.warnings
    ]
    path = parts.path.rstrip("/")
    if "anthropic" in p.formats and path.endswith("/v1"):
        problems.append(
            (
                "the endpoint ends in /v1: Claude Code adds /v1 itself and would call "
                "/v1/v1/messages",
                f"remove /v1 from the endpoint ({edit})",
            )
        )
    if any(seg in path for seg in ("/messages", "/chat/completions", "/models")):
        problems.append(
            (f"the endpoint includes an API path ({path})", f"use the gateway root ({edit})")
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        problems.append(
            (
                f"plain http to {parts.hostname}: the key and prompts travel unencrypted",
                f"use https:// ({edit})",
            )
        )
    if not p.tls.verify:
        problems.append(
            (
                "tls.verify is false: certificates are not checked",
                f"set tls.ca_bundle to the gateway's CA instead ({edit})",
            )
        )
    if problems:
        detail["problems"] = [text for text, _ in problems]
        return warn("; ".join(text for text, _ in problems), problems[0][1], detail)
    return ok(summary, detail)


@check("secret", layer="config", title="secret resolvable (shown masked)", depends=("config",))
def secret(ctx: Context) -> Outcome:
    p = ctx.profile
    if p.auth.type == "none" or not p.auth.secret:
        return skip("auth type none: no secret to resolve")
    ref = SecretRef.parse(p.auth.secret)
    detail = {"ref": str(ref), "where": ctx.secrets.where(p.name, ref)}
    try:
        value = ctx.secrets.get(p.name, ref)
    except LlmgwError as exc:
        return fail(f"cannot read the secret from {detail['where']}", exc.message, detail)
    ctx.secret = value
    detail["masked"] = mask(value)
    if value.lower().startswith("bearer "):
        return warn(
            f"{ref} → {mask(value)} starts with 'Bearer '",
            f"store the key alone; llmgw adds the scheme ({secret_fix(p)})",
            detail,
        )
    if any(ch.isspace() for ch in value):
        return warn(
            f"{ref} → {mask(value)} contains whitespace",
            f"store the key without spaces or line breaks ({secret_fix(p)})",
            detail,
        )
    return ok(f"{ref} → {mask(value)}", detail)
