"""The seed's ``gateway-config.yaml``: providers that become chain members without profiles.

    providers:
      anthropic:
        endpoint: https://api.anthropic.com
        api_key: ${ANTHROPIC_API_KEY}
        models: [claude-opus-4-1, claude-sonnet-4-5]
      openai:
        endpoint: https://api.openai.com/v1
        api_key: ${OPENAI_API_KEY}
        models: [gpt-4o]
    routing_rules:
      - pattern: "code-.*"
        preferred_model: claude-opus-4-1
        fallback: gpt-4o

is a complete shim config as it stands: each provider is a chain member (in the order
written unless ``chain:`` says otherwise), its wire format follows its name (anthropic →
anthropic; openai, cohere and the other OpenAI-compatible names → openai; ``format:`` for any
other name), and ``api_key: ${VAR}`` is read from the shim's environment when it starts or
reloads — the key itself never sits in the file. ``models`` says which models a provider
serves: a rule's ``preferred_model`` and ``fallback`` models are looked up there, and a
request for a listed model goes to its provider first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from llmgw_cli.config.model import NAME_RE, Auth, Profile, Timeouts
from llmgw_cli.errors import ConfigError, SecretError

ANTHROPIC_NAMES = ("anthropic", "claude")
OPENAI_NAMES = (
    "openai",
    "cohere",
    "azure",
    "azure-openai",
    "ollama",
    "vllm",
    "groq",
    "mistral",
    "together",
    "deepseek",
    "openrouter",
    "fireworks",
    "litellm",
    "lmstudio",
)
_VAR = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$|^\$([A-Za-z_][A-Za-z0-9_]*)$")

Fail = Callable[[tuple[str, ...], str], ConfigError]


@dataclass
class Provider:
    endpoint: str = ""
    api_key: str | None = None  # ${VAR} (the seed's form) or env:VAR; None: no credential
    models: list[str] = field(default_factory=list)
    format: str | None = None  # anthropic | openai; default: from the provider's name
    auth: str | None = None  # bearer | x-api-key | none; default: the format's usual one
    headers: dict[str, str] = field(default_factory=dict)


def wire_format(name: str, provider: Provider) -> str | None:
    if provider.format is not None:
        return provider.format
    key = name.lower()
    if key in ANTHROPIC_NAMES or key.startswith("anthropic"):
        return "anthropic"
    if key in OPENAI_NAMES or key.startswith(OPENAI_NAMES):
        return "openai"
    return None


def key_variable(api_key: str) -> str | None:
    """The environment variable an ``api_key`` names (``${VAR}``, ``$VAR`` or ``env:VAR``)."""
    m = _VAR.match(api_key.strip())
    if m:
        return m.group(1) or m.group(2)
    if api_key.startswith("env:") and re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", api_key[4:]):
        return api_key[4:]
    return None


def check(providers: Mapping[str, Provider], fail: Fail) -> None:
    """Validate the providers section (called by ``shim.config.validate``)."""
    for name, p in providers.items():
        where = ("providers", name)
        if not NAME_RE.match(name):
            raise fail(where, "a provider name is letters, digits, '.', '_' or '-'")
        if not p.endpoint:
            raise fail((*where, "endpoint"), "missing; add endpoint: https://api.example.com")
        if not re.match(r"^https?://[^/\s]+", p.endpoint):
            raise fail((*where, "endpoint"), f"{p.endpoint!r} is not an http(s) URL")
        fmt = wire_format(name, p)
        if fmt is None:
            raise fail(
                where,
                "cannot tell its wire format from its name; add format: openai "
                "(or format: anthropic)",
            )
        if fmt not in ("anthropic", "openai"):
            raise fail((*where, "format"), "use anthropic or openai")
        if p.auth is not None and p.auth not in ("bearer", "x-api-key", "none"):
            raise fail((*where, "auth"), "use bearer, x-api-key or none")
        if p.api_key is not None and key_variable(p.api_key) is None:
            raise fail(
                (*where, "api_key"),
                "name an environment variable, as in "
                "api_key: ${OPENAI_API_KEY}; a key itself does not belong in a file",
            )


def provider_for_model(
    chain: Sequence[str], providers: Mapping[str, Provider], model: str
) -> str | None:
    """The first chain member that is a provider listing ``model``."""
    for name in chain:
        p = providers.get(name)
        if p is not None and model in p.models:
            return name
    return None


def profile_for(name: str, provider: Provider, timeouts: Timeouts) -> Profile:
    fmt = wire_format(name, provider) or "openai"
    auth = provider.auth or ("x-api-key" if fmt == "anthropic" else "bearer")
    if provider.api_key is None:
        auth = "none"
    endpoint = provider.endpoint.strip().rstrip("/")
    if fmt == "anthropic" and endpoint.endswith("/v1"):
        endpoint = endpoint[: -len("/v1")]  # the client's paths already start with /v1
    return Profile(
        name=name,
        endpoint=endpoint,
        formats=[fmt],
        auth=Auth(type=auth, secret=None),
        headers=dict(provider.headers),
        timeouts=timeouts,
    )


def secret_for(name: str, provider: Provider, source: str | None) -> str | None:
    """The provider's key, read from the environment now (start or reload)."""
    if provider.api_key is None or (provider.auth or "") == "none":
        return None
    var = key_variable(provider.api_key)
    value = os.environ.get(var) if var else None
    if not value:
        where = f" in {source}" if source else ""
        raise SecretError(
            f"provider {name!r}{where} reads its api_key from ${var}, which is not set in "
            f"the shim's environment; export {var}=… before `llmgw shim start`"
        )
    return value
