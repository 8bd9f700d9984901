"""Tables and JSON for profiles."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from llmgw_cli.cli import console
from llmgw_cli.config import checks, schema
from llmgw_cli.config.model import Profile
from llmgw_cli.config.secretref import SecretRef, mask
from llmgw_cli.config.secrets import Secrets, proxy_key
from llmgw_cli.config.selection import Selection
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import LlmgwError


def _secret_info(profile: Profile, secrets: Secrets, reveal_mask: bool) -> dict[str, Any]:
    if profile.auth.type == "none" or not profile.auth.secret:
        return {"ref": None, "where": "no secret (auth none)", "available": None}
    ref = SecretRef.parse(profile.auth.secret)
    info: dict[str, Any] = {"ref": str(ref), "where": secrets.where(profile.name, ref)}
    if reveal_mask:
        try:
            info["masked"] = mask(secrets.get(profile.name, ref))
            info["available"] = True
        except LlmgwError as exc:
            info["available"] = False
            info["problem"] = exc.message
    return info


def _proxy_shown(profile: Profile, secrets: Secrets) -> str:
    """The proxy URL, its password masked (``user:***@``) wherever it lives, and where."""
    url = profile.proxy.https or ""
    if not profile.proxy.secret:
        return str(checks.shown_url(url))
    ref = SecretRef.parse(profile.proxy.secret)
    where = secrets.where(proxy_key(profile.name), ref)
    return f"{checks.shown_url(checks.with_password(url, '-'))}  (password: {where})"


def secret_rows(store: ProfileStore, secrets: Secrets) -> list[dict[str, Any]]:
    """One row per profile for `secret list`; a cmd: secret is named, not run."""
    rows: list[dict[str, Any]] = []
    for name in store.names():
        try:
            profile = store.load(name)
        except LlmgwError as exc:
            rows.append({"profile": name, "ref": None, "where": "", "problem": exc.message})
            continue
        runs_command = (profile.auth.secret or "").startswith("cmd:")
        info = _secret_info(profile, secrets, reveal_mask=not runs_command)
        if runs_command:
            info["available"] = None
        rows.append({"profile": name, "for": "auth", **info})
        if profile.proxy.secret:
            rows.append({"profile": name, "for": "proxy", **_proxy_info(profile, secrets)})
    return rows


def _proxy_info(profile: Profile, secrets: Secrets) -> dict[str, Any]:
    ref = SecretRef.parse(profile.proxy.secret or "")
    account = proxy_key(profile.name)
    info: dict[str, Any] = {"ref": str(ref), "where": secrets.where(account, ref)}
    if ref.kind == "cmd":  # not run to be listed
        info["available"] = None
        return info
    try:
        info["masked"] = mask(secrets.get(account, ref))
        info["available"] = True
    except LlmgwError as exc:
        info["available"] = False
        info["problem"] = exc.message
    return info


def profile_list(store: ProfileStore, json_out: bool) -> None:
    current = store.current()
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for name in store.names():
        try:
            p = store.load(name)
        except LlmgwError as exc:
            problems.append(exc.message)
            rows.append({"name": name, "current": name == current, "error": exc.message})
            continue
        rows.append(
            {
                "name": name,
                "current": name == current,
                "endpoint": p.root,
                "formats": p.formats,
                "auth": p.auth.type,
                "secret": p.auth.secret,
            }
        )
    if json_out:
        console.print_json({"profiles": rows, "current": current})
        return
    if not rows:
        console.info("no profiles yet: llmgw profile add NAME --endpoint URL (or run `llmgw demo`)")
        return
    table = Table(box=None, pad_edge=False)
    for col in ("", "name", "endpoint", "formats", "auth", "secret"):
        table.add_column(col)
    for r in rows:
        if "error" in r:
            table.add_row("", r["name"], Text("invalid", style="red"), "", "", "")
            continue
        table.add_row(
            "*" if r["current"] else "",
            r["name"],
            Text(r["endpoint"]),  # from the file: text, never markup
            ",".join(r["formats"]),
            r["auth"],
            r["secret"] or "-",
        )
    console.out.print(table)
    for message in problems:
        console.warn(message)


def profile_detail(
    profile: Profile, selection: Selection, secrets: Secrets, json_out: bool
) -> None:
    secret = _secret_info(profile, secrets, reveal_mask=True)
    if json_out:
        console.print_json(
            {
                "profile": _shown(profile.to_dict()),
                "selected_by": selection.detail,
                "secret": secret,
            }
        )
        return
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("name", Text(profile.name))
    table.add_row("selected by", Text(selection.detail))
    table.add_row("endpoint", Text(profile.root))
    table.add_row("formats", Text(", ".join(profile.formats)))
    table.add_row("auth", Text(profile.auth.type))
    if secret["ref"]:
        state = (
            Text(str(secret.get("masked")))
            if secret.get("available")
            else Text(str(secret.get("problem")), style="red")
        )
        table.add_row("secret", Text.assemble(state, f"  ({secret['where']})"))
    for key, value in profile.headers.items():
        table.add_row("header", Text(f"{key}: {value}"))
    for key in ("default", "opus", "sonnet", "haiku"):
        value = getattr(profile.models, key)
        if value:
            table.add_row(f"model {key}", Text(value))
    if profile.tls.ca_bundle:
        table.add_row("ca bundle", Text(profile.tls.ca_bundle))
    if profile.tls.client_cert:
        table.add_row("client cert", Text(profile.tls.client_cert))
    if profile.proxy.https:
        table.add_row("proxy", Text(_proxy_shown(profile, secrets)))
    if profile.proxy.no_proxy:
        table.add_row("no proxy", Text(", ".join(profile.proxy.no_proxy)))
    cc = profile.claude_code
    set_keys = {k: v for k, v in schema.unbuild(cc).items() if k != "env"}
    if set_keys or cc.env:
        flags = [k if v is True else f"{k}={v}" for k, v in set_keys.items()]
        flags += [f"{k}={v}" for k, v in cc.env.items()]
        table.add_row("claude code", Text(", ".join(flags)))
    console.out.print(table)


def _shown(data: dict[str, Any]) -> dict[str, Any]:
    """A profile's dict with the proxy URL's password masked (config/checks.py)."""
    proxy = data.get("proxy")
    if isinstance(proxy, dict) and proxy.get("https"):
        data = {**data, "proxy": {**proxy, "https": checks.shown_url(proxy["https"])}}
    return data
