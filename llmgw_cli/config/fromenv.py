"""`llmgw profile import --from-env`: read a profile out of the variables already set.

Understands what Claude Code and OpenAI clients read, and the seed-style names some guides
use (CLAUDE_API_ENDPOINT, CLAUDE_API_KEY, CLAUDE_AUTH_TYPE, CLAUDE_AUTH_TOKEN,
CLAUDE_CUSTOM_HEADERS as JSON, CLAUDE_MODEL_NAME, CLAUDE_ENDPOINTS), which Claude Code ignores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from llmgw_cli.config.model import Profile
from llmgw_cli.errors import UsageError


@dataclass
class Imported:
    data: dict[str, object]
    secret: str | None
    secret_var: str | None  # the variable the secret came from
    notes: list[str] = field(default_factory=list)


def _headers(env: Mapping[str, str], notes: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    raw = env.get("ANTHROPIC_CUSTOM_HEADERS", "")
    for line in raw.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            headers[name.strip()] = value.strip()
    seed = env.get("CLAUDE_CUSTOM_HEADERS", "").strip()
    if seed:
        try:
            parsed = json.loads(seed)
        except ValueError as exc:
            raise UsageError(
                'CLAUDE_CUSTOM_HEADERS is not JSON; write it as {"X-Team": "ml"}'
            ) from exc
        if not isinstance(parsed, dict):
            raise UsageError('CLAUDE_CUSTOM_HEADERS must be a JSON object like {"X-Team": "ml"}')
        headers.update({str(k): str(v) for k, v in parsed.items()})
        notes.append("read CLAUDE_CUSTOM_HEADERS (JSON)")
    return headers


def from_env(env: Mapping[str, str]) -> Imported:
    notes: list[str] = []
    endpoint, formats = _endpoint(env, notes)
    auth_type, secret, var = _auth(env)
    data: dict[str, object] = {
        "endpoint": endpoint,
        "formats": formats,
        "auth": {"type": auth_type},
    }
    headers = _headers(env, notes)
    if headers:
        data["headers"] = headers
    models = _models(env)
    if models:
        data["models"] = models
    if env.get("NODE_EXTRA_CA_CERTS"):
        data["tls"] = {"ca_bundle": env["NODE_EXTRA_CA_CERTS"]}
    proxy = env.get("HTTPS_PROXY") or env.get("https_proxy")
    no_proxy = env.get("NO_PROXY") or env.get("no_proxy")
    if proxy or no_proxy:
        data["proxy"] = {
            "https": proxy,
            "no_proxy": [p.strip() for p in (no_proxy or "").split(",") if p.strip()],
        }
    return Imported(data=data, secret=secret, secret_var=var, notes=notes)


def _endpoint(env: Mapping[str, str], notes: list[str]) -> tuple[str, list[str]]:
    endpoint = env.get("ANTHROPIC_BASE_URL") or env.get("CLAUDE_API_ENDPOINT")
    formats = ["anthropic"]
    endpoints = [e.strip() for e in env.get("CLAUDE_ENDPOINTS", "").split(",") if e.strip()]
    if not endpoint and endpoints:
        endpoint = endpoints[0]
        if len(endpoints) > 1:
            notes.append(
                f"CLAUDE_ENDPOINTS lists {len(endpoints)} endpoints; imported the first. Add the "
                "others as profiles and chain them: llmgw shim start --chain a,b"
            )
    openai_base = env.get("OPENAI_BASE_URL") or env.get("OPENAI_API_BASE")
    if not endpoint and openai_base:
        endpoint = openai_base.rstrip("/")
        endpoint = endpoint[: -len("/v1")] if endpoint.endswith("/v1") else endpoint
        formats = ["openai"]
    elif openai_base:
        formats.append("openai")
    if not endpoint:
        raise UsageError(
            "no endpoint in the environment: set ANTHROPIC_BASE_URL (or CLAUDE_API_ENDPOINT, "
            "OPENAI_BASE_URL) first, or use `llmgw profile add NAME --endpoint URL`"
        )
    return endpoint, formats


def _auth(env: Mapping[str, str]) -> tuple[str, str | None, str | None]:
    auth_type, secret, var = "none", None, None
    seed_type = env.get("CLAUDE_AUTH_TYPE", "").strip().lower().replace("_", "-")
    for name, kind in (
        ("ANTHROPIC_AUTH_TOKEN", "bearer"),
        ("ANTHROPIC_API_KEY", "x-api-key"),
        ("CLAUDE_AUTH_TOKEN", "bearer"),
        ("CLAUDE_API_KEY", "x-api-key"),
        ("OPENAI_API_KEY", "bearer"),
    ):
        if env.get(name):
            auth_type, secret, var = kind, env[name], name
            break
    if seed_type in ("bearer", "token"):
        auth_type = "bearer"
    elif seed_type in ("x-api-key", "api-key", "apikey"):
        auth_type = "x-api-key"
    if secret is None:
        auth_type = "none"
    return auth_type, secret, var


def _models(env: Mapping[str, str]) -> dict[str, str]:
    models = {
        key: env[var_]
        for key, var_ in (
            ("default", "ANTHROPIC_MODEL"),
            ("opus", "ANTHROPIC_DEFAULT_OPUS_MODEL"),
            ("sonnet", "ANTHROPIC_DEFAULT_SONNET_MODEL"),
            ("haiku", "ANTHROPIC_DEFAULT_HAIKU_MODEL"),
        )
        if env.get(var_)
    }
    if "default" not in models and env.get("CLAUDE_MODEL_NAME"):
        models["default"] = env["CLAUDE_MODEL_NAME"]
    return models


def describe(profile: Profile) -> str:
    return (
        f"{profile.name}: {profile.root} ({', '.join(profile.formats)}, auth {profile.auth.type})"
    )
