"""Which variables a profile sets (README.md, "Hand a profile to your tools"; docs/clients.md).

A profile sets only what it needs; the rest of the user's environment is left alone. What
was set, and what the user had before, is recorded by ``clientenv.envstate`` so the next
switch undoes only llmgw's own variables and ``--unset`` restores the user's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from llmgw_cli.clientenv.plan import SECRET_VARS as SECRET_VARS
from llmgw_cli.clientenv.plan import EnvPlan as EnvPlan
from llmgw_cli.clientenv.plan import ProfileEnv as ProfileEnv
from llmgw_cli.config.model import ClaudeCode, Profile

# Every variable a profile may set (besides its claude_code.env names).
MANAGED = (
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "NODE_EXTRA_CA_CERTS",
    "CLAUDE_CODE_CLIENT_CERT",
    "CLAUDE_CODE_CLIENT_KEY",
    "HTTPS_PROXY",
    "https_proxy",
    "NO_PROXY",
    "no_proxy",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_API_BASE",
    "CLAUDE_CODE_USE_BEDROCK",
    "ANTHROPIC_BEDROCK_BASE_URL",
    "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
    "CLAUDE_CODE_USE_VERTEX",
    "ANTHROPIC_VERTEX_BASE_URL",
    "CLAUDE_CODE_SKIP_VERTEX_AUTH",
    "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
    "CLAUDE_CODE_DISABLE_ADAPTIVE_THINKING",
    "CLAUDE_CODE_DISABLE_STRUCTURED_OUTPUTS",
    "CLAUDE_CODE_DISABLE_ADVISOR_TOOL",
    "CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK",
    "ENABLE_TOOL_SEARCH",
    "CLAUDE_CODE_AUTO_COMPACT_WINDOW",
    "CLAUDE_CODE_MAX_CONTEXT_TOKENS",
    "CLAUDE_CODE_MAX_OUTPUT_TOKENS",
    "CLAUDE_CODE_ATTRIBUTION_HEADER",
    "CLAUDE_CODE_GATEWAY_HINT_HEADERS",
    "CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY",
    "LLMGW_ENV_STATE",
    "LLMGW_ACTIVE_PROFILE",
)
# `auth: none`: Claude Code ("Not logged in") and the openai SDK refuse to start without some
# token, even when the gateway checks none. Not a secret.
PLACEHOLDER_TOKEN = "llmgw-no-auth"


# What a running shim may ask `env --shim` to set (the shim state file's client_env).
SHIM_CLIENT_VARS = (
    "CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY",
    "CLAUDE_CODE_GATEWAY_HINT_HEADERS",
)


@dataclass(frozen=True)
class ShimTarget:
    """A running shim: clients talk plain HTTP to it with its local token."""

    url: str
    token: str
    # What the running shim asks its Claude Code clients to turn on (discovery, hints).
    client_env: dict[str, str] = field(default_factory=dict)


# claude_code.<key> -> the variable Claude Code reads (docs/clients.md, compatibility switches).
# A value is exported only when it differs from Claude Code's own default.
SWITCHES: tuple[tuple[str, str], ...] = (
    ("disable_experimental_betas", "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS"),
    ("disable_nonessential_traffic", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"),
    ("disable_adaptive_thinking", "CLAUDE_CODE_DISABLE_ADAPTIVE_THINKING"),
    ("disable_structured_outputs", "CLAUDE_CODE_DISABLE_STRUCTURED_OUTPUTS"),
    ("disable_advisor_tool", "CLAUDE_CODE_DISABLE_ADVISOR_TOOL"),
    ("disable_nonstreaming_fallback", "CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK"),
    ("tool_search", "ENABLE_TOOL_SEARCH"),
    ("auto_compact_window", "CLAUDE_CODE_AUTO_COMPACT_WINDOW"),
    ("max_context_tokens", "CLAUDE_CODE_MAX_CONTEXT_TOKENS"),
    ("max_output_tokens", "CLAUDE_CODE_MAX_OUTPUT_TOKENS"),
    ("attribution_header", "CLAUDE_CODE_ATTRIBUTION_HEADER"),
    ("hint_headers", "CLAUDE_CODE_GATEWAY_HINT_HEADERS"),
    ("model_discovery", "CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"),
)


def switch_env(cc: ClaudeCode) -> dict[str, str]:
    """The variables ``cc``'s switches set; a switch at Claude Code's default sets nothing."""
    env: dict[str, str] = {}
    for key, var in SWITCHES:
        value = getattr(cc, key)
        if key == "attribution_header":
            if value is False:
                env[var] = "0"
        elif key == "tool_search":
            if value is not None:
                env[var] = "true" if value else "false"
        elif isinstance(value, bool):
            if value:
                env[var] = "1"
        elif value is not None:
            env[var] = str(value)
    return env


def _expand(path: str) -> str:
    return str(Path(os.path.expanduser(path)).resolve())


def _anthropic(env: ProfileEnv, profile: Profile, root: str, key: str, auth: str) -> None:
    env.values["ANTHROPIC_BASE_URL"] = root
    if auth == "x-api-key":
        env.values["ANTHROPIC_API_KEY"] = key
        env.cleared.append("ANTHROPIC_AUTH_TOKEN")  # never both: Claude Code sends both
    else:
        env.values["ANTHROPIC_AUTH_TOKEN"] = key
        env.cleared.append("ANTHROPIC_API_KEY")
    if profile.headers:
        env.values["ANTHROPIC_CUSTOM_HEADERS"] = "\n".join(
            f"{k}: {v}" for k, v in profile.headers.items()
        )


def _cloud_env(formats: list[str], root: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for fmt, var in (("bedrock", "BEDROCK"), ("vertex", "VERTEX")):
        if fmt in formats:
            env[f"CLAUDE_CODE_USE_{var}"] = "1"
            env[f"ANTHROPIC_{var}_BASE_URL"] = root
            env[f"CLAUDE_CODE_SKIP_{var}_AUTH"] = "1"
    return env


def _model_env(profile: Profile) -> dict[str, str]:
    models = profile.models
    pairs = (
        ("ANTHROPIC_MODEL", models.default),
        ("ANTHROPIC_DEFAULT_OPUS_MODEL", models.opus),
        ("ANTHROPIC_DEFAULT_SONNET_MODEL", models.sonnet),
        ("ANTHROPIC_DEFAULT_HAIKU_MODEL", models.haiku),
    )
    return {var: value for var, value in pairs if value}


def _network_env(profile: Profile) -> dict[str, str]:
    tls, proxy = profile.tls, profile.proxy
    no_proxy = ",".join(proxy.no_proxy)
    # Both spellings of the proxy variables: curl and Python read the lowercase one first,
    # Node the uppercase one; setting one only would make them disagree.
    pairs = (
        ("NODE_EXTRA_CA_CERTS", tls.ca_bundle and _expand(tls.ca_bundle)),
        ("CLAUDE_CODE_CLIENT_CERT", tls.client_cert and _expand(tls.client_cert)),
        ("CLAUDE_CODE_CLIENT_KEY", tls.client_key and _expand(tls.client_key)),
        ("HTTPS_PROXY", proxy.url()),
        ("https_proxy", proxy.url()),
        ("NO_PROXY", no_proxy),
        ("no_proxy", no_proxy),
    )
    return {var: value for var, value in pairs if value}


def _claude_code_env(profile: Profile, env: dict[str, str]) -> None:
    """Claude Code's switches, then its extra variables (never over one llmgw set)."""
    cc = profile.claude_code
    env.update(switch_env(cc))
    env.update({k: v for k, v in cc.env.items() if k not in env})


