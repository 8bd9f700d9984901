"""The check registry, after Django's system checks: each check is a small function
registered with an id, a layer, the wire formats it applies to and the checks it needs.

    @check("tcp", layer="net", depends=("dns",), title="TCP connect to the first hop")
    def tcp(ctx: Context) -> Outcome: ...

Checks run in registration order (the layer modules are imported in ``LAYERS`` order),
so a check's dependencies always run before it. A new layer is one more ``Layer`` record
(docs/architecture.md: one record per extension kind).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmgw_cli.errors import UsageError

if TYPE_CHECKING:
    from llmgw_cli.doctor.context import Context
    from llmgw_cli.doctor.result import Outcome

CheckFunc = Callable[["Context"], "Outcome"]


@dataclass(frozen=True)
class Layer:
    name: str  # what `@check(layer=...)` and `--list-checks` say
    module: str  # the module under llmgw_cli.doctor that registers its checks
    title: str


LAYERS: tuple[Layer, ...] = (
    Layer("config", "checks_config", "the profile and its secret"),
    Layer("net", "checks_net", "proxy decision, DNS, TCP and TLS to the first hop"),
    Layer("http", "checks_http", "HTTP to the gateway, and its authentication"),
    Layer("api", "checks_api", "requests in each wire format, streaming, Claude Code's shapes"),
    # Claude Code's troubleshooting table (docs/architecture.md, "doctor: the gateway guide")
    Layer(
        "guide", "checks_guide", "Claude Code's requests a gateway may refuse, and their switches"
    ),
    Layer("wording", "checks_wording", "the error wording Claude Code recovers by"),
    Layer("deep", "deep", "--deep: the installed Claude Code's own request, feature by feature"),
    # last: retry_after reads every answer of the run
    Layer("client", "checks_client", "both keys set, apiKeyHelper, discovery, pings, retry-after"),
)


@dataclass(frozen=True)
class CheckSpec:
    id: str
    layer: str
    title: str
    func: CheckFunc
    formats: tuple[str, ...] | None = None  # None: every format
    depends: tuple[str, ...] = ()

    def applies(self, formats: Iterable[str]) -> bool:
        return self.formats is None or any(f in self.formats for f in formats)


_REGISTRY: dict[str, CheckSpec] = {}


def check(
    id: str,
    *,
    layer: str,
    title: str,
    formats: tuple[str, ...] | None = None,
    depends: tuple[str, ...] = (),
) -> Callable[[CheckFunc], CheckFunc]:
    if layer not in (known := [x.name for x in LAYERS]):
        raise ValueError(f"unknown layer {layer!r}; one of {', '.join(known)}")

    def register(func: CheckFunc) -> CheckFunc:
        missing = [d for d in depends if d not in _REGISTRY]
        if missing:  # dependencies must be registered (and so run) first
            raise ValueError(f"check {id!r} depends on unregistered {missing}")
        _REGISTRY[id] = CheckSpec(id, layer, title, func, formats, depends)
        return func

    return register


def all_checks() -> list[CheckSpec]:
    for layer in LAYERS:
        importlib.import_module(f"llmgw_cli.doctor.{layer.module}")
    return list(_REGISTRY.values())


def with_dependencies(wanted: Iterable[str]) -> set[str]:
    """The requested ids plus everything they depend on, transitively.

    ``--check`` runs dependencies too: a TLS result means little when nobody looked
    at DNS and TCP first, and a failed dependency still explains a skip.
    """
    specs = {s.id: s for s in all_checks()}
    unknown = sorted(set(wanted) - specs.keys())
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0], list(specs), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UsageError(
            f"unknown check {', '.join(unknown)}; {hint}see `llmgw doctor --list-checks` "
            f"({', '.join(specs)})"
        )
    todo, seen = list(wanted), set()
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(specs[current].depends)
    return seen
