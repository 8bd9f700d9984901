"""Which variables a profile sets (README.md, "Hand a profile to your tools"; docs/clients.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from llmgw_cli.config.model import ENV_NAME_RE, Profile

# Every variable llmgw may set. Whatever a profile does not set is unset, so switching
# profiles leaves nothing stale behind.
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
    "NO_PROXY",
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
    "LLMGW_PROFILE",
    "LLMGW_EXTRA_VARS",
)
# Names of the profile's claude_code.env variables, so the next switch can unset them too.
EXTRA_VARS = "LLMGW_EXTRA_VARS"
SECRET_VARS = frozenset({"ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY", "OPENAI_API_KEY"})


@dataclass
class EnvPlan:
    set: dict[str, str] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)

    def masked(self) -> dict[str, str]:
        from llmgw_cli.config.secretref import mask

        return {k: mask(v) if k in SECRET_VARS else v for k, v in self.set.items()}


@dataclass(frozen=True)
class ShimTarget:
    """A running shim: clients talk plain HTTP to it with its local token."""

    url: str
    token: str


def _expand(path: str) -> str:
    return str(Path(os.path.expanduser(path)).resolve())


def profile_env(
    profile: Profile, secret: str | None, shim: ShimTarget | None = None
) -> dict[str, str]:
    env: dict[str, str] = {}
    root = shim.url.rstrip("/") if shim else profile.root
    key = shim.token if shim else secret
    auth = "bearer" if shim else profile.auth.type
    formats = ["anthropic", "openai"] if shim else profile.formats

    if "anthropic" in formats:
        env.update(_anthropic_env(profile, root, key, auth, with_headers=not shim))
    if "bedrock" in formats:
        env.update(CLAUDE_CODE_USE_BEDROCK="1", ANTHROPIC_BEDROCK_BASE_URL=root)
        env["CLAUDE_CODE_SKIP_BEDROCK_AUTH"] = "1"
    if "vertex" in formats:
        env.update(CLAUDE_CODE_USE_VERTEX="1", ANTHROPIC_VERTEX_BASE_URL=root)
        env["CLAUDE_CODE_SKIP_VERTEX_AUTH"] = "1"
    if "openai" in formats:
        base = root if root.endswith("/v1") else root + "/v1"
        env.update(OPENAI_BASE_URL=base, OPENAI_API_BASE=base)
        if key:
            env["OPENAI_API_KEY"] = key
    env.update(_model_env(profile))
    if not shim:  # the shim speaks TLS and proxy upstream; its clients need neither
        env.update(_network_env(profile))
    _claude_code_env(profile, env)
    env["LLMGW_PROFILE"] = profile.name
    return env


def _anthropic_env(
    profile: Profile, root: str, key: str | None, auth: str, *, with_headers: bool
) -> dict[str, str]:
    env = {"ANTHROPIC_BASE_URL": root}
    if key and auth == "bearer":
        env["ANTHROPIC_AUTH_TOKEN"] = key
    elif key and auth == "x-api-key":
        env["ANTHROPIC_API_KEY"] = key
    if profile.headers and with_headers:
        env["ANTHROPIC_CUSTOM_HEADERS"] = "\n".join(f"{k}: {v}" for k, v in profile.headers.items())
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
    pairs = (
        ("NODE_EXTRA_CA_CERTS", tls.ca_bundle and _expand(tls.ca_bundle)),
        ("CLAUDE_CODE_CLIENT_CERT", tls.client_cert and _expand(tls.client_cert)),
        ("CLAUDE_CODE_CLIENT_KEY", tls.client_key and _expand(tls.client_key)),
        ("HTTPS_PROXY", proxy.https),
        ("NO_PROXY", ",".join(proxy.no_proxy)),
    )
    return {var: value for var, value in pairs if value}


def _claude_code_env(profile: Profile, env: dict[str, str]) -> None:
    """Claude Code's switches, then its extra variables (never over one llmgw set)."""
    cc = profile.claude_code
    if cc.disable_experimental_betas:
        env["CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS"] = "1"
    if cc.disable_nonessential_traffic:
        env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1"
    extra = {k: v for k, v in cc.env.items() if k not in env}
    env.update(extra)
    if extra:
        env[EXTRA_VARS] = ",".join(sorted(extra))


def previous_extras(environ: dict[str, str] | None = None) -> list[str]:
    raw = (environ if environ is not None else os.environ).get(EXTRA_VARS, "")
    # The names come from the environment and end up in `unset NAME` that shells eval:
    # anything that is not a plain variable name is dropped, never quoted into code.
    return [name for name in raw.split(",") if ENV_NAME_RE.match(name)]


def plan(
    profile: Profile,
    secret: str | None,
    shim: ShimTarget | None = None,
    environ: dict[str, str] | None = None,
) -> EnvPlan:
    values = profile_env(profile, secret, shim)
    managed = list(dict.fromkeys([*MANAGED, *previous_extras(environ)]))
    return EnvPlan(set=values, unset=[k for k in managed if k not in values])


def unset_plan(environ: dict[str, str] | None = None) -> EnvPlan:
    return EnvPlan(unset=list(dict.fromkeys([*MANAGED, *previous_extras(environ)])))


def apply(plan_: EnvPlan, environ: dict[str, str]) -> dict[str, str]:
    """The environment a child process gets: ``environ`` with the plan applied."""
    out = {k: v for k, v in environ.items() if k not in plan_.unset}
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
