"""Routing rules: which member (and model) a request goes to, decided from its body.

A rule matches when every condition it names holds (unnamed ones are ignored). The
conditions are one table, ``CONDITIONS`` (config key → compile → match); the config's
``Match`` fields, the validation, the "give it a condition" message and the matching are all
read from it, and ``describe()`` lists them for help texts:

    model              regex searched in the requested model ("haiku")
    pattern            the seed's form: regex matched against the whole requested model
    thinking           true: the request enables extended thinking; false: it does not
    tool               the request offers this tool (by name, or an Anthropic server tool's
                       type prefix: ``web_search`` matches ``web_search_20250305``)
    prompt             regex searched in the last user message's text
    min/max_prompt_tokens   the prompt's estimated size (``tokens.estimate_request``)
    request_class      Claude Code's class of the request: main, subagent, workflow,
                       compaction or auxiliary (``main|subagent``: either)
    agent_type         regex on the subagent's type Claude Code names
    compaction         true: a compaction request; false: any other

The last three read Claude Code's hint headers (``CLAUDE_CODE_GATEWAY_HINT_HEADERS=1``,
which `llmgw env --shim` sets when a rule uses them: ``x-claude-code-request-class``,
``x-claude-code-agent-type``). A Claude Code without hints is classed by a heuristic
(a haiku model is background work: auxiliary; the compaction prompt: compaction; else
main), and ``x-llmgw-route`` says which signal decided.

The first matching rule wins. It sends the request to ``route`` (or, in the seed's form, to
the provider listing ``preferred_model``) with ``model`` (or ``preferred_model``), then to
its ``fallback`` list — chain members, or models a provider lists — or, without one, to the
rest of the chain. Conditions are checked cheapest first (the table's order); the token
estimate only when a rule reaches it, once per request.

This module sits below ``shim/config.py`` (which validates ``routing_rules`` with it) and
above ``seedfile.py``; the chain (``route/chain.py``) matches requests with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from llmgw_cli.errors import ConfigError
from llmgw_cli.shim import seedfile
from llmgw_cli.shim.seedfile import Provider
from llmgw_cli.wire import hints
from llmgw_cli.wire.hints import CLASSES, classify
from llmgw_cli.wire.text import last_user_text

log = logging.getLogger("llmgw.shim")
Target = tuple[str, str | None]  # member name, model to send it (None: per the mapping)
Fail = Callable[[tuple[str, ...], str], ConfigError]


@dataclass
class Match:
    model: str | None = None  # regex on the requested model
    min_prompt_tokens: int | None = None
    max_prompt_tokens: int | None = None
    thinking: bool | None = None
    tool: str | None = None
    prompt: str | None = None  # regex on the prompt text
    request_class: str | None = None  # main|subagent|workflow|compaction|auxiliary
    agent_type: str | None = None  # regex on Claude Code's agent type
    compaction: bool | None = None


@dataclass
class RoutingRule:
    name: str | None = None  # shown in x-llmgw-route; default rule-N
    match: Match = field(default_factory=Match)
    route: str | None = None  # the chain member to use
    model: str | None = None  # the model name to send it
    fallback: list[str] = field(default_factory=list)
    # The seed's gateway-config.yaml shape: `pattern` matched against the requested model.
    pattern: str | None = None
    preferred_model: str | None = None


class Request:
    """The facts rules look at, each computed on first use."""

    __slots__ = ("_class", "_tokens", "body", "headers", "signal")

    def __init__(self, body: Any, headers: Mapping[str, str] | None = None) -> None:
        self.body: dict[str, Any] = body if isinstance(body, dict) else {}
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self._tokens: int | None = None
        self._class: str | None = None
        self.signal: str | None = None  # what decided the request class, once asked

    @property
    def request_class(self) -> str:
        """Claude Code's hint header when sent, else the heuristic (``signal`` says which)."""
        if self._class is None:
            self._class, self.signal = classify(self.headers, self.model, self.prompt_text())
        return self._class

    @property
    def agent_type(self) -> str:
        return self.headers.get(hints.AGENT_HEADER, "")

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


REGEX_TIMEOUT_S = 0.05  # per search: a rule is matched on the event loop, in line


