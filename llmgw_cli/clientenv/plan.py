"""What `llmgw env` does to an environment (EnvPlan) and what a profile wants (ProfileEnv)."""

from __future__ import annotations

from dataclasses import dataclass, field

SECRET_VARS = frozenset({"ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY", "OPENAI_API_KEY"})


@dataclass
class EnvPlan:
    """What to do to an environment: unset, set, and (in a shell) save or restore by reference.

    ``save``: copy the user's current value into a shell-local (not exported) variable before
    it is overwritten; ``restore``: put it back from there. The value itself never passes
    through llmgw's output, which is how secret-like user values are kept.
    """

    set: dict[str, str] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)
    save: list[str] = field(default_factory=list)
    restore: list[str] = field(default_factory=list)

    def masked(self) -> dict[str, str]:
        from llmgw_cli.config.secretref import mask

        return {k: mask(v) if k in SECRET_VARS else v for k, v in self.set.items()}


@dataclass
class ProfileEnv:
    """The variables a profile sets, and those it must clear (the other auth variable)."""

    values: dict[str, str] = field(default_factory=dict)
    cleared: list[str] = field(default_factory=list)
