"""The optional features in Claude Code's request, each a beta and/or body field that travel
together, and the ``claude_code:`` switch that stops Claude Code sending it
(docs/architecture.md, "doctor/"). Which switch removes what was recorded from
Claude Code 2.1.328 (one ``claude -p`` turn per switch, compared with the plain one):

  disable_experimental_betas  context-management, per-turn-control, mid-conversation-tool-
                              changes, thinking-token-count, advanced-tool-use betas;
                              context_management, thinking.display, tools' defer_loading
  tool_search: false          advanced-tool-use beta and defer_loading
  attribution_header: false   the attribution block system[0]
  disable_adaptive_thinking   thinking adaptive -> enabled (for models that have both; Claude
                              Opus 5.5 is adaptive only)
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from llmgw_cli.doctor.shape import Shape

Body = dict[str, Any]
EXPERIMENTAL = (
    "context-management-2025-06-27",
    "per-turn-control-2026-07-01",
    "mid-conversation-tool-changes-2026-07-01",
    "thinking-token-count-2026-05-13",
    "advanced-tool-use-2025-11-20",
)
ATTRIBUTION = "x-anthropic-billing-header:"
ADVISOR_TOOL = "advisor_20260301"


@dataclass(frozen=True)
class Feature:
    name: str
    betas: tuple[str, ...]  # beta values that travel with it
    present: Callable[[Body], bool]  # the body carries it (betas alone count too)
    remove: Callable[[Body], None]  # the body as Claude Code sends it with the switch on
    option: tuple[str, Any] | None  # (claude_code key, value) that removes it; None: none does

    def in_shape(self, shape: Shape) -> bool:
        return self.present(shape.body) or any(b in shape.betas for b in self.betas)


def _tools(body: Body) -> list[dict[str, Any]]:
    tools = body.get("tools")
    return [t for t in tools if isinstance(t, dict)] if isinstance(tools, list) else []


def _drop(key: str) -> Callable[[Body], None]:
    def remove(body: Body) -> None:
        body.pop(key, None)

    return remove


def _drop_tool_key(key: str) -> Callable[[Body], None]:
    def remove(body: Body) -> None:
        for tool in _tools(body):
            tool.pop(key, None)

    return remove


def _thinking(body: Body) -> dict[str, Any]:
    value = body.get("thinking")
    return value if isinstance(value, dict) else {}


def _enabled_thinking(body: Body) -> None:
    body["thinking"] = {"type": "enabled", "budget_tokens": 1024}


def _drop_display(body: Body) -> None:
    _thinking(body).pop("display", None)


def _drop_effort(body: Body) -> None:
    config = body.get("output_config")
    if isinstance(config, dict):
        config.pop("effort", None)
        if not config:
            body.pop("output_config")


def _drop_attribution(body: Body) -> None:
    system = body.get("system")
    if isinstance(system, list) and system and _is_attribution(system[0]):
        body["system"] = system[1:]


def _is_attribution(block: Any) -> bool:
    return isinstance(block, dict) and str(block.get("text", "")).startswith(ATTRIBUTION)


def _drop_advisor(body: Body) -> None:
    body["tools"] = [t for t in _tools(body) if t.get("type") != ADVISOR_TOOL]


def _system(body: Body) -> list[Any]:
    system = body.get("system")
    return system if isinstance(system, list) else []


FEATURES: tuple[Feature, ...] = (
    Feature(
        "adaptive thinking",
        (),
        lambda b: _thinking(b).get("type") == "adaptive",
        _enabled_thinking,
        ("disable_adaptive_thinking", True),
    ),
    Feature(
        "thinking.display",
        (),
        lambda b: "display" in _thinking(b),
        _drop_display,
        ("disable_experimental_betas", True),
    ),
    Feature(
        "context_management",
        ("context-management-2025-06-27",),
        lambda b: "context_management" in b,
        _drop("context_management"),
        ("disable_experimental_betas", True),
    ),
    Feature(
        "deferred tools (tool search)",
        ("advanced-tool-use-2025-11-20",),
        lambda b: any("defer_loading" in t for t in _tools(b)),
        _drop_tool_key("defer_loading"),
        ("tool_search", False),
    ),
    Feature(
        "output_config.effort",
        ("effort-2025-11-24",),
        lambda b: isinstance(b.get("output_config"), dict) and "effort" in b["output_config"],
        _drop_effort,
        None,  # no switch removes it; Claude Code retries without it when the error says so
    ),
    Feature(
        "strict tools (structured outputs)",
        ("structured-outputs-2025-12-15",),
        lambda b: any(t.get("strict") is True for t in _tools(b)),
        _drop_tool_key("strict"),
        ("disable_structured_outputs", True),
    ),
    Feature(
        "advisor tool",
        ("advisor-tool-2026-03-01",),
        lambda b: any(t.get("type") == ADVISOR_TOOL for t in _tools(b)),
        _drop_advisor,
        ("disable_advisor_tool", True),
    ),
    Feature(
        "attribution block (system[0])",
        (),
        lambda b: bool(_system(b)) and _is_attribution(_system(b)[0]),
        _drop_attribution,
        ("attribution_header", False),
    ),
)


def in_request(shape: Shape) -> list[Feature]:
    """The features ``shape`` carries: the table's, then one per beta none of them claims."""
    found = [f for f in FEATURES if f.in_shape(shape)]
    claimed = {b for f in found for b in f.betas}
    for beta in shape.betas:
        if beta not in claimed:
            option = ("disable_experimental_betas", True) if beta in EXPERIMENTAL else None
            found.append(Feature(f"beta {beta}", (beta,), lambda b: False, lambda b: None, option))
    return found


def option_set(feature: Feature, claude_code: Any) -> bool:
    """The profile already sets the switch that removes ``feature``."""
    return (
        feature.option is not None and getattr(claude_code, feature.option[0]) == feature.option[1]
    )


def without(shape: Shape, removed: list[Feature]) -> tuple[dict[str, str], Body]:
    """Headers and body of ``shape`` with ``removed`` features taken out."""
    body = copy.deepcopy(shape.body)
    for feature in removed:
        feature.remove(body)
    gone = {b for f in removed for b in f.betas}
    betas = [b for b in shape.betas if b not in gone]
    headers = {k: v for k, v in shape.headers.items() if k != "anthropic-beta"}
    if betas:
        headers["anthropic-beta"] = ",".join(betas)
    return headers, body
