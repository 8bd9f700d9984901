"""Loading a chain's members: profiles from the store, and the config's own providers.

Secrets are resolved once here, at start and on every reload (so a rotated key or an edited
profile takes effect on `llmgw shim reload`); chain-wide ``timeouts`` override each
member's own.
"""

from __future__ import annotations

from llmgw_cli.config.model import Timeouts
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.shim import seedfile
from llmgw_cli.shim.config import ShimConfig
from llmgw_cli.shim.members.member import Member, from_profile


def load_members(
    config: ShimConfig, store: ProfileStore | None = None, secrets: Secrets | None = None
) -> list[Member]:
    """The chain's members: profiles from the store (their secrets resolved once) and the
    config's own providers; chain-wide ``timeouts`` override each member's."""
    out: list[Member] = []
    for name in config.chain:
        provider = config.providers.get(name)
        if provider is not None:
            profile = seedfile.profile_for(name, provider, _timeouts(Timeouts(), config))
            secret = seedfile.secret_for(name, provider, config.source)
        else:
            store = store or ProfileStore()
            secrets = secrets or Secrets()
            profile = store.load(name)
            profile.timeouts = _timeouts(profile.timeouts, config)
            secret = secrets.resolve(profile)
        member = from_profile(profile, secret)
        member.max_response_bytes = config.limits.response_bytes
        out.append(member)
    return out


def _timeouts(base: Timeouts, config: ShimConfig) -> Timeouts:
    chain = config.timeouts
    return Timeouts(
        connect_s=chain.connect_s or base.connect_s,
        first_byte_s=chain.first_byte_s or base.first_byte_s,
        total_s=chain.total_s or base.total_s,
        idle_s=chain.idle_s or base.idle_s,
    )
