"""A LiteLLM proxy config (``model_list``, fallbacks, budgets) from profiles and a shim config.

For teams that outgrow one machine: the same gateways behind a shared LiteLLM with its
database. What maps:

- each model a profile lists → a ``model_list`` deployment: ``anthropic/<model>`` with the
  endpoint root as ``api_base`` when the profile serves the Anthropic format (``openai/``
  with the ``/v1`` base otherwise, or when the gateway wants a Bearer token and also speaks
  OpenAI, since LiteLLM's Anthropic client sends ``x-api-key``); custom headers as
  ``extra_headers``; timeouts; the key as ``os.environ/VAR``, never the secret;
- the shim's ``models`` mapping (requested model → per-member model) → one model group per
  requested name;
- a shim ``chain`` → LiteLLM ``fallbacks``: the first member keeps the model name, later
  members serve ``<model>@<member>`` and are listed as its fallbacks, in chain order;
  ``retry`` and ``breaker`` → ``num_retries``, ``allowed_fails``, ``cooldown_time``;
- the budget plugin's ``daily_usd`` → ``max_budget`` + ``budget_duration: 1d`` (LiteLLM
  enforces it only with its database).

Without a chain, profiles that list the same model share its name: LiteLLM balances them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmgw_cli.config.model import Profile
from llmgw_cli.export import Exported, key_variable, model_names
from llmgw_cli.shim.config import ShimConfig

MASTER_KEY = "os.environ/LITELLM_MASTER_KEY"
LITELLM_VERSION = "1.108.7"  # the version these configs are checked against (docs/clients.md)


def _provider(profile: Profile, notes: list[str]) -> tuple[str, str] | None:
    """(LiteLLM provider prefix, api_base) for a profile, or None when it has none."""
    formats = profile.formats
    if "anthropic" in formats and not (profile.auth.type == "bearer" and "openai" in formats):
        if profile.auth.type == "bearer":
            notes.append(
                f"profile {profile.name!r}: LiteLLM sends its Anthropic key as x-api-key; "
                "the gateway must accept that (it is set up for Bearer)"
            )
        return "anthropic", profile.root
    if "openai" in formats:
        return "openai", profile.openai_base
    notes.append(
        f"profile {profile.name!r} serves {', '.join(formats)}: not exported "
        "(LiteLLM needs cloud credentials for Bedrock/Vertex; add it by hand)"
    )
    return None


def _params(profile: Profile, provider: str, base: str, model: str) -> dict[str, Any]:
    params: dict[str, Any] = {"model": f"{provider}/{model}", "api_base": base}
    var = key_variable(profile)
    # LiteLLM's clients want some key even for open gateways; "none" is not a secret.
    params["api_key"] = f"os.environ/{var}" if var else "none"
    if profile.headers:
        params["extra_headers"] = dict(profile.headers)
    params["timeout"] = profile.timeouts.total_s
    params["stream_timeout"] = profile.timeouts.first_byte_s
    return params


def _groups(
    profiles: Sequence[Profile], shim: ShimConfig | None
) -> dict[str, list[tuple[Profile, str]]]:
    """Requested model name → [(profile, its model)], in chain (or given) order."""
    groups: dict[str, list[tuple[Profile, str]]] = {}
    by_name = {p.name: p for p in profiles}
    if shim is not None:
        for requested, per_member in shim.models.items():
            for member in shim.chain:
                if member in per_member and member in by_name:
                    groups.setdefault(requested, []).append((by_name[member], per_member[member]))
    for profile in profiles:
        for model in model_names(profile):
            group = groups.setdefault(model, [])
            if all(p is not profile for p, _ in group):
                group.append((profile, model))
    return groups


def export(profiles: Sequence[Profile], shim: ShimConfig | None = None) -> Exported:
    notes: list[str] = []
    providers = {p.name: _provider(p, notes) for p in profiles}
    model_list: list[dict[str, Any]] = []
    fallbacks: list[dict[str, list[str]]] = []
    for requested, members in _groups(profiles, shim).items():
        served = [(p, m) for p, m in members if providers[p.name] is not None]
        names: list[str] = []
        for i, (profile, model) in enumerate(served):
            provider, base = providers[profile.name] or ("", "")
            name = requested if shim is None or i == 0 else f"{requested}@{profile.name}"
            if name not in names:
                names.append(name)
            model_list.append(
                {
                    "model_name": name,
                    "litellm_params": _params(profile, provider, base, model),
                    "model_info": {"llmgw_profile": profile.name},
                }
            )
        if len(names) > 1:
            fallbacks.append({names[0]: names[1:]})
    for profile in profiles:
        if providers[profile.name] is not None and not model_names(profile):
            notes.append(
                f"profile {profile.name!r} lists no models: nothing exported for it "
                f"(set one: `llmgw profile set {profile.name} models.default=MODEL`)"
            )
    doc: dict[str, Any] = {"model_list": model_list}
    router = _router_settings(shim, fallbacks, notes)
    if router:
        doc["router_settings"] = router
    settings = _litellm_settings(profiles, shim, notes)
    if settings:
        doc["litellm_settings"] = settings
    doc["general_settings"] = {"master_key": MASTER_KEY}
    return Exported(_render(doc, profiles, notes), notes)


def _router_settings(
    shim: ShimConfig | None, fallbacks: list[dict[str, list[str]]], notes: list[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if fallbacks:
        out["fallbacks"] = fallbacks
    if shim is None:
        return out
    out["num_retries"] = max(shim.retry.attempts - 1, 0)
    out["retry_after"] = shim.retry.backoff_ms / 1000
    out["allowed_fails"] = shim.breaker.failures
    out["cooldown_time"] = shim.breaker.cooldown_s
    if shim.order == "adaptive":
        notes.append("order: adaptive has no LiteLLM equivalent for fallbacks; kept static")
    if shim.routing_rules:
        notes.append(
            f"{len(shim.routing_rules)} routing rule(s) not exported: LiteLLM routes by model "
            "name only; give each rule's target a model_name of its own"
        )
    return out


def _litellm_settings(
    profiles: Sequence[Profile], shim: ShimConfig | None, notes: list[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {"drop_params": True}  # unknown fields are dropped, not refused
    bundles = sorted({p.tls.ca_bundle for p in profiles if p.tls.ca_bundle})
    if any(not p.tls.verify for p in profiles):
        out["ssl_verify"] = False
        notes.append("a profile turns TLS verification off; LiteLLM can only do so globally")
    elif bundles:
        out["ssl_verify"] = bundles[0]
        if len(bundles) > 1:
            notes.append(
                "LiteLLM takes one CA bundle for all upstreams; concatenate "
                + ", ".join(bundles)
                + " into one file and name it in ssl_verify"
            )
    if any(p.tls.client_cert for p in profiles):
        notes.append("client certificates (tls.client_cert) are not exported; set them in LiteLLM")
    if any(p.proxy.https for p in profiles):
        notes.append("set HTTPS_PROXY/NO_PROXY in LiteLLM's environment for the profiles' proxy")
    budget = (shim.plugins.get("budget") if shim is not None else None) or {}
    if budget.get("enabled"):
        if budget.get("daily_usd") is not None:
            out["max_budget"] = float(budget["daily_usd"])
            out["budget_duration"] = "1d"
            notes.append("max_budget is enforced only with LiteLLM's database (DATABASE_URL)")
        if budget.get("daily_tokens") is not None:
            notes.append("daily_tokens has no LiteLLM config key; use a key's tpm_limit instead")
        for user, spec in (budget.get("users") or {}).items():
            if isinstance(spec, dict) and spec.get("daily_usd") is not None:
                notes.append(
                    f"user {user}: create in LiteLLM's database with POST /user/new "
                    f'{{"user_id": "{user}", "max_budget": {spec["daily_usd"]}, '
                    '"budget_duration": "1d"}'
                )
        default_user = budget.get("default_user") or {}
        if isinstance(default_user, dict) and default_user.get("daily_usd") is not None:
            notes.append(
                "default_user.daily_usd: set max_internal_user_budget and "
                "internal_user_budget_duration: 1d in litellm_settings if your users are "
                "LiteLLM internal users"
            )
    return out


def _render(doc: dict[str, Any], profiles: Sequence[Profile], notes: list[str]) -> str:
    import yaml

    head = [
        f"# LiteLLM proxy config written by `llmgw export litellm` from profiles: "
        f"{', '.join(p.name for p in profiles)}",
        f"# Checked with litellm=={LITELLM_VERSION}. Start it with:",
        "#   LITELLM_LOCAL_MODEL_COST_MAP=True litellm --config THIS_FILE --port 4000",
        "# Secrets are environment references, never values. Before starting, set:",
        "#   export LITELLM_MASTER_KEY=sk-...   # the key clients send to LiteLLM",
    ]
    seen: set[str] = set()
    for p in profiles:
        var = key_variable(p)
        if var and var not in seen:
            seen.add(var)
            head.append(f'#   export {var}="$(llmgw token --profile {p.name})"')
    if notes:
        head.append("# Not expressed in this file:")
        head.extend(f"#   - {note}" for note in notes)
    body = yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, allow_unicode=True)
    return "\n".join(head) + "\n" + body