def profile_split(
    profile: Profile, secret: str | None, shim: ShimTarget | None = None
) -> ProfileEnv:
    out = ProfileEnv()
    env = out.values
    root = shim.url.rstrip("/") if shim else profile.root
    key = (shim.token if shim else secret) or PLACEHOLDER_TOKEN
    formats = ["anthropic", "openai"] if shim else profile.formats
    if "anthropic" in formats:
        auth = "bearer" if shim else profile.auth.type
        _anthropic(out, Profile(name=profile.name) if shim else profile, root, key, auth)
    env.update(_cloud_env(formats, root))
    if "openai" in formats or "responses" in formats:  # the openai SDK serves both
        base = root if root.endswith("/v1") else root + "/v1"
        env.update(OPENAI_BASE_URL=base, OPENAI_API_BASE=base, OPENAI_API_KEY=key)
    env.update(_model_env(profile))
    if not shim:  # the shim speaks TLS and proxy upstream; its clients need neither
        env.update(_network_env(profile))
    _claude_code_env(profile, env)
    if shim:
        env.update(shim.client_env)
    return out


def profile_env(
    profile: Profile, secret: str | None, shim: ShimTarget | None = None
) -> dict[str, str]:
    return profile_split(profile, secret, shim).values


def plan(
    profile: Profile,
    secret: str | None,
    shim: ShimTarget | None = None,
    environ: dict[str, str] | None = None,
) -> EnvPlan:
    from llmgw_cli.clientenv import envstate

    environ = dict(os.environ) if environ is None else environ
    return envstate.switch(profile_split(profile, secret, shim), profile.name, environ)


def unset_plan(environ: dict[str, str] | None = None) -> EnvPlan:
    from llmgw_cli.clientenv import envstate

    return envstate.restore_all(dict(os.environ) if environ is None else environ)


def apply(plan_: EnvPlan, environ: dict[str, str]) -> dict[str, str]:
    """The environment a child process gets: ``environ`` with the plan applied.

    A child cannot see the shell-local copies ``restore`` reads, so those are dropped.
    """
    gone = {*plan_.unset, *plan_.restore}
    out = {k: v for k, v in environ.items() if k not in gone}
    out.update(plan_.set)
    return out


def without_secret_source(env: dict[str, str], profile: Profile) -> dict[str, str]:
    """A shim client's environment minus the variable an ``env:`` secret is read from.

    Behind the shim the child needs only the local token; the real key stays out of it.
    """
    ref = profile.auth.secret or ""
    if ref.startswith("env:"):
        env = {k: v for k, v in env.items() if k != ref[len("env:") :]}
    return env
