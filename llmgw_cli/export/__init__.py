"""Configs for peer tools from llmgw's profiles and shim config: `llmgw export litellm|haproxy`.

Both exporters are pure: they take loaded profiles (and optionally a ``ShimConfig``) and
return the file's text plus notes about what the target cannot express. No secret is ever
written: LiteLLM gets ``os.environ/VAR`` references, HAProxy needs none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from llmgw_cli.config.model import Profile

_NOT_ENV = re.compile(r"[^A-Z0-9_]")


@dataclass
class Exported:
    text: str
    notes: list[str] = field(default_factory=list)  # what could not be expressed, and why


def model_names(profile: Profile) -> list[str]:
    """The distinct model names a profile lists, default first."""
    m = profile.models
    out: list[str] = []
    for name in (m.default, m.opus, m.sonnet, m.haiku):
        if name and name not in out:
            out.append(name)
    return out


def key_variable(profile: Profile) -> str | None:
    """The environment variable that will hold the profile's secret (None: auth none).

    ``env:VAR`` secrets keep their variable; keyring/cmd/file secrets get ``<NAME>_API_KEY``,
    to be filled with ``llmgw token --profile NAME``.
    """
    if profile.auth.type == "none":
        return None
    secret = profile.auth.secret or ""
    if secret.startswith("env:"):
        return secret[4:]
    return _NOT_ENV.sub("_", profile.name.upper()) + "_API_KEY"