class TimedRegex:
    """A rule's regex, searched with a time limit (the ``regex`` package's ``timeout=``;
    Python's ``re`` has none): a catastrophic pattern such as ``(a|aa)+$`` on a long prompt
    would hold the event loop, and every request and ``/health`` with it, for seconds. A
    search that times out counts as no match; the first time, per rule, it is logged."""

    __slots__ = ("_rx", "source", "warned")

    def __init__(self, source: str) -> None:
        import regex

        try:
            self._rx = regex.compile(source)
        except regex.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from exc
        self.source = source
        self.warned = False

    def search(self, text: str) -> bool:
        return self._run(self._rx.search, text)

    def fullmatch(self, text: str) -> bool:
        return self._run(self._rx.fullmatch, text)

    def _run(self, how: Callable[..., Any], text: str) -> bool:
        try:
            return how(text, timeout=REGEX_TIMEOUT_S) is not None
        except TimeoutError:
            if not self.warned:
                self.warned = True
                log.warning(
                    "routing rule regex %r timed out after %g s on a %d-character text: "
                    "counted as no match (logged once; simplify the pattern)",
                    self.source,
                    REGEX_TIMEOUT_S,
                    len(text),
                )
            return False


def _regex(value: Any) -> TimedRegex:
    if not isinstance(value, str):
        raise ValueError("must be a regular expression (a string)")
    return TimedRegex(value)


def _same(value: Any) -> Any:
    return value


def _classes(value: Any) -> frozenset[str]:
    wanted = frozenset(str(value).replace(",", "|").replace(" ", "").lower().split("|"))
    unknown = sorted(wanted - set(CLASSES) - {""})
    if unknown or not wanted - {""}:
        raise ValueError(f"{', '.join(unknown) or 'empty'}: use {'|'.join(CLASSES)}")
    return wanted


@dataclass(frozen=True)
class Condition:
    """One kind of routing condition: where it is written, how it compiles, how it matches."""

    key: str  # the key under ``match:`` (or on the rule itself when ``top_level``)
    help: str  # one line, for help texts and docs
    compile: Callable[[Any], Any]  # the config value -> what ``match`` gets; ValueError: bad
    match: Callable[[Any, Request], bool]
    top_level: bool = False  # the seed's ``pattern:`` sits on the rule, not under match:
    hint: bool = False  # reads Claude Code's hint headers (env --shim turns them on)

    @property
    def path(self) -> tuple[str, ...]:
        return (self.key,) if self.top_level else ("match", self.key)

    def value(self, rule: RoutingRule) -> Any:
        return getattr(rule if self.top_level else rule.match, self.key)


# Cheapest first: matching stops at the first condition that fails.
CONDITIONS: tuple[Condition, ...] = (
    Condition("model", "regex searched in the requested model", _regex,
              lambda rx, req: rx.search(req.model)),
    Condition("pattern", "the seed's form: regex matched against the whole requested model",
              _regex, lambda rx, req: rx.fullmatch(req.model), top_level=True),
    Condition("thinking", "true: the request enables extended thinking; false: it does not",
              _same, lambda want, req: req.thinking == want),
    Condition("tool", "the request offers this tool (name or server tool type prefix)",
              _same, lambda tool, req: req.has_tool(tool)),
    Condition("prompt", "regex searched in the last user message's text", _regex,
              lambda rx, req: rx.search(req.prompt_text())),
    Condition("request_class", "Claude Code's request class: " + "|".join(CLASSES),
              _classes, lambda want, req: req.request_class in want, hint=True),
    Condition("agent_type", "regex on the agent type Claude Code names", _regex,
              lambda rx, req: rx.search(req.agent_type) is not None, hint=True),
    Condition("compaction", "true: a compaction request; false: any other", _same,
              lambda want, req: (req.request_class == "compaction") == want, hint=True),
    Condition("min_prompt_tokens", "the prompt's estimated size is at least this", _same,
              lambda n, req: req.tokens >= n),
    Condition("max_prompt_tokens", "the prompt's estimated size is at most this", _same,
              lambda n, req: req.tokens <= n),
)  # fmt: skip
assert {c.key for c in CONDITIONS if not c.top_level} == {f.name for f in fields(Match)}


