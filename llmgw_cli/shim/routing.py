"""Routing rules: which member (and model) a request goes to, decided from its body.

A rule matches when every condition it names holds (unnamed ones are ignored):

    model              regex searched in the requested model ("haiku")
    pattern            the seed's form: regex matched against the whole requested model
    min/max_prompt_tokens   the prompt's estimated size (``tokens.estimate_request``)
    thinking           true: the request enables extended thinking; false: it does not
    tool               the request offers this tool (by name, or an Anthropic server tool's
                       type prefix: ``web_search`` matches ``web_search_20250305``)
    prompt             regex searched in the last user message's text

The first matching rule wins. It sends the request to ``route`` (or, in the seed's form, to
the provider listing ``preferred_model``) with ``model`` (or ``preferred_model``), then to
its ``fallback`` list — chain members, or models a provider lists — or, without one, to the
rest of the chain. Conditions are checked cheapest first; the token estimate only when a
rule reaches it, once per request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from llmgw_cli.errors import ConfigError
from llmgw_cli.shim import gatewaycfg
from llmgw_cli.shim.config import RoutingRule, ShimConfig
from llmgw_cli.wire.text import last_user_text

Target = tuple[str, str | None]  # member name, model to send it (None: per the mapping)


@dataclass(frozen=True)
class Rule:
    name: str
    model_re: re.Pattern[str] | None
    pattern_re: re.Pattern[str] | None
    min_tokens: int | None
    max_tokens: int | None
    thinking: bool | None
    tool: str | None
    prompt_re: re.Pattern[str] | None
    first: Target | None  # None: the default order, with ``model`` for every member
    model: str | None
    fallback: tuple[Target, ...] | None  # None: the rest of the chain


class Request:
    """The facts rules look at, each computed on first use."""

    __slots__ = ("_tokens", "body")

    def __init__(self, body: Any) -> None:
        self.body: dict[str, Any] = body if isinstance(body, dict) else {}
        self._tokens: int | None = None

    @property
    def model(self) -> str:
        model = self.body.get("model")
        return model if isinstance(model, str) else ""

    @property
    def tokens(self) -> int:
        if self._tokens is None:
            from llmgw_cli import tokens

            self._tokens = tokens.estimate_request(self.body).tokens
        return self._tokens

    @property
    def thinking(self) -> bool:
        t = self.body.get("thinking")
        if isinstance(t, dict):
            return t.get("type") not in ("disabled", None)
        return bool(t) or bool(self.body.get("reasoning_effort"))

    def has_tool(self, tool: str) -> bool:
        for spec in self.body.get("tools") or ():
            if not isinstance(spec, dict):
                continue
            fn = spec.get("function")
            name = fn.get("name") if isinstance(fn, dict) else spec.get("name")
            kind = spec.get("type")
            if name == tool or (isinstance(kind, str) and kind.startswith(tool)):
                return True
        return False

    def prompt_text(self) -> str:
        """The last user message's text (the system prompt would match every rule)."""
        return last_user_text(self.body)


def matches(rule: Rule, req: Request) -> bool:
    if rule.model_re is not None and not rule.model_re.search(req.model):
        return False
    if rule.pattern_re is not None and not rule.pattern_re.fullmatch(req.model):
        return False
    if rule.thinking is not None and req.thinking != rule.thinking:
        return False
    if rule.tool is not None and not req.has_tool(rule.tool):
        return False
    if rule.prompt_re is not None and not rule.prompt_re.search(req.prompt_text()):
        return False
    if rule.min_tokens is not None and req.tokens < rule.min_tokens:
        return False
    return rule.max_tokens is None or req.tokens <= rule.max_tokens


def first_match(rules: tuple[Rule, ...], req: Request) -> Rule | None:
    for rule in rules:
        if matches(rule, req):
            return rule
    return None


Fail = Callable[[tuple[str, ...], str], ConfigError]


def compile_rules(config: ShimConfig, fail: Fail) -> tuple[Rule, ...]:
    """Check and compile ``routing_rules``; errors name the rule and the fix."""
    return tuple(_compile(config, i, r, fail) for i, r in enumerate(config.routing_rules))


def _compile(config: ShimConfig, i: int, r: RoutingRule, fail: Fail) -> Rule:
    where = ("routing_rules", str(i))

    def regex(value: str | None, key: tuple[str, ...]) -> re.Pattern[str] | None:
        if value is None:
            return None
        try:
            return re.compile(value)
        except re.error as exc:
            raise fail((*where, *key), f"not a valid regular expression ({exc})") from exc

    m = r.match
    model = r.model or r.preferred_model
    route = r.route
    if route is None and r.preferred_model is not None:
        route = gatewaycfg.provider_for_model(config, r.preferred_model)
        if route is None:
            raise fail(
                (*where, "preferred_model"),
                f"no provider lists {r.preferred_model!r}; "
                "add it to a provider's models (or name the member with route:)",
            )
    if route is not None and route not in config.chain:
        raise fail((*where, "route"), f"{route!r} is not in the chain")
    fallback: list[Target] | None = None
    if r.fallback:
        fallback = []
        for j, entry in enumerate(r.fallback):
            if entry in config.chain:
                fallback.append((entry, None))
                continue
            owner = gatewaycfg.provider_for_model(config, entry)
            if owner is None:
                raise fail(
                    (*where, "fallback", str(j)),
                    f"{entry!r} is neither a chain member nor a model a provider lists",
                )
            fallback.append((owner, entry))
    conditions = (
        m.model,
        r.pattern,
        m.min_prompt_tokens,
        m.max_prompt_tokens,
        m.thinking,
        m.tool,
        m.prompt,
    )
    if all(c is None for c in conditions):
        raise fail(
            where,
            "give it a condition: match: {model, min_prompt_tokens, "
            "max_prompt_tokens, thinking, tool, prompt} or pattern:",
        )
    if route is None and model is None:
        raise fail(where, "say where it goes: route: MEMBER and/or model: MODEL")
    return Rule(
        name=r.name or f"rule-{i + 1}",
        model_re=regex(m.model, ("match", "model")),
        pattern_re=regex(r.pattern, ("pattern",)),
        min_tokens=m.min_prompt_tokens,
        max_tokens=m.max_prompt_tokens,
        thinking=m.thinking,
        tool=m.tool,
        prompt_re=regex(m.prompt, ("match", "prompt")),
        first=(route, model) if route is not None else None,
        model=model,
        fallback=tuple(fallback) if fallback is not None else None,
    )