def describe() -> str:
    """The conditions as the config writes them, e.g. for an error message or help text."""
    inner = ", ".join(c.key for c in CONDITIONS if not c.top_level)
    outer = " or ".join(f"{c.key}:" for c in CONDITIONS if c.top_level)
    return f"match: {{{inner}}} or {outer}"


@dataclass(frozen=True)
class Rule:
    name: str
    tests: tuple[tuple[Condition, Any], ...]  # each named condition with its compiled value
    first: Target | None  # None: the default order, with ``model`` for every member
    model: str | None
    fallback: tuple[Target, ...] | None  # None: the rest of the chain


def uses_hints(rules: Sequence[Rule]) -> bool:
    """Whether a rule reads Claude Code's hint headers (``env --shim`` turns them on)."""
    return any(cond.hint for rule in rules for cond, _ in rule.tests)


def matches(rule: Rule, req: Request) -> bool:
    return all(cond.match(arg, req) for cond, arg in rule.tests)


def first_match(rules: tuple[Rule, ...], req: Request) -> Rule | None:
    for rule in rules:
        if matches(rule, req):
            return rule
    return None


class Source(Protocol):
    """What rules are compiled from and checked against (a ``ShimConfig``)."""

    @property
    def chain(self) -> Sequence[str]: ...
    @property
    def providers(self) -> Mapping[str, Provider]: ...
    @property
    def routing_rules(self) -> Sequence[RoutingRule]: ...


def _owner(source: Source, model: str) -> str | None:
    return seedfile.provider_for_model(source.chain, source.providers, model)


def compile_rules(source: Source, fail: Fail) -> tuple[Rule, ...]:
    """Check and compile ``routing_rules``; errors name the rule and the fix."""
    return tuple(_compile(source, i, r, fail) for i, r in enumerate(source.routing_rules))


def _tests(where: tuple[str, ...], r: RoutingRule, fail: Fail) -> tuple[tuple[Condition, Any], ...]:
    tests: list[tuple[Condition, Any]] = []
    for cond in CONDITIONS:
        value = cond.value(r)
        if value is None:
            continue
        try:
            tests.append((cond, cond.compile(value)))
        except ValueError as exc:
            raise fail((*where, *cond.path), str(exc)) from exc
    if not tests:
        raise fail(where, f"give it a condition: {describe()}")
    return tuple(tests)


def _first(where: tuple[str, ...], r: RoutingRule, source: Source, fail: Fail) -> str | None:
    route = r.route
    if route is None and r.preferred_model is not None:
        route = _owner(source, r.preferred_model)
        if route is None:
            raise fail(
                (*where, "preferred_model"),
                f"no provider lists {r.preferred_model!r}; "
                "add it to a provider's models (or name the member with route:)",
            )
    if route is not None and route not in source.chain:
        raise fail((*where, "route"), f"{route!r} is not in the chain")
    return route


def _fallback(
    where: tuple[str, ...], r: RoutingRule, source: Source, fail: Fail
) -> tuple[Target, ...] | None:
    if not r.fallback:
        return None
    fallback: list[Target] = []
    for j, entry in enumerate(r.fallback):
        if entry in source.chain:
            fallback.append((entry, None))
            continue
        owner = _owner(source, entry)
        if owner is None:
            raise fail(
                (*where, "fallback", str(j)),
                f"{entry!r} is neither a chain member nor a model a provider lists",
            )
        fallback.append((owner, entry))
    return tuple(fallback)


def _compile(source: Source, i: int, r: RoutingRule, fail: Fail) -> Rule:
    where = ("routing_rules", str(i))
    model = r.model or r.preferred_model
    route = _first(where, r, source, fail)
    fallback = _fallback(where, r, source, fail)
    tests = _tests(where, r, fail)
    if route is None and model is None:
        raise fail(where, "say where it goes: route: MEMBER and/or model: MODEL")
    return Rule(
        name=r.name or f"rule-{i + 1}",
        tests=tests,
        first=(route, model) if route is not None else None,
        model=model,
        fallback=fallback,
    )
